"""Reminders against a real SMTP server on loopback, with a fixed clock."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from fundtrack.alerts import jobs, services
from fundtrack.alerts.models import Alert
from fundtrack.alerts.rules import AlertRuleError, load_rules
from fundtrack.applications.services import move_stage
from fundtrack.contacts.services import add_contact
from fundtrack.deadlines.services import add_deadline, complete_deadline, update_deadline
from tests.conftest import NOW

CPH = ZoneInfo("Europe/Copenhagen")
DUE = dt.date(2027, 3, 1)


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CPH).astimezone(dt.UTC)


def run(app, day, hour=8, **kwargs):
    with app.app_context():
        return jobs.run(today=day, now=at(day, hour), **kwargs)


@pytest.fixture
def people(mail_app, create_user, create_organisation, create_funder, create_application):
    cafe = create_organisation("Café Kornet")
    owner = create_user(role="fundraiser", email="mette@kommune.example.dk", name="Mette")
    colleague = create_user(role="fundraiser", email="lars@kommune.example.dk", name="Lars", language="en")
    member = create_user(role="member", organisation=cafe, email="jonas@cafekornet.example.dk", name="Jonas")
    add_contact(cafe, {"name": "Køkkenchef", "email": "kok@cafekornet.example.dk", "receives_alerts": True}, actor=None, now=NOW)
    add_contact(cafe, {"name": "Revisor", "email": "revisor@example.dk", "receives_alerts": False}, actor=None, now=NOW)
    funder = create_funder(name="Kornmod Fonden")
    application = create_application(
        organisation=cafe, funder=funder, title="Køkkenskolen", owner=owner, amount_requested_ore=250_000_00, stage="drafting"
    )
    deadline = add_deadline(application, "submission", DUE, now=NOW)
    return {
        "cafe": cafe,
        "owner": owner,
        "colleague": colleague,
        "member": member,
        "funder": funder,
        "application": application,
        "deadline": deadline,
    }


def test_the_shipped_rules_load():
    rules = load_rules()
    kinds = {kind for rule in rules for kind in rule.deadline_kinds}
    assert kinds == {
        "submission",
        "internal_draft",
        "decision_expected",
        "interim_report",
        "final_report",
        "custom",
        "instalment",
        "task",
    }


@pytest.mark.parametrize(
    "text, field",
    [
        ('[[rule]]\nname = "x"\ndeadline_kinds = ["submision"]\ndays_before = [7]\nrecipients = ["owner"]\n', "deadline_kinds"),
        ('[[rule]]\nname = "x"\ndeadline_kinds = ["submission"]\ndays_before = ["7"]\nrecipients = ["owner"]\n', "days_before"),
        ('[[rule]]\nname = "x"\ndeadline_kinds = ["submission"]\ndays_before = [7]\nrecipients = ["boss"]\n', "recipients"),
        ('[[rule]]\nname = "x"\ndeadline_kinds = ["submission"]\ndays_befor = [7]\nrecipients = ["owner"]\n', "days_befor"),
    ],
)
def test_a_bad_rule_file_stops_start_up_naming_file_rule_and_field(make_app, tmp_path, text, field):
    from fundtrack.config import ConfigError

    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlertRuleError, match=f"rule 'x', field '{field}'"):
        load_rules(path)
    with pytest.raises(ConfigError, match=str(path)):
        make_app(alerts={"rules_file": str(path)})


def test_the_right_mails_to_the_right_people_at_each_lead_time(mail_app, smtp, people):
    expected = {"mette@kommune.example.dk", "lars@kommune.example.dk", "jonas@cafekornet.example.dk", "kok@cafekornet.example.dk"}
    for days in (30, 14, 7, 2, 0):
        smtp.inbox.messages.clear()
        report = run(mail_app, DUE - dt.timedelta(days=days))
        assert {rcpt for rcpt, _ in smtp.inbox.messages} == expected, days
        assert len(report.sent) == 4
    danish = smtp.inbox.to("mette@kommune.example.dk")[0]
    assert str(danish["Subject"]) == "Ansøgningsfrist er i dag: Køkkenskolen"
    # Between the lead times nothing goes out.
    smtp.inbox.messages.clear()
    run(mail_app, DUE - dt.timedelta(days=10))
    assert smtp.inbox.messages == []


def test_a_second_run_sends_nothing(mail_app, smtp, people):
    run(mail_app, DUE - dt.timedelta(days=7))
    count = len(smtp.inbox.messages)
    report = run(mail_app, DUE - dt.timedelta(days=7), hour=9)
    assert len(smtp.inbox.messages) == count and report.sent == [] and report.planned == 0


def test_danish_and_english_mails_with_links(mail_app, smtp, people):
    run(mail_app, DUE - dt.timedelta(days=7))
    english = smtp.inbox.to("lars@kommune.example.dk")[0]
    assert str(english["Subject"]) == "Submission in 7 days: Køkkenskolen"
    text = english.get_body(("plain",)).get_content()
    html = english.get_body(("html",)).get_content()
    deadline_id = people["deadline"].id
    assert "http://fundtrack.kommune.example.dk/applications/" in text
    assert f"http://fundtrack.kommune.example.dk/calendars/deadline/{deadline_id}.ics" in html
    danish = smtp.inbox.to("jonas@cafekornet.example.dk")[0]
    assert str(danish["Subject"]) == "Ansøgningsfrist om 7 dage: Køkkenskolen"
    assert "1. marts 2027" in danish.get_body(("plain",)).get_content()


def test_smtp_down_then_up_delivers_every_pending_alert_once(mail_app, smtp, people):
    smtp.stop()
    day = DUE - dt.timedelta(days=7)
    report = run(mail_app, day)
    assert len(report.failed) == 4 and report.sent == []
    assert Alert.select().where(Alert.status == "pending", Alert.attempts == 1).count() == 4
    smtp.start()
    assert run(mail_app, day, hour=8).sent == []  # not before the retry time
    later = run(mail_app, day, hour=9)
    assert len(later.sent) == 4
    assert sorted(rcpt for rcpt, _ in smtp.inbox.messages) == sorted(set(rcpt for rcpt, _ in smtp.inbox.messages))
    assert run(mail_app, day, hour=10).sent == []
    assert len(smtp.inbox.messages) == 4


def test_a_process_killed_between_claiming_and_sending_is_recovered(mail_app, smtp, people):
    day = DUE - dt.timedelta(days=7)
    with mail_app.app_context():
        services.plan_deadline_alerts(load_rules(), today=day, now=at(day), digest_hour=7)
        claimed = services.claim(at(day))  # ... and the process dies here
    assert len(claimed) == 4
    assert run(mail_app, day, hour=8).sent == []  # the claim is not stale yet: nothing is sent twice
    recovered = run(mail_app, day, hour=9)
    assert len(recovered.sent) == 4 and len(smtp.inbox.messages) == 4
    assert Alert.select().where(Alert.status == "sent").count() == 4


def test_two_schedulers_started_together_deliver_each_alert_once(mail_app, smtp, people):
    day = DUE - dt.timedelta(days=7)
    errors = []

    def scheduler():
        try:
            from fundtrack.db import db

            with mail_app.app_context(), db.connection_context():
                jobs.run(today=day, now=at(day))
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] or all("locked" in str(e) for e in errors)
    run(mail_app, day, hour=9)  # whatever a locked run left is caught up, still once
    assert sorted(rcpt for rcpt, _ in smtp.inbox.messages) == sorted({rcpt for rcpt, _ in smtp.inbox.messages})
    assert len(smtp.inbox.messages) == 4


def test_only_one_scheduler_holds_the_lease(app):
    now = at(DUE)
    assert services.hold_lease("scheduler", "a", now=now, seconds=90)
    assert not services.hold_lease("scheduler", "b", now=now + dt.timedelta(seconds=30), seconds=90)
    assert services.hold_lease("scheduler", "a", now=now + dt.timedelta(seconds=30), seconds=90)
    # "a" died: after the lease runs out, "b" takes over.
    assert services.hold_lease("scheduler", "b", now=now + dt.timedelta(seconds=121), seconds=90)
    assert not services.hold_lease("scheduler", "a", now=now + dt.timedelta(seconds=130), seconds=90)


def test_a_moved_deadline_gets_fresh_alerts_for_its_new_date(mail_app, smtp, people):
    run(mail_app, DUE - dt.timedelta(days=7))
    assert len(smtp.inbox.messages) == 4
    new_due = DUE + dt.timedelta(days=14)
    moved_on = DUE - dt.timedelta(days=6)
    update_deadline(people["deadline"], kind="submission", due_on=new_due, now=at(moved_on))

    def subjects():
        found = {str(m["Subject"]) for _, m in smtp.inbox.messages}
        smtp.inbox.messages.clear()
        return found

    subjects()
    run(mail_app, moved_on, hour=9)  # the new date's 30-day reminder is due: sent now, late, counting real days
    assert subjects() == {"Ansøgningsfrist om 20 dage: Køkkenskolen", "Submission in 20 days: Køkkenskolen"}
    run(mail_app, DUE)  # the old date's day: its reminder is gone; the new date's 14-day reminder goes
    assert subjects() == {"Ansøgningsfrist om 14 dage: Køkkenskolen", "Submission in 14 days: Køkkenskolen"}
    run(mail_app, new_due - dt.timedelta(days=7))
    assert subjects() == {"Ansøgningsfrist om 7 dage: Køkkenskolen", "Submission in 7 days: Køkkenskolen"}


def test_pending_alerts_of_a_moved_deadline_are_skipped_not_sent(mail_app, smtp, people):
    day = DUE - dt.timedelta(days=7)
    smtp.stop()
    run(mail_app, day)
    smtp.start()
    update_deadline(people["deadline"], kind="submission", due_on=DUE + dt.timedelta(days=30), now=at(day))
    run(mail_app, day, hour=11)
    assert smtp.inbox.messages == []
    assert Alert.select().where((Alert.days == 7) & (Alert.status == "skipped")).count() == 4


def test_a_completed_deadline_gets_none(mail_app, smtp, people):
    complete_deadline(people["deadline"], actor=None, now=at(DUE - dt.timedelta(days=10)))
    run(mail_app, DUE - dt.timedelta(days=7))
    assert smtp.inbox.messages == [] and not Alert.select().exists()


def test_after_downtime_the_latest_useful_alert_goes_late_and_the_rest_are_skipped(mail_app, smtp, people):
    run(mail_app, DUE - dt.timedelta(days=5))  # the 7-day reminder was due two days ago
    assert len(smtp.inbox.messages) == 4
    # The 7-day reminder, sent two days late, says how many days are really left.
    assert {str(m["Subject"]) for _, m in smtp.inbox.messages} == {
        "Ansøgningsfrist om 5 dage: Køkkenskolen",
        "Submission in 5 days: Køkkenskolen",
    }
    late = smtp.inbox.to("mette@kommune.example.dk")[0].get_body(("plain",)).get_content()
    assert "sendt for sent" in late
    assert Alert.select().where(Alert.late).count() == 4
    assert Alert.select().where(Alert.status == "skipped").count() == 8  # the 30- and 14-day reminders


def test_reminders_for_a_deadline_that_has_passed_are_skipped(mail_app, smtp, people):
    run(mail_app, DUE + dt.timedelta(days=2))
    assert smtp.inbox.messages == []
    assert Alert.select().where(Alert.status == "skipped").count() == 20


def test_overdue_report_reminders(mail_app, smtp, people, create_user):
    from fundtrack.relationships.models import Relationship
    from fundtrack.relationships.services import set_stewardship

    application = people["application"]
    move_stage(application, "submitted", actor=people["owner"], now=at(DUE), override_reason="sendt i papirform")
    move_stage(application, "granted", actor=None, now=at(DUE), decided_on=DUE)
    from fundtrack.deadlines.models import Deadline

    final = Deadline.get(Deadline.application == application, Deadline.kind == "final_report")
    steward = create_user(role="fundraiser", email="steward@kommune.example.dk")
    set_stewardship(Relationship.get(), steward=steward, next_step="", next_step_on=None, notes="", now=at(DUE))
    smtp.inbox.messages.clear()
    run(mail_app, final.due_on + dt.timedelta(days=7))
    subjects = {str(m["Subject"]) for _, m in smtp.inbox.messages}
    assert subjects == {"Slutrapport er 7 dage forsinket: Køkkenskolen", "Final report is 7 days overdue: Køkkenskolen"}
    assert "steward@kommune.example.dk" in {rcpt for rcpt, _ in smtp.inbox.messages}


def test_a_digest_user_gets_one_mail_at_the_digest_hour(mail_app, smtp, people, create_application):
    from fundtrack.auth.services import set_reminder_preferences

    set_reminder_preferences(
        people["owner"], language="da", alert_mode="digest", opted_out=[], known_kinds={"submission"}, now=NOW
    )
    second = create_application(organisation=people["cafe"], funder=people["funder"], title="Suppekøkken", owner=people["owner"])
    add_deadline(second, "submission", DUE - dt.timedelta(days=5), now=at(DUE - dt.timedelta(days=40)))
    day = DUE - dt.timedelta(days=7)
    run(mail_app, day, hour=6)  # before the digest hour: planned, not sent
    assert smtp.inbox.to("mette@kommune.example.dk") == []
    run(mail_app, day, hour=7)
    mails = smtp.inbox.to("mette@kommune.example.dk")
    assert len(mails) == 1 and str(mails[0]["Subject"]) == "fundtrack: 2 påmindelser"
    body = mails[0].get_body(("plain",)).get_content()
    assert "Køkkenskolen" in body and "Suppekøkken" in body


def test_opting_out_of_a_kind(mail_app, smtp, people):
    from fundtrack.auth.services import set_reminder_preferences

    set_reminder_preferences(
        people["colleague"], language="en", alert_mode="immediate", opted_out=["submission"], known_kinds={"submission"}, now=NOW
    )
    run(mail_app, DUE - dt.timedelta(days=7))
    assert smtp.inbox.to("lars@kommune.example.dk") == []


def test_new_matched_calls_reach_the_organisation_as_a_digest(mail_app, smtp, people):
    from fundtrack.feeds.models import Call, CallDeadline, CallMatch

    for index in range(2):
        call = Call.create(title=f"Pulje {index} til køkkener", funder_name="Kornmod Fonden")
        CallDeadline.create(call=call, due_on=DUE)
        CallMatch.create(call=call, organisation=people["cafe"], reasons=["køkken"])
    day = DUE - dt.timedelta(days=40)
    run(mail_app, day)
    digests = [m for rcpt, m in smtp.inbox.messages if "opslag" in str(m["Subject"])]
    assert {rcpt for rcpt, m in smtp.inbox.messages if "opslag" in str(m["Subject"])} == {
        "jonas@cafekornet.example.dk",
        "kok@cafekornet.example.dk",
    }
    assert "Pulje 0 til køkkener" in digests[0].get_body(("plain",)).get_content()
    assert CallMatch.select().where(CallMatch.notified_at.is_null()).count() == 0
    smtp.inbox.messages.clear()
    run(mail_app, day, hour=12)
    assert smtp.inbox.messages == []


def test_the_in_app_list_shows_the_same_alerts(mail_app, smtp, people):
    from tests.conftest import login

    run(mail_app, DUE - dt.timedelta(days=7))
    client = mail_app.test_client()
    login(client, people["owner"])
    body = client.get("/alerts/").get_data(as_text=True)
    assert "Ansøgningsfrist om 7 dage" in body and "Køkkenskolen" in body
    assert client.get("/alerts/outbox").status_code == 200


def test_reminder_preferences_in_the_account_page(mail_app, people):
    from fundtrack.auth.models import User
    from tests.conftest import login, post

    client = mail_app.test_client()
    login(client, people["member"])
    response = post(
        client,
        "/alerts/preferences",
        {"language": "en", "alert_mode": "digest", "alert_opt_out": ["calls", "custom"]},
        token_from="/account",
    )
    assert response.status_code == 302
    member = User.get_by_id(people["member"].id)
    assert (member.language, member.alert_mode, member.alert_opt_out) == ("en", "digest", ["calls", "custom"])


def test_alerts_commands(mail_app, smtp, people):
    from fundtrack.cli import cli

    runner = mail_app.test_cli_runner()
    day = (DUE - dt.timedelta(days=7)).isoformat()
    dry = runner.invoke(cli, ["alerts", "run", "--today", day, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would send: mette@kommune.example.dk" in dry.output and smtp.inbox.messages == []
    smtp.stop()
    result = runner.invoke(cli, ["alerts", "run", "--today", day])
    assert "Failed (will be retried)" in result.output
    outbox = runner.invoke(cli, ["alerts", "outbox"])
    assert "4 waiting." in outbox.output and "last error" in outbox.output


def test_the_scheduler_has_every_job_and_acts_only_with_the_lease(mail_app):
    from fundtrack.scheduler import Runner, build

    scheduler = build(mail_app, blocking=False)
    every_job = {"lease", "feeds", "matching", "alerts", "reports", "statuses", "maintenance"}
    assert {job.id for job in scheduler.get_jobs()} == every_job
    ran = []
    first, second = Runner(mail_app), Runner(mail_app)
    first("test", lambda: ran.append("first"))
    second("test", lambda: ran.append("second"))
    assert ran == ["first"]
    first.release()
    second("test", lambda: ran.append("second"))
    assert ran == ["first", "second"]
