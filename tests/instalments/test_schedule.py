"""A grant's payment schedule: proposed on the grant, edited, received; overdue money reminded and in the
calendars; reclaims as entries of their own; and every URL of it checked like every record."""

import datetime as dt

import icalendar
import pytest

from fundtrack.alerts import services as alerts
from fundtrack.alerts.models import Alert
from fundtrack.applications.models import Application, Reclaim
from fundtrack.applications.services import move_stage, record_reclaim
from fundtrack.calendars import services as calendars
from fundtrack.deadlines.models import Deadline
from fundtrack.fees import services as fees
from fundtrack.fees.models import FeeAgreement
from fundtrack.instalments import services
from fundtrack.instalments.models import Instalment
from fundtrack.validation import ValidationError
from tests.conftest import NOW, post

KR = 100
DECIDED = dt.date(2026, 11, 20)


@pytest.fixture
def grant(create_application, create_funder):
    """Grant `kroner` to a new application (a project from `start` to `end`), as the fundraiser records it."""

    def make(kroner=300_000, *, start=None, end=None, shares=None, terms=None):
        funder = create_funder(instalment_shares=shares or [])
        application = create_application(
            funder=funder, stage="submitted", amount_requested_ore=kroner * KR, project_start_on=start, project_end_on=end
        )
        if terms:
            fees.set_agreement(application, terms, actor=None, now=NOW)
        move_stage(application, "granted", actor=None, now=NOW, amount_granted_ore=kroner * KR, decided_on=DECIDED)
        return Application.get_by_id(application.id)

    return make


def _plan(application):
    return [(i.planned_on.isoformat(), i.planned_ore // KR) for i in services.schedule(application)]


def test_a_grant_gets_one_instalment_when_the_project_is_short(grant):
    application = grant(300_000, start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    assert _plan(application) == [("2026-11-20", 300_000)]
    [instalment] = services.schedule(application)
    deadline = Deadline.get_by_id(instalment.deadline_id)
    assert (deadline.kind, deadline.due_on, deadline.done_at) == ("instalment", DECIDED, None)


def test_a_three_year_project_gets_one_instalment_a_year_the_rounding_on_the_last(grant):
    application = grant(1_000_000, start=dt.date(2027, 1, 1), end=dt.date(2029, 12, 31))
    ore = [(i.planned_on.isoformat(), i.planned_ore) for i in services.schedule(application)]
    assert ore == [("2026-11-20", 33_333_333), ("2028-01-01", 33_333_333), ("2029-01-01", 33_333_334)]
    assert sum(amount for _, amount in ore) == 1_000_000 * KR


def test_the_funders_usual_shares_come_first(grant):
    application = grant(400_000, start=dt.date(2027, 1, 1), end=dt.date(2029, 6, 30), shares=[50, 40, 10])
    assert _plan(application) == [("2026-11-20", 200_000), ("2028-01-01", 160_000), ("2029-01-01", 40_000)]
    again = services.apply_plan(application, "one", actor=None, now=NOW)
    assert [(i.planned_ore // KR) for i in again] == [400_000]
    # The replaced instalments' deadlines are gone from every list and calendar.
    assert Deadline.select().where((Deadline.kind == "instalment") & Deadline.deleted_at.is_null()).count() == 1


def test_totals_that_do_not_add_up_are_named(grant, client, login_as):
    application = grant(300_000)
    [instalment] = services.schedule(application)
    services.update_instalment(instalment, {"planned_ore": 250_000 * KR}, actor=None, now=NOW)
    login_as("fundraiser")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "50.000 kr. mindre end bevillingen på 300.000 kr." in page
    services.add_instalment(application, {"planned_on": dt.date(2027, 6, 1), "planned_ore": 75_000 * KR}, actor=None, now=NOW)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "25.000 kr. mere end bevillingen på 300.000 kr." in page


def test_a_moved_instalment_moves_its_deadline_and_receiving_it_marks_it_done(grant):
    application = grant(300_000, terms={"kind": "percent", "percent_bp": 1000, "trigger": "money_received"})
    [instalment] = services.schedule(application)
    moved = {"planned_on": dt.date(2027, 1, 15), "condition": "efter underskrift"}
    services.update_instalment(instalment, moved, actor=None, now=NOW)
    deadline = Deadline.get_by_id(instalment.deadline_id)
    assert (deadline.due_on, deadline.notes, deadline.sequence) == (dt.date(2027, 1, 15), "efter underskrift", 1)
    assert FeeAgreement.get().status == "not_due"
    services.receive(instalment, dt.date(2027, 1, 20), None, actor=None, now=NOW)
    instalment = Instalment.get_by_id(instalment.id)
    assert (instalment.received_on, instalment.received_ore) == (dt.date(2027, 1, 20), 300_000 * KR)  # as planned
    assert Deadline.get_by_id(instalment.deadline_id).done_at is not None
    assert Application.get_by_id(application.id).money_received_on == dt.date(2027, 1, 20)
    assert (FeeAgreement.get().status, FeeAgreement.get().due_on) == ("due", dt.date(2027, 1, 20))
    with pytest.raises(ValidationError):
        services.apply_plan(application, "yearly", actor=None, now=NOW)  # money received: changed one by one
    services.update_instalment(instalment, {"received_on": None, "received_ore": None}, actor=None, now=NOW)
    assert Deadline.get_by_id(instalment.deadline_id).done_at is None  # not received after all: expected again


@pytest.mark.parametrize(
    "data, field",
    [
        ({"planned_ore": 0}, "planned_ore"),
        ({"planned_ore": 10**16}, "planned_ore"),
        ({"planned_on": dt.date(9999, 12, 31)}, "planned_on"),
        ({"received_ore": 1_000 * KR}, "received_on"),
        ({"condition": "x" * 201}, "condition"),
    ],
)
def test_bad_instalments_are_refused_naming_the_field(grant, data, field):
    application = grant(100_000)
    values = {"planned_on": dt.date(2027, 3, 1), "planned_ore": 10_000 * KR, **data}
    with pytest.raises(ValidationError) as refused:
        services.add_instalment(application, values, actor=None, now=NOW)
    assert field in refused.value.errors


def test_an_application_not_granted_has_no_schedule(create_application):
    application = create_application(stage="submitted")
    with pytest.raises(ValidationError):
        services.add_instalment(application, {"planned_on": dt.date(2027, 3, 1), "planned_ore": 100 * KR}, actor=None, now=NOW)


def test_overdue_money_is_marked_reminded_and_in_the_calendar(grant, app, client, login_as, frozen_clock):
    application = grant(300_000)
    [instalment] = services.schedule(application)
    services.update_instalment(instalment, {"planned_on": dt.date(2027, 2, 1)}, actor=None, now=NOW)
    frozen_clock.move_to("2027-02-05T08:00:00+00:00")
    login_as("fundraiser")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    section = page[page.index('id="instalments"') :]
    assert "Overskredet" in section[: section.index("</table>")]
    # The reminder rule for instalments: three days after the planned day, to the fundraisers.
    rules = app.extensions["fundtrack.alert_rules"]
    moment = dt.datetime(2027, 2, 5, 8, tzinfo=dt.UTC)
    alerts.plan_deadline_alerts(rules, today=dt.date(2027, 2, 4), now=moment, digest_hour=7)
    planned = Alert.select().where(Alert.deadline == instalment.deadline_id)
    assert planned.count() >= 1 and {a.rule for a in planned} == {"instalments"} and {a.days for a in planned} == {-3}
    # And in the organisation's subscribed calendar.
    _, token = calendars.issue(organisation=application.organisation, now=NOW)
    body = client.get(f"/calendars/{token}.ics").data
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    assert any("Rate forventet" in summary and application.title in summary for summary in summaries)


def test_an_instalment_deadline_is_changed_only_through_its_schedule(grant, client, login_as):
    application = grant(300_000)
    [instalment] = services.schedule(application)
    login_as("fundraiser")
    response = post(client, f"/deadlines/{instalment.deadline_id}/complete", token_from=f"/applications/{application.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("#instalments")
    assert Deadline.get_by_id(instalment.deadline_id).done_at is None
    form = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert 'value="instalment"' not in form  # not offered when adding a deadline by hand


def test_receiving_through_the_page_and_a_refused_amount_keeps_what_was_typed(grant, client, login_as):
    application = grant(200_000)
    [instalment] = services.schedule(application)
    login_as("fundraiser")
    page = f"/applications/{application.id}"
    receive = f"/instalments/{instalment.id}/receive"
    refused = post(client, receive, {"received_on": "2027-01-10", "received_ore": "mange"}, token_from=page)
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert 'value="mange"' in body and "2027-01-10" in body
    assert Instalment.get_by_id(instalment.id).received_on is None
    done = post(client, receive, {"received_on": "10-01-2027", "received_ore": "150.000"}, token_from=page)
    assert done.status_code == 302
    instalment = Instalment.get_by_id(instalment.id)
    assert (instalment.received_on, instalment.received_ore) == (dt.date(2027, 1, 10), 150_000 * KR)
    body = client.get(page).get_data(as_text=True)
    assert "150.000 kr. modtaget" in body


def test_adding_and_proposing_through_the_page(grant, client, login_as):
    application = grant(200_000, start=dt.date(2027, 1, 1), end=dt.date(2028, 12, 31))
    login_as("fundraiser")
    page = f"/applications/{application.id}"
    assert post(client, f"/instalments/applications/{application.id}/plan", {"plan": "one"}, token_from=page).status_code == 302
    assert _plan(application) == [("2026-11-20", 200_000)]
    refused = post(
        client, f"/instalments/applications/{application.id}/new", {"planned_on": "", "planned_ore": "5.000"}, token_from=page
    )
    assert refused.status_code == 400 and 'value="5.000"' in refused.get_data(as_text=True)
    added = post(
        client,
        f"/instalments/applications/{application.id}/new",
        {"planned_on": "1. juni 2027", "planned_ore": "5.000", "condition": "efter midtvejsrapporten"},
        token_from=page,
    )
    assert added.status_code == 302
    assert _plan(application)[-1] == ("2027-06-01", 5_000)


def test_a_reclaim_is_an_entry_of_its_own_on_its_day(grant, client, login_as):
    application = grant(300_000)
    record_reclaim(application, 20_000 * KR, dt.date(2027, 5, 2), reason="Ubrugte midler", actor=None, now=NOW)
    record_reclaim(application, 5_000 * KR, dt.date(2027, 9, 1), reason="Revision", actor=None, now=NOW)
    entries = [(r.reclaimed_on.isoformat(), r.amount_ore // KR) for r in Reclaim.select().order_by(Reclaim.reclaimed_on)]
    assert entries == [("2027-05-02", 20_000), ("2027-09-01", 5_000)]
    assert Application.get_by_id(application.id).reclaimed_ore == 25_000 * KR
    login_as("fundraiser")
    assert "Ubrugte midler" in client.get(f"/applications/{application.id}").get_data(as_text=True)


def test_another_organisations_member_finds_no_instalment(grant, client, login_as, create_organisation):
    application = grant(300_000)
    [instalment] = services.schedule(application)
    login_as("member", organisation=create_organisation("Nabo"))
    page = "/applications/"
    assert client.get(f"/instalments/{instalment.id}").status_code == 404
    for path, data in (
        (f"/instalments/{instalment.id}", {"planned_on": "2027-01-01", "planned_ore": "1"}),
        (f"/instalments/{instalment.id}/receive", {"received_on": "2027-01-01"}),
        (f"/instalments/{instalment.id}/delete", {}),
        (f"/instalments/applications/{application.id}/plan", {"plan": "one"}),
        (f"/instalments/applications/{application.id}/new", {"planned_on": "2027-01-01", "planned_ore": "1"}),
    ):
        assert post(client, path, data, token_from=page).status_code == 404, path
    assert Instalment.get_by_id(instalment.id).received_on is None and Instalment.select().count() == 1


def test_the_organisations_own_member_works_the_schedule_and_a_viewer_only_reads(grant, client, login_as, create_user):
    application = grant(300_000)
    [instalment] = services.schedule(application)
    login_as("member", organisation=application.organisation)
    page = f"/applications/{application.id}"
    received = post(client, f"/instalments/{instalment.id}/receive", {"received_on": "2027-01-02"}, token_from=page)
    assert received.status_code == 302
    post(client, "/logout", token_from="/")
    login_as("viewer")
    assert client.get(f"/instalments/{instalment.id}").status_code == 200
    assert post(client, f"/instalments/{instalment.id}/delete", {"confirmed": "1"}, token_from="/").status_code == 403


@pytest.mark.parametrize("typed", ["50, 40", "0, 100", "hundrede", "-10, 110"])
def test_a_funders_usual_shares_must_add_up_to_the_whole_grant(client, login_as, typed):
    login_as("fundraiser")
    data = {"name": "Delfonden", "kind": "private_foundation", "allows_consultant_fees": "", "instalment_shares": typed}
    response = post(client, "/funders/new", data, token_from="/funders/new")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "giver 100 i alt" in body and f'value="{typed}"' in body


def test_instalments_export_as_the_user_may_see_them(grant, client, login_as, runner):
    own, other = grant(100_000), grant(200_000)
    login_as("member", organisation=own.organisation)
    records = client.get("/instalments/export.json").get_json()
    assert [(r["application_id"], r["planned_amount"], r["planned_on"]) for r in records] == [(own.id, 100_000, "2026-11-20")]
    assert other.organisation.name not in client.get("/instalments/export.csv").get_data(as_text=True)
    result = runner.invoke(args=["export", "instalments", "--format", "csv"])
    assert result.exit_code == 0 and other.title in result.output and own.title in result.output


def test_an_instalment_sheet_imports_into_the_schedules_all_or_nothing(grant, create_organisation):
    from fundtrack.importing import ImportRefused, run_import
    from fundtrack.instalments.transfer import IMPORTER

    application = grant(300_000, terms={"kind": "percent", "percent_bp": 1000, "trigger": "money_received"})
    [proposed] = services.schedule(application)
    sheet = (
        "Ansøgning;Organisation;Planlagt dato;Planlagt beløb;Betingelse;Modtaget dato;Modtaget beløb\n"
        f"{application.title};{application.organisation.name};1. juni 2027;100.000 kr.;Efter delrapporten;;\n"
        f"{application.title};{application.organisation.name};1. december 2026;50.000;;3. december 2026;50.000\n"
    )
    bad = sheet + f"Findes ikke;{application.organisation.name};1. juni 2027;1.000;;;\n"
    with pytest.raises(ImportRefused) as refused:
        run_import(IMPORTER, bad.encode(), "rater.csv", actor=None, now=NOW)
    assert [(e.row, e.column) for e in refused.value.preview.errors] == [(4, "Ansøgning")]
    assert services.schedule(application) == [proposed]
    assert run_import(IMPORTER, sheet.encode(), "rater.csv", actor=None, now=NOW) == 2
    plan = [(i.planned_on.isoformat(), i.planned_ore // KR, i.condition, i.received_on) for i in services.schedule(application)]
    assert plan == [
        ("2026-11-20", 300_000, "", None),
        ("2026-12-01", 50_000, "", dt.date(2026, 12, 3)),
        ("2027-06-01", 100_000, "Efter delrapporten", None),
    ]
    agreement = FeeAgreement.get(FeeAgreement.application == application)
    assert (agreement.status, agreement.amount_ore) == ("due", 5_000 * KR)  # 10 % of the 50.000 kr. received


def test_the_instalments_export_reads_back_as_changes(grant, client, login_as):
    from fundtrack.importing import run_import
    from fundtrack.instalments.transfer import IMPORTER

    application = grant(300_000)
    login_as("fundraiser")
    exported = client.get("/instalments/export.csv").get_data().decode("utf-8-sig")
    changed = exported.replace(";300000;", ";250000;").replace(";300000.0;", ";250000;")
    assert run_import(IMPORTER, changed.encode(), "rater.csv", actor=None, now=NOW) == 1
    [instalment] = services.schedule(application)
    assert instalment.planned_ore == 250_000 * KR
