"""The committee's overview sent by itself: on its day, once per period and recipient, with the PDF as sent."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from fundtrack.alerts import jobs
from fundtrack.alerts.models import Alert
from fundtrack.db import db
from fundtrack.periods import current_period
from fundtrack.reports import schedules
from fundtrack.reports.models import ReportSchedule, ReportVersion
from tests.alerts.conftest import mail_app, smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.conftest import NOW, post
from tests.reports.conftest import worked  # noqa: F401  (the hand-worked fixture)

pytest.importorskip("weasyprint", reason="pip install 'fundtrack[pdf]' (and Debian's Pango) for the server's PDF")

CPH = dt.timezone(dt.timedelta(hours=1))  # Copenhagen in winter


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=CPH).astimezone(dt.UTC)


def _run(app, frozen_clock, day: dt.date):
    """What the scheduler does on `day`: plan the reports that are due, then send the outbox."""
    frozen_clock.move_to(_at(day))
    with app.app_context():
        planned = schedules.send_due(now=_at(day))
        jobs.run(today=day, now=_at(day))
    db.connect(reuse_if_open=True)  # the app context closed the test's connection
    return planned


@pytest.fixture
def quarterly(worked, create_user):  # noqa: F811
    create_user(role="viewer", email="udvalg@kommune.example.dk", name="Udvalget")
    retired = create_user(role="viewer", email="chef@kommune.example.dk", name="Chefen")
    retired.active = False
    retired.save()
    return ReportSchedule.create(
        name="Udvalget, hvert kvartal",
        period_kind="Q",
        days_after=10,
        to_viewers=True,
        addresses=["arsrapport@kommune.example.dk", "UDVALG@kommune.example.dk"],
        language="da",
        created_at=_at(dt.date(2026, 12, 1)),
    )


def test_the_q4_report_goes_out_in_january_once_per_recipient_with_its_pdf(mail_app, smtp, quarterly, frozen_clock):  # noqa: F811
    assert _run(mail_app, frozen_clock, dt.date(2027, 1, 9)) == 0 and smtp.inbox.messages == []  # not yet
    assert _run(mail_app, frozen_clock, dt.date(2027, 1, 10)) == 2  # the active viewer and one more address
    assert sorted(rcpt for rcpt, _ in smtp.inbox.messages) == ["arsrapport@kommune.example.dk", "udvalg@kommune.example.dk"]
    message = smtp.inbox.to("udvalg@kommune.example.dk")[0]
    assert str(message["Subject"]) == "Fundingoversigt 4. kvartal 2026"
    assert "http://fundtrack.kommune.example.dk/reports/2026-Q4" in message.get_body(("plain",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    assert "Fundingoversigt 4. kvartal 2026" in pdf.pages[0].extract_text()
    assert "10.000,05 kr." in "\n".join(page.extract_text() for page in pdf.pages)  # reclaimed on 5 October
    assert f"2 / {len(pdf.pages)}" in pdf.pages[1].extract_text()
    version = ReportVersion.get()
    assert (version.period, version.occasion, version.schedule_id) == ("2026-Q4", "sent", quarterly.id)
    assert attachment.get_content() == bytes(version.pdf)  # the PDF sent is the one kept

    for day in (dt.date(2027, 1, 10), dt.date(2027, 1, 11), dt.date(2027, 2, 1)):
        assert _run(mail_app, frozen_clock, day) == 0  # nothing twice
    assert len(smtp.inbox.messages) == 2 and ReportVersion.select().count() == 1
    assert Alert.select().where(Alert.kind == "report", Alert.status == "sent").count() == 2


def test_a_schedule_made_late_waits_for_the_next_period_unless_sent_now(mail_app, smtp, worked, frozen_clock, client, login_as):  # noqa: F811
    login_as("fundraiser")
    response = post(
        client,
        "/reports/schedules/",
        {"name": "Halvår", "period_kind": "H", "days_after": "5", "addresses": "byraad@kommune.example.dk", "language": "en"},
        token_from="/reports/schedules/",
    )
    assert response.status_code == 302
    schedule = ReportSchedule.get()
    assert (schedule.period_kind, schedule.days_after, schedule.addresses, schedule.to_viewers) == (
        "H",
        5,
        ["byraad@kommune.example.dk"],
        False,
    )
    last = current_period("H", NOW.date()).previous()  # the half-year that ended last
    page = client.get("/reports/schedules/").get_data(as_text=True)
    assert f'href="/reports/{last.code}"' in page.split("<tbody>")[1]  # the next one: ended, not yet sent
    with mail_app.app_context():
        assert schedules.due_period(schedule, NOW.date() + dt.timedelta(days=1)) is None  # its day came before
    sent = post(client, f"/reports/schedules/{schedule.id}/send", {}, token_from="/reports/schedules/")
    assert sent.status_code == 302
    version = ReportVersion.get()
    assert (version.period, version.language, version.recipients) == (last.code, "en", ["byraad@kommune.example.dk"])
    assert Alert.get(Alert.kind == "report").email == "byraad@kommune.example.dk"
    listed = client.get("/reports/schedules/").get_data(as_text=True).split("<tbody>")[1]
    following = last.following().code
    assert f'href="/reports/{following}"' in listed and f'href="/reports/{last.code}"' not in listed  # the next


def test_a_schedule_with_wrong_addresses_is_refused_and_keeps_what_was_typed(client, login_as):
    login_as("fundraiser")
    typed = "byraad@kommune.example.dk, ikke en adresse"
    response = post(
        client,
        "/reports/schedules/",
        {"name": "Kvartal", "period_kind": "Q", "days_after": "500", "addresses": typed, "language": "da"},
        token_from="/reports/schedules/",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Angiv et antal dage fra 0 til 120" in body
    assert "Dette er ikke e-mailadresser: ikke en adresse" in body and typed in body
    assert ReportSchedule.select().count() == 0


def test_the_committees_schedule_follows_the_configuration(make_app, smtp, worked, frozen_clock, client, login_as):  # noqa: F811
    committee = {"committee_period": "Q", "committee_to_viewers": False, "committee_addresses": ("udvalg@kommune.example.dk",)}
    mail = {"host": "127.0.0.1", "port": smtp.port, "sender": "fundtrack@kommune.example.dk", "timeout_seconds": 2.0}
    configured = make_app(mail=mail, app={"base_url": "http://fundtrack.kommune.example.dk"}, reports=committee)
    assert _run(configured, frozen_clock, dt.date(2027, 1, 10)) == 1
    schedule = ReportSchedule.get()
    assert (schedule.configured, schedule.period_kind, schedule.addresses) == (True, "Q", ["udvalg@kommune.example.dk"])
    assert [rcpt for rcpt, _ in smtp.inbox.messages] == ["udvalg@kommune.example.dk"]
    frozen_clock.move_to(_at(dt.date(2027, 1, 10)))
    login_as("fundraiser")
    page = client.get("/reports/schedules/").get_data(as_text=True)
    assert "fra konfigurationen" in page
    assert post(client, f"/reports/schedules/{schedule.id}/delete", {"confirmed": "1"}, token_from="/").status_code == 404
    stopped = make_app(mail=mail, app={"base_url": "http://fundtrack.kommune.example.dk"})
    _run(stopped, frozen_clock, dt.date(2027, 4, 10))
    assert not ReportSchedule.get_by_id(schedule.id).active  # the configuration no longer names it
    assert len(smtp.inbox.messages) == 1
