"""What is the signed-in user's own to do today: the start page's lists, each a few queries whatever the
data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fundtrack.alerts.models import Alert
from fundtrack.applications.models import Application
from fundtrack.auth.models import User
from fundtrack.calendars.models import Subscription
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import visible_deadlines
from fundtrack.feeds.models import Call, FeedSource
from fundtrack.feeds.services import matched_calls_to_look_at
from fundtrack.funders.models import Funder, Round
from fundtrack.organisations.models import Organisation
from fundtrack.relationships.models import Relationship
from fundtrack.relationships.services import visible_relationships, with_parties
from fundtrack.tasks.services import open_tasks_of

DEADLINES_AHEAD_DAYS = 30  # the owner's deadlines from this far ahead, and every overdue one
NEXT_STEPS_AHEAD_DAYS = 14
LIMIT = 15


@dataclass
class MyWork:
    tasks: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)
    calls: list = field(default_factory=list)
    next_steps: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.deadlines or self.calls or self.next_steps)


def my_work(user, today: dt.date) -> MyWork:
    """Tasks assigned to the user, open deadlines of the applications they own, calls passed on to their
    organisation (a member) or still to be looked at (a fundraiser), and relationships they steward whose
    next step is due. A viewer owns nothing, and gets only what is assigned to them."""
    work = MyWork(tasks=list(open_tasks_of(user).limit(LIMIT)))
    work.deadlines = list(
        visible_deadlines(user)
        .where(
            Deadline.done_at.is_null()
            & (Application.owner == user.id)
            & (Deadline.due_on <= today + dt.timedelta(days=DEADLINES_AHEAD_DAYS))
        )
        .order_by(Deadline.due_on, Deadline.id)
        .limit(LIMIT)
    )
    if user.is_member:
        work.calls = list(matched_calls_to_look_at(user.organisation_id, today, LIMIT))
    elif user.is_fundraiser:
        work.calls = list(
            Call.select().where(Call.status == "new").order_by(Call.first_seen_at.desc(), Call.id.desc()).limit(LIMIT)
        )
    work.next_steps = list(
        with_parties(visible_relationships(user))
        .where(
            (Relationship.steward == user.id)
            & Relationship.next_step_on.is_null(False)
            & (Relationship.next_step_on <= today + dt.timedelta(days=NEXT_STEPS_AHEAD_DAYS))
        )
        .order_by(Relationship.next_step_on, Relationship.id)
        .limit(LIMIT)
    )
    return work


# The first steps of a new installation, in the order the start page lists them.
FIRST_STEPS = ("organisations", "funders", "rounds", "applications", "feeds", "users", "calendars", "reminders")


def getting_started(user) -> dict[str, bool] | None:
    """For a fundraiser in an installation without applications yet: each first step, and whether it is
    taken. Nothing once the pipeline has its first application, or for anyone else."""
    if not user.is_fundraiser or Application.select().exists():
        return None
    taken = {
        "organisations": Organisation.select().exists(),
        "funders": Funder.select().exists(),
        "rounds": Round.select().exists(),
        "applications": False,
        "feeds": FeedSource.select().exists(),
        "users": User.select().where(User.id != user.id).exists(),
        "calendars": Subscription.select().exists(),
        "reminders": Alert.select().exists(),  # the scheduler has planned its first reminder
    }
    return {step: taken[step] for step in FIRST_STEPS}
