"""The pipeline: every stage move allowed or refused, what each move records and sets going."""

import datetime as dt
import itertools

import pytest

from fundtrack import clock
from fundtrack.applications.models import STAGES, TRANSITIONS, StageChange
from fundtrack.applications.services import StageMoveRefused, move_stage
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline
from tests.conftest import NOW

PAIRS = [(a, b) for a, b in itertools.product(STAGES, STAGES) if a != b]


def _extras(to_stage):
    if to_stage == "rejected":
        return {"reason_code": "budget"}
    if to_stage == "submitted":
        return {"override_reason": "Fonden bad om ansøgningen i dag"}  # the checklist gate is tested on its own
    return {}


@pytest.mark.parametrize("from_stage, to_stage", PAIRS)
def test_every_stage_move_is_allowed_or_refused_as_the_pipeline_says(create_application, create_user, from_stage, to_stage):
    actor = create_user()
    application = create_application(stage=from_stage, amount_requested_ore=100_000_00)
    if to_stage in TRANSITIONS[from_stage]:
        change = move_stage(application, to_stage, actor=actor, now=NOW, **_extras(to_stage))
        assert application.stage == to_stage
        assert (change.from_stage, change.to_stage, change.actor_id) == (from_stage, to_stage, actor.id)
    else:
        with pytest.raises(StageMoveRefused) as refused:
            move_stage(application, to_stage, actor=actor, now=NOW, **_extras(to_stage))
        assert "cannot move" in str(refused.value)
        assert application.stage == from_stage
        assert StageChange.select().where(StageChange.application == application).count() == 1


def test_the_pipeline_is_the_documented_one():
    assert TRANSITIONS["idea"] == ("drafting", "withdrawn")
    assert set(TRANSITIONS["submitted"]) == {"granted", "rejected", "withdrawn"}
    assert TRANSITIONS["granted"] == ("reporting",)
    assert TRANSITIONS["reporting"] == ("closed",)
    assert TRANSITIONS["rejected"] == TRANSITIONS["withdrawn"] == TRANSITIONS["closed"] == ()


def test_refusal_says_where_the_application_can_go(create_application):
    application = create_application(stage="idea")
    with pytest.raises(StageMoveRefused) as refused:
        move_stage(application, "granted", actor=None, now=NOW)
    assert refused.value.params["allowed"] == "Drafting, Withdrawn"


def test_a_rejection_needs_a_reason_from_the_list(create_application):
    application = create_application(stage="submitted")
    with pytest.raises(StageMoveRefused, match="reason"):
        move_stage(application, "rejected", actor=None, now=NOW)
    with pytest.raises(StageMoveRefused, match="reason"):
        move_stage(application, "rejected", actor=None, now=NOW, reason_code="bad luck")
    change = move_stage(application, "rejected", actor=None, now=NOW, reason_code="competition", reason="Mange ansøgere i år")
    assert (change.reason_code, change.reason) == ("competition", "Mange ansøgere i år")
    assert application.decided_on == clock.to_local(NOW).date()


def test_every_move_is_recorded_with_who_when_from_to(create_application, create_user, complete_checklist):
    actor = create_user(name="Mette Holm")
    application = create_application(actor=actor)
    complete_checklist(application)
    times = [NOW + dt.timedelta(days=d) for d in (3, 10, 40)]
    move_stage(application, "drafting", actor=actor, now=times[0])
    move_stage(application, "submitted", actor=actor, now=times[1])
    move_stage(application, "granted", actor=actor, now=times[2], amount_granted_ore=90_000_00)
    history = list(StageChange.select().where(StageChange.application == application).order_by(StageChange.id))
    assert [(c.from_stage, c.to_stage) for c in history] == [
        (None, "idea"),
        ("idea", "drafting"),
        ("drafting", "submitted"),
        ("submitted", "granted"),
    ]
    assert [c.changed_at for c in history[1:]] == times
    assert all(c.actor_id == actor.id for c in history)
    assert application.submitted_on == times[1].date() and application.amount_granted_ore == 90_000_00


def test_time_in_each_stage(create_application):
    from fundtrack.applications.services import days_in_stage, stage_durations

    application = create_application()
    move_stage(application, "drafting", actor=None, now=NOW + dt.timedelta(days=4))
    history = list(StageChange.select().where(StageChange.application == application).order_by(StageChange.id))
    later = NOW + dt.timedelta(days=11)
    assert [days for _, days in stage_durations(history, later)] == [4, 7]
    assert days_in_stage(application, later) == 7


def test_submitting_completes_the_submission_and_draft_deadlines(create_application, complete_checklist):
    application = create_application(stage="drafting")
    complete_checklist(application)
    submission = add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    draft = add_deadline(application, "internal_draft", dt.date(2027, 2, 20), now=NOW)
    report = add_deadline(application, "custom", dt.date(2027, 5, 1), title="Møde med fonden", now=NOW)
    move_stage(application, "submitted", actor=None, now=NOW)
    assert Deadline.get_by_id(submission.id).done_at == NOW
    assert Deadline.get_by_id(draft.id).done_at == NOW
    assert Deadline.get_by_id(report.id).done_at is None


def test_granting_without_an_amount_takes_the_amount_requested(create_application):
    application = create_application(stage="submitted", amount_requested_ore=300_000_00)
    move_stage(application, "granted", actor=None, now=NOW)
    assert application.amount_granted_ore == 300_000_00


def test_granting_with_no_amount_at_all_is_refused(create_application):
    application = create_application(stage="submitted")
    with pytest.raises(StageMoveRefused, match="amount granted"):
        move_stage(application, "granted", actor=None, now=NOW)


def test_closing_waits_for_the_reports(create_application):
    application = create_application(stage="reporting")
    report = add_deadline(application, "final_report", dt.date(2027, 6, 1), now=NOW)
    with pytest.raises(StageMoveRefused, match="report"):
        move_stage(application, "closed", actor=None, now=NOW)
    from fundtrack.deadlines.services import complete_deadline

    complete_deadline(report, actor=None, now=NOW)
    move_stage(application, "closed", actor=None, now=NOW)
    assert application.stage == "closed"
