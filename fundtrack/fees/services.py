"""The success fee: its terms, when it falls due, invoicing, payment, write-off, clawback, and the ledger.

Fees are the fundraiser's business only: views show them to the `fundraiser` role and nobody else, and
their History is private. Each step is one transaction: the agreement's status and its ledger entry
change together or not at all. Entries are booked on local days.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from peewee import fn

from fundtrack import clock
from fundtrack.applications import events as application_events
from fundtrack.applications.models import WON_STAGES, Application
from fundtrack.audit import services as audit
from fundtrack.db import db
from fundtrack.events import Notice
from fundtrack.fees.models import FEE_KINDS, FEE_TRIGGERS, FeeAgreement, FeeEntry
from fundtrack.funders.models import Funder
from fundtrack.i18n_markers import N_
from fundtrack.instalments import events as instalment_events
from fundtrack.instalments.models import Instalment
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, check_amount, check_day


class FeeRefused(Exception):
    """A fee step that does not fit the fee's status; the message says why."""


def fee_amount(agreement: FeeAgreement, granted_ore: int | None, reclaimed_ore: int = 0) -> int:
    """The fee in øre for a grant net of what was reclaimed.

    Percentage fees are rounded to whole øre, then raised to the minimum and lowered to the cap.
    Nothing is owed when nothing is kept: no grant, or all of it reclaimed.
    """
    base = max(0, (granted_ore or 0) - (reclaimed_ore or 0))
    if base == 0:
        return 0
    if agreement.kind == "fixed":
        return agreement.fixed_ore or 0
    fee = int((Decimal(base) * Decimal(agreement.percent_bp or 0) / Decimal(10_000)).to_integral_value(ROUND_HALF_UP))
    if agreement.minimum_ore is not None:
        fee = max(fee, agreement.minimum_ore)
    if agreement.cap_ore is not None:
        fee = min(fee, agreement.cap_ore)
    return fee


def received_share(agreement: FeeAgreement, application: Application) -> tuple[int, int]:
    """How much of the grant the fee has fallen due on so far, as (part, whole) in øre of the grant kept.

    A fee on the award letter is due on all of it once granted. A fee on the money received follows the
    instalments received (all of it once they reach the grant); until an instalment is received, the money
    recorded as received on the application counts as all of it."""
    whole = max(0, (application.amount_granted_ore or 0) - (application.reclaimed_ore or 0))
    if application.stage not in WON_STAGES:
        return 0, whole
    if agreement.trigger == "award_letter":
        return whole, whole
    received = (
        Instalment.select(fn.SUM(Instalment.received_ore))
        .where((Instalment.application == application.id) & Instalment.received_on.is_null(False))
        .scalar()
    )
    if received is None:  # no instalment received: the money as recorded on the application, all or nothing
        return (0 if application.money_received_on is None else whole), whole
    return min(int(received), whole), whole


def fee_due_so_far(agreement: FeeAgreement, application: Application) -> int:
    """The part of the fee fallen due: the whole fee times the share of the grant received, rounded half
    up, so that the parts booked instalment by instalment add up to the whole fee."""
    fee = fee_amount(agreement, application.amount_granted_ore, application.reclaimed_ore)
    part, whole = received_share(agreement, application)
    if not whole or part >= whole:
        return fee if whole else 0
    return int((Decimal(fee) * part / whole).to_integral_value(ROUND_HALF_UP))


def share_warning(agreement: FeeAgreement, application: Application, warn_above_percent: float) -> Notice | None:
    """A warning, naming the field, when the fee is more than the configured share of the grant (or of the
    amount applied for, before a decision)."""
    grant = application.amount_granted_ore if application.stage in WON_STAGES else application.amount_requested_ore
    if not grant or not warn_above_percent:
        return None
    fee = fee_amount(agreement, grant)
    if fee * 100 <= grant * Decimal(str(warn_above_percent)):
        return None
    field = {"fixed": "fixed_ore"}.get(agreement.kind, "minimum_ore" if fee == agreement.minimum_ore else "percent")
    return Notice(
        N_("The fee of %(fee_ore)s is more than %(share)s %% of the grant (%(field)s)."),
        {"fee_ore": fee, "share": warn_above_percent, "field": FIELD_LABELS[field]},
        "warning",
    )


FIELD_LABELS = {"percent": N_("Percentage of the grant"), "minimum_ore": N_("Minimum fee"), "fixed_ore": N_("Fixed fee")}


def _validated(data: dict) -> dict:
    errors: dict = {}
    kind = data.get("kind") or "percent"
    if kind not in FEE_KINDS:
        errors["kind"] = N_("Choose a kind from the list.")
    trigger = data.get("trigger") or "award_letter"
    if trigger not in FEE_TRIGGERS:
        errors["trigger"] = N_("Choose a trigger from the list.")
    percent_bp, fixed = data.get("percent_bp"), data.get("fixed_ore")
    minimum, cap = data.get("minimum_ore"), data.get("cap_ore")
    if kind == "percent":
        if percent_bp is None:
            errors["percent"] = N_("Give the percentage of the grant.")
        elif not 0 < percent_bp <= 10_000:
            errors["percent"] = N_("A percentage is more than 0 and at most 100.")
        if minimum is not None and cap is not None and cap < minimum:
            errors["cap_ore"] = N_("The cap cannot be lower than the minimum.")
    if kind == "fixed" and (fixed is None or fixed <= 0):
        errors["fixed_ore"] = N_("Give the fixed fee.")
    for key in ("minimum_ore", "cap_ore", "fixed_ore"):
        check_amount(errors, key, data.get(key))
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "trigger": trigger,
        "percent_bp": percent_bp if kind == "percent" else None,
        "minimum_ore": minimum if kind == "percent" else None,
        "cap_ore": cap if kind == "percent" else None,
        "fixed_ore": fixed if kind == "fixed" else None,
        "notes": (data.get("notes") or "").strip(),
    }


def agreement_of(application: Application) -> FeeAgreement | None:
    """The application's fee agreement, if it has one."""
    agreement = FeeAgreement.get_or_none(FeeAgreement.application == application)
    if agreement is not None:
        agreement.application = application
    return agreement


def booked(agreement: FeeAgreement, kind: str) -> int:
    """The sum of the agreement's ledger entries of one kind (a fee invoiced in parts, one per instalment)."""
    total = FeeEntry.select(fn.SUM(FeeEntry.amount_ore)).where((FeeEntry.agreement == agreement.id) & (FeeEntry.kind == kind))
    return int(total.scalar() or 0)


def _book(
    agreement: FeeAgreement, kind: str, amount_ore: int, on: dt.date, *, actor, now: dt.datetime, note: str = ""
) -> FeeEntry:
    """One ledger entry, on the record."""
    entry = FeeEntry.create(
        agreement=agreement, kind=kind, amount_ore=amount_ore, booked_on=on, note=note, actor=actor, created_at=now
    )
    entry.agreement = agreement
    audit.record_create(actor, entry, now)
    return entry


def set_agreement(application: Application, data: dict, *, actor, now: dt.datetime) -> FeeAgreement:
    """Create or change the fee terms; terms can change until the fee is invoiced.

    When the trigger has already happened (the grant is won, or the money received), the fee falls due at once.
    """
    values = _validated(data)
    grant = application.amount_granted_ore if application.stage in WON_STAGES else application.amount_requested_ore
    fee = values["minimum_ore"] if values["kind"] == "percent" else values["fixed_ore"]
    if grant and fee is not None and fee > grant:
        field = "minimum_ore" if values["kind"] == "percent" else "fixed_ore"
        raise ValidationError({field: N_("The fee cannot be more than the grant (or the amount applied for).")})
    with db.atomic():
        agreement = agreement_of(application)
        if agreement is None:
            agreement = FeeAgreement.create(application=application, **values, created_at=now, updated_at=now)
            agreement.application = application
            audit.record_create(actor, agreement, now)
        else:
            if agreement.status in ("invoiced", "paid"):
                raise FeeRefused(N_("The fee is already invoiced; its terms can no longer change."))
            audit.save_changes(agreement, values, actor=actor, now=now)
            if agreement.status == "due":
                _rebook_due(agreement, application, actor, now)
        on = trigger_date(agreement, application)
        if agreement.status == "not_due" and on is not None:
            fall_due(agreement, application, on=on, actor=actor, now=now)
    return agreement


def trigger_date(agreement: FeeAgreement, application: Application) -> dt.date | None:
    """The day the fee's trigger happened, if it has: the award (decision) or the money's arrival."""
    if application.stage not in WON_STAGES:
        return None
    if agreement.trigger == "award_letter":
        return application.decided_on
    return application.money_received_on


def fall_due(agreement: FeeAgreement, application: Application, *, on: dt.date, actor, now: dt.datetime) -> None:
    """The trigger happened: compute the fee (the part due so far) and book it as due."""
    amount = fee_due_so_far(agreement, application)
    with db.atomic():
        audit.save_changes(agreement, {"status": "due", "amount_ore": amount, "due_on": on}, actor=actor, now=now)
        _book(agreement, "due", amount, on, actor=actor, now=now)


def _recompute(
    agreement: FeeAgreement,
    application: Application,
    kind: str,
    on: dt.date,
    *,
    note: str,
    actor,
    now: dt.datetime,
    only_less: bool = False,
) -> int:
    """Compute the fee due so far anew from the grant and the money as they now stand and book the difference
    as `kind` on `on`, with the agreement's amount, in one transaction; `only_less` books only a fall.
    Returns the difference booked."""
    amount = fee_due_so_far(agreement, application)
    difference = amount - agreement.amount_ore
    if difference == 0 or (only_less and difference > 0):
        return 0
    with db.atomic():
        audit.save_changes(agreement, {"amount_ore": amount}, actor=actor, now=now)
        _book(agreement, kind, difference, on, actor=actor, now=now, note=note)
    return difference


def _rebook_due(agreement, application, actor, now) -> None:
    """New terms for a fee already due: book the difference as an adjustment."""
    _recompute(agreement, application, "adjustment", clock.to_local(now).date(), note="new terms", actor=actor, now=now)


def on_trigger(application: Application, *, actor, now: dt.datetime) -> None:
    """When an application is granted or its money arrives: a waiting fee may fall due."""
    agreement = agreement_of(application)
    if agreement is None or agreement.status != "not_due":
        return
    on = trigger_date(agreement, application)
    if on is not None and fee_due_so_far(agreement, application):
        fall_due(agreement, application, on=on, actor=actor, now=now)


def follow_money_received(application: Application, on: dt.date, *, actor, now: dt.datetime) -> int:
    """An instalment arrived (or its receipt was corrected): a fee on the money falls due by the part received,
    booked on the day the money came. A fee already invoiced or paid is due again for the new part.
    Returns the amount booked."""
    agreement = agreement_of(application)
    if agreement is None or agreement.trigger != "money_received" or agreement.status == "written_off":
        return 0
    if agreement.status == "not_due":
        on_trigger(application, actor=actor, now=now)
        return agreement_of(application).amount_ore
    with db.atomic():
        difference = fee_due_so_far(agreement, application) - agreement.amount_ore
        kind = "due" if difference > 0 else "adjustment"
        booked = _recompute(agreement, application, kind, on, note="money received", actor=actor, now=now)
        if booked > 0 and agreement.status in ("invoiced", "paid"):
            audit.save_changes(agreement, {"status": "due", "due_on": on}, actor=actor, now=now)
    return booked


def _check_day(field: str, on: dt.date) -> None:
    errors: dict = {}
    check_day(errors, field, on)
    if errors:
        raise ValidationError(errors)


def invoice(agreement: FeeAgreement, *, number: str, on: dt.date, actor, now: dt.datetime) -> None:
    """The fee is invoiced: status and ledger together."""
    if agreement.status != "due":
        raise FeeRefused(N_("Only a fee that is due can be invoiced."))
    _check_day("on", on)
    with db.atomic():
        audit.save_changes(
            agreement, {"status": "invoiced", "invoice_number": number.strip(), "invoiced_on": on}, actor=actor, now=now
        )
        amount = agreement.amount_ore - booked(agreement, "invoiced")
        _book(agreement, "invoiced", amount, on, actor=actor, now=now, note=number.strip())


def mark_paid(agreement: FeeAgreement, *, on: dt.date, actor, now: dt.datetime) -> None:
    """The invoice is paid: status and ledger together."""
    if agreement.status != "invoiced":
        raise FeeRefused(N_("Only an invoiced fee can be marked paid."))
    _check_day("on", on)
    with db.atomic():
        audit.save_changes(agreement, {"status": "paid", "paid_on": on}, actor=actor, now=now)
        _book(agreement, "paid", booked(agreement, "invoiced") - booked(agreement, "paid"), on, actor=actor, now=now)


def write_off(agreement: FeeAgreement, *, on: dt.date, reason: str, actor, now: dt.datetime) -> None:
    """Give up a fee that will not be paid; the reason is kept in the ledger."""
    if agreement.status in ("paid", "written_off"):
        raise FeeRefused(N_("A paid or written-off fee cannot be written off."))
    if not reason.strip():
        raise ValidationError({"reason": N_("Say why the fee is written off.")})
    _check_day("on", on)
    with db.atomic():
        audit.save_changes(agreement, {"status": "written_off", "written_off_on": on}, actor=actor, now=now)
        unpaid = agreement.amount_ore - booked(agreement, "paid")
        _book(agreement, "written_off", -unpaid, on, actor=actor, now=now, note=reason.strip())


def apply_clawback(application: Application, *, on: dt.date, actor, now: dt.datetime) -> int:
    """After a funder reclaims money: recompute the fee on what is kept and book the difference back.

    Returns the (negative) amount booked, 0 when the fee was not yet due or nothing changes.
    """
    agreement = agreement_of(application)
    if agreement is None or agreement.status in ("not_due", "written_off"):
        return 0
    note = "reclaimed by the funder"
    return _recompute(agreement, application, "clawback", on, note=note, actor=actor, now=now, only_less=True)


def follow_corrected_grant(application: Application, *, actor, now: dt.datetime) -> int:
    """The granted amount was corrected: a fee already due (invoiced or paid too) is computed anew and the
    difference booked as an adjustment on today's local date, in the same transaction. Returns the difference."""
    agreement = agreement_of(application)
    if agreement is None or agreement.status in ("not_due", "written_off"):
        return 0
    today = clock.to_local(now).date()
    return _recompute(agreement, application, "adjustment", today, note="corrected grant", actor=actor, now=now)


def consultant_fee_warning(funder: Funder) -> bool:
    """True when the funder is known not to allow consultant fees to be paid from its grant."""
    return funder.allows_consultant_fees is False


def ledger(start: dt.date, end: dt.date, organisation_id: int | None = None):
    """The ledger entries booked between `start` and `end`, with their application, organisation and funder."""
    query = (
        FeeEntry.select(FeeEntry, FeeAgreement, Application, Organisation, Funder)
        .join(FeeAgreement)
        .join(Application)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(FeeEntry.booked_on.between(start, end))
        .order_by(FeeEntry.booked_on, FeeEntry.id)
    )
    if organisation_id:
        query = query.where(Application.organisation == organisation_id)
    return query


EARNED_KINDS = ("due", "adjustment", "clawback")  # what the fees came to: fallen due, adjusted, clawed back


def ledger_totals(start: dt.date, end: dt.date, organisation_id: int | None = None) -> dict:
    """Sums per entry kind, overall and per organisation, computed in the database; beside them the money
    received (instalments that arrived), what the fees came to (`earned`) and its share of that money."""
    query = (
        FeeEntry.select(Organisation.id, Organisation.name, FeeEntry.kind, fn.SUM(FeeEntry.amount_ore).alias("total"))
        .join(FeeAgreement)
        .join(Application)
        .join(Organisation)
        .where(FeeEntry.booked_on.between(start, end))
        .group_by(Organisation.id, Organisation.name, FeeEntry.kind)
    )
    if organisation_id:
        query = query.where(Application.organisation == organisation_id)
    received = (
        Instalment.select(Organisation.id, Organisation.name, fn.SUM(Instalment.received_ore).alias("total"))
        .join(Application)
        .join(Organisation)
        .where(Instalment.received_on.between(start, end))
        .group_by(Organisation.id, Organisation.name)
    )
    if organisation_id:
        query = query.where(Application.organisation == organisation_id)
        received = received.where(Application.organisation == organisation_id)
    overall: dict[str, int] = {}
    by_organisation: dict[str, dict[str, int]] = {}
    rows = [(row["name"], row["kind"], row["total"]) for row in query.dicts()]
    rows += [(row["name"], "received", row["total"]) for row in received.dicts()]
    for name, kind, total in rows:
        overall[kind] = overall.get(kind, 0) + int(total or 0)
        by_organisation.setdefault(name, {})[kind] = int(total or 0)
    for sums in (overall, *by_organisation.values()):
        sums["earned"] = sum(sums.get(kind, 0) for kind in EARNED_KINDS)
        sums["share"] = sums["earned"] / sums["received"] if sums.get("received") else None
    return {"overall": overall, "by_organisation": dict(sorted(by_organisation.items()))}


def outstanding():
    """Agreements due or invoiced and not yet paid, oldest first: what the fundraiser is waiting for."""
    return (
        FeeAgreement.select(FeeAgreement, Application, Organisation)
        .join(Application)
        .join(Organisation)
        .where(FeeAgreement.status.in_(["due", "invoiced"]))
        .order_by(FeeAgreement.due_on)
    )


# What follows from an application's life.


@application_events.moved.connect
def _after_grant(application, *, to_stage, actor, now, **rest):
    if to_stage == "granted":
        on_trigger(application, actor=actor, now=now)


@application_events.changed.connect
def _after_correction(application, *, changes, actor, now, **rest):
    if "amount_granted_ore" in changes and application.stage in WON_STAGES:
        difference = follow_corrected_grant(application, actor=actor, now=now)
        if difference:
            return Notice(N_("The fee is adjusted by %(amount_ore)s."), {"amount_ore": difference}, "warning")
    return None


@application_events.money_received.connect
def _after_money(application, *, actor, now, **rest):
    on_trigger(application, actor=actor, now=now)


@instalment_events.received.connect
def _after_instalment(application, *, on, actor, now, **rest):
    follow_money_received(application, on, actor=actor, now=now)


@application_events.reclaimed.connect
def _after_reclaim(application, *, on, actor, now, **rest):
    clawback = apply_clawback(application, on=on, actor=actor, now=now)
    if clawback:
        return Notice(N_("The fee is reduced by %(amount_ore)s."), {"amount_ore": -clawback}, "warning")
    return None
