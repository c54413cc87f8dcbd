"""A grant's payment schedule: proposed when the grant is won, edited instalment by instalment, received.

Each instalment not yet received has a deadline of kind `instalment` on its application (kept here, never by
hand), so the reminders warn when money is late and the subscribed calendars show when it is expected.
The first money received is the application's "money received": a fee due on the money falls due then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fundtrack import clock
from fundtrack.applications import events as application_events
from fundtrack.applications import services as applications
from fundtrack.applications.models import WON_STAGES, Application, Reclaim
from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.deadlines import services as deadlines
from fundtrack.i18n_markers import N_
from fundtrack.instalments import events
from fundtrack.instalments.models import Instalment
from fundtrack.periods import months_after
from fundtrack.validation import LARGEST_ORE, ValidationError, check_day

PLANS = {
    "one": N_("One instalment on the decision date"),
    "yearly": N_("One instalment per year of the project"),
    "funder": N_("The funder's usual instalments"),
}


@dataclass(frozen=True)
class Totals:
    """What the schedule adds up to against the grant."""

    granted_ore: int
    planned_ore: int
    received_ore: int

    @property
    def difference_ore(self) -> int:
        """Planned minus granted: positive when the schedule plans more than the grant."""
        return self.planned_ore - self.granted_ore


def schedule(application: Application) -> list[Instalment]:
    """The application's instalments by planned date."""
    return list(application.instalments.order_by(Instalment.planned_on, Instalment.id))


def totals(application: Application, instalments: list[Instalment]) -> Totals:
    return Totals(
        granted_ore=application.amount_granted_ore or 0,
        planned_ore=sum(i.planned_ore for i in instalments),
        received_ore=sum(i.received_ore or 0 for i in instalments),
    )


def reclaims(application: Application) -> list[Reclaim]:
    return list(application.reclaims.order_by(Reclaim.reclaimed_on, Reclaim.id))


# Proposing a schedule.


def default_plan(application: Application) -> str:
    """The funder's usual instalments where it has them, one per year for a project over a year, else one."""
    if application.funder.instalment_shares:
        return "funder"
    if len(_project_years(application)) > 1:
        return "yearly"
    return "one"


def _first_day(application: Application) -> dt.date:
    return application.decided_on or clock.today()


def _project_years(application: Application) -> list[dt.date]:
    """The first instalment's day, and one a year later for each further year the project runs."""
    first = _first_day(application)
    end = application.project_end_on
    days = [first]
    if end is None:
        return days
    start = max(application.project_start_on or first, first)
    while len(days) < 10:
        following = months_after(start, 12 * len(days))
        if following > end:
            break
        days.append(following)
    return days


def _split(total: int, shares: list[int]) -> list[int]:
    """`total` øre in parts by `shares`, whole øre, the rounding left on the last part."""
    parts = [total * share // sum(shares) for share in shares]
    parts[-1] += total - sum(parts)
    return parts


def proposal(application: Application, plan: str) -> list[tuple[dt.date, int]]:
    """(planned day, amount) of each instalment the plan gives for the grant."""
    granted = application.amount_granted_ore or 0
    if plan == "funder" and application.funder.instalment_shares:
        shares = list(application.funder.instalment_shares)
        years = _project_years(application)
        if len(years) >= len(shares):
            days = years[: len(shares)]
        else:  # more instalments than years: spread them evenly over the project
            first, end = _first_day(application), application.project_end_on or _first_day(application)
            step = max(0, (end - first).days) // max(1, len(shares) - 1)
            days = [first + dt.timedelta(days=step * n) for n in range(len(shares))]
        return list(zip(days, _split(granted, shares), strict=True))
    if plan == "yearly":
        days = _project_years(application)
        return list(zip(days, _split(granted, [1] * len(days)), strict=True))
    return [(_first_day(application), granted)]


def apply_plan(application: Application, plan: str, *, actor, now: dt.datetime) -> list[Instalment]:
    """Replace the schedule by a plan's proposal; refused once money has been received (the schedule is then
    changed instalment by instalment)."""
    if plan not in PLANS:
        raise ValidationError({"plan": N_("Choose a schedule from the list.")})
    if application.stage not in WON_STAGES:
        raise ValidationError({"plan": N_("Only a granted application has a payment schedule.")})
    current = schedule(application)
    if any(i.received_on for i in current):
        raise ValidationError({"plan": N_("Money has been received: change the instalments one by one.")})
    with db.atomic():
        for instalment in current:
            _delete(instalment, actor=actor, now=now)
        created = [
            _create(application, {"planned_on": day, "planned_ore": amount, "condition": ""}, actor=actor, now=now)
            for day, amount in proposal(application, plan)
            if amount > 0
        ]
        audit.record_action(actor, application, "schedule", now)
    return created


# Changing it.


def validate_instalment(application: Application, data: dict) -> dict:
    """The cleaned values of an instalment, or ValidationError naming each bad field (forms and imports alike)."""
    errors: dict = {}
    planned_on, planned = data.get("planned_on"), data.get("planned_ore")
    received_on, received = data.get("received_on"), data.get("received_ore")
    if application.stage not in WON_STAGES:
        errors["planned_on"] = N_("Only a granted application has a payment schedule.")
    if planned_on is None:
        errors["planned_on"] = N_("This field is required.")
    if planned is None:
        errors["planned_ore"] = N_("This field is required.")
    elif not 0 < planned <= LARGEST_ORE:
        errors["planned_ore"] = N_("An instalment is more than 0 kr. and at most 100 billion kr.")
    if received is not None and not 0 < received <= LARGEST_ORE:
        errors["received_ore"] = N_("An amount received is more than 0 kr. and at most 100 billion kr.")
    if received is not None and received_on is None:
        errors["received_on"] = N_("Give the day the money was received.")
    check_day(errors, "planned_on", planned_on)
    check_day(errors, "received_on", received_on)
    condition = (data.get("condition") or "").strip()
    if len(condition) > 200:
        errors["condition"] = N_("At most 200 characters.")
    if errors:
        raise ValidationError(errors)
    if received_on is not None and received is None:
        received = planned  # received as planned unless said otherwise
    return {
        "planned_on": planned_on,
        "planned_ore": planned,
        "condition": condition,
        "received_on": received_on,
        "received_ore": received,
    }


def _create(application: Application, values: dict, *, actor, now: dt.datetime) -> Instalment:
    instalment = Instalment.create(application=application, **values, created_at=now, updated_at=now)
    instalment.application = application
    audit.record_create(actor, instalment, now)
    _keep_deadline(instalment, actor=actor, now=now)
    return instalment


def add_instalment(application: Application, data: dict, *, actor, now: dt.datetime) -> Instalment:
    """A new instalment of the grant."""
    values = validate_instalment(application, data)
    with db.atomic():
        instalment = _create(application, values, actor=actor, now=now)
        _after_receipt(instalment, NOTHING_RECEIVED, actor=actor, now=now)
    return instalment


def update_instalment(instalment: Instalment, data: dict, *, actor, now: dt.datetime, action: str = "update") -> Instalment:
    """Change an instalment (its plan, or what was received); its deadline follows."""
    before = _values_of(instalment)
    values = validate_instalment(instalment.application, {**before, **data})
    with db.atomic():
        audit.save_changes(instalment, values, actor=actor, now=now, action=action)
        _keep_deadline(instalment, actor=actor, now=now)
        _after_receipt(instalment, before, actor=actor, now=now)
    return instalment


def receive(instalment: Instalment, on: dt.date, amount_ore: int | None, *, actor, now: dt.datetime) -> Instalment:
    """The instalment's money arrived, on `on`; as planned unless another amount is given."""
    received = {"received_on": on, "received_ore": amount_ore}
    return update_instalment(instalment, received, actor=actor, now=now, action="receive")


def delete_instalment(instalment: Instalment, *, actor, now: dt.datetime) -> None:
    """Remove an instalment from the schedule (kept in the history); its deadline goes too."""
    with db.atomic():
        _delete(instalment, actor=actor, now=now)
        if instalment.received_on is not None:  # the money it brought no longer counts
            events.received.send(instalment.application, on=clock.to_local(now).date(), actor=actor, now=now)


def _delete(instalment: Instalment, *, actor, now: dt.datetime) -> None:
    deadline = instalment.deadline if instalment.deadline_id else None
    audit.record_delete(actor, instalment, now)
    instalment.delete_instance()
    if deadline is not None and deadline.deleted_at is None:
        deadlines.delete_deadline(deadline, actor=actor, now=now)


NOTHING_RECEIVED = {"received_on": None, "received_ore": None}


def _values_of(instalment: Instalment) -> dict:
    return {
        "planned_on": instalment.planned_on,
        "planned_ore": instalment.planned_ore,
        "condition": instalment.condition,
        "received_on": instalment.received_on,
        "received_ore": instalment.received_ore,
    }


def _keep_deadline(instalment: Instalment, *, actor, now: dt.datetime) -> None:
    """The instalment's deadline: on its planned day, done once the money is received."""
    deadline = instalment.deadline if instalment.deadline_id else None
    if deadline is None or deadline.deleted_at is not None:
        deadline = deadlines.add_deadline(
            instalment.application, "instalment", instalment.planned_on, notes=instalment.condition, actor=actor, now=now
        )
        instalment.deadline = deadline
        Instalment.update(deadline=deadline).where(Instalment.id == instalment.id).execute()
    elif (deadline.due_on, deadline.notes) != (instalment.planned_on, instalment.condition):
        deadlines.update_deadline(
            deadline, kind="instalment", due_on=instalment.planned_on, notes=instalment.condition, actor=actor, now=now
        )
    if instalment.received_on is not None and deadline.done_at is None:
        deadlines.complete_deadline(deadline, actor=actor, now=now)
    elif instalment.received_on is None and deadline.done_at is not None:
        deadlines.reopen_deadline(deadline, actor=actor, now=now)


def _after_receipt(instalment: Instalment, before: dict, *, actor, now: dt.datetime) -> None:
    """The first money received is the grant's money received; every receipt, and every correction of one,
    is announced (a fee on the money falls due by the part received)."""
    application = instalment.application
    if instalment.received_on is not None and application.money_received_on is None:
        applications.record_money_received(application, instalment.received_on, actor=actor, now=now)
    if (before["received_on"], before["received_ore"]) != (instalment.received_on, instalment.received_ore):
        on = instalment.received_on or clock.to_local(now).date()
        events.received.send(application, on=on, actor=actor, now=now)


@application_events.moved.connect
def _propose_on_grant(application, *, to_stage, actor, now, **rest):
    """A grant gets the schedule its funder and project suggest, to be edited."""
    if to_stage == "granted" and not application.instalments.exists() and (application.amount_granted_ore or 0) > 0:
        apply_plan(application, default_plan(application), actor=actor, now=now)
