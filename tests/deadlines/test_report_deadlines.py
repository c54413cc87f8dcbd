"""Report deadlines are created when a grant is won, from the funder's defaults, and stay editable."""

import datetime as dt

from fundtrack.applications.services import move_stage
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import (
    add_deadline,
    complete_deadline,
    delete_deadline,
    overdue,
    update_deadline,
)
from tests.conftest import NOW


def _reports(application):
    return {
        d.kind: d.due_on
        for d in Deadline.select().where(
            Deadline.application == application, Deadline.kind.in_(["interim_report", "final_report"])
        )
    }


def test_grant_creates_report_deadlines_from_the_funders_defaults(create_application, create_funder):
    funder = create_funder(interim_report_months=6, final_report_months=2)
    application = create_application(
        funder=funder,
        stage="submitted",
        amount_requested_ore=100_000_00,
        project_start_on=dt.date(2027, 1, 1),
        project_end_on=dt.date(2027, 12, 31),
    )
    move_stage(application, "granted", actor=None, now=NOW)
    assert _reports(application) == {"interim_report": dt.date(2027, 7, 1), "final_report": dt.date(2028, 2, 29)}


def test_without_defaults_or_project_period_the_final_report_is_due_fifteen_months_after_the_decision(
    create_application, create_funder
):
    funder = create_funder()
    application = create_application(funder=funder, stage="submitted", amount_requested_ore=50_000_00)
    move_stage(application, "granted", actor=None, now=NOW, decided_on=dt.date(2026, 11, 30))
    assert _reports(application) == {"final_report": dt.date(2028, 2, 29)}


def test_report_deadlines_already_there_are_not_doubled(create_application, create_funder):
    application = create_application(funder=create_funder(), stage="submitted", amount_requested_ore=1)
    add_deadline(application, "final_report", dt.date(2027, 9, 1), now=NOW)
    move_stage(application, "granted", actor=None, now=NOW)
    assert _reports(application) == {"final_report": dt.date(2027, 9, 1)}


def test_editing_a_deadline_raises_its_sequence_only_when_it_moves(create_application):
    application = create_application()
    deadline = add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    update_deadline(deadline, kind="submission", due_on=dt.date(2027, 3, 1), notes="just a note", now=NOW)
    assert deadline.sequence == 0
    update_deadline(deadline, kind="submission", due_on=dt.date(2027, 3, 15), now=NOW)
    assert deadline.sequence == 1


def test_overdue_items_are_marked(create_application, create_user):
    fundraiser = create_user()
    application = create_application()
    late = add_deadline(application, "interim_report", dt.date(2026, 11, 1), now=NOW)
    done = add_deadline(application, "submission", dt.date(2026, 10, 1), now=NOW)
    complete_deadline(done, actor=None, now=NOW)
    future = add_deadline(application, "final_report", dt.date(2027, 11, 1), now=NOW)
    today = dt.date(2026, 11, 22)
    assert [d.overdue_on(today) for d in (late, done, future)] == [True, False, False]
    assert [d.id for d in overdue(fundraiser, today)] == [late.id]
    delete_deadline(late, now=NOW)
    assert list(overdue(fundraiser, today)) == []
