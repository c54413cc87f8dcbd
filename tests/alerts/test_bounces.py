"""Mail that bounces: a permanent refusal (5xx) is not retried, shows on the outbox with its reason, marks the
contact's address and tells the fundraisers; a temporary one (4xx) is retried as before; a flush sends now."""

import datetime as dt

from fundtrack.alerts import services
from fundtrack.alerts.models import Alert
from fundtrack.contacts.models import Contact
from tests.alerts.conftest import Inbox
from tests.alerts.test_alerts import DUE, at, people, run  # noqa: F401  (the people fixture)
from tests.conftest import login, post


class Refusing(Inbox):
    """The inbox of a server that answers some recipients with a refusal of its own."""

    def __init__(self, answers: dict[str, str]):
        super().__init__()
        self.answers = answers

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _refusing(smtp, answers):
    smtp.stop()
    smtp.inbox = Refusing(answers)
    smtp.start()


def test_a_permanent_refusal_is_kept_and_told_and_a_temporary_one_is_retried(mail_app, smtp, people, client):  # noqa: F811
    _refusing(
        smtp, {"kok@cafekornet.example.dk": "550 5.1.1 No such mailbox", "jonas@cafekornet.example.dk": "451 4.3.0 Try later"}
    )
    week_before = DUE - dt.timedelta(days=7)
    report = run(mail_app, week_before)
    refused = Alert.get(Alert.email == "kok@cafekornet.example.dk", Alert.kind == "deadline", Alert.days == 7)
    waiting = Alert.get(Alert.email == "jonas@cafekornet.example.dk", Alert.kind == "deadline", Alert.days == 7)
    assert (refused.status, waiting.status) == ("failed", "pending")
    assert "550" in refused.last_error and "451" in waiting.last_error and waiting.next_attempt_at is not None
    assert Contact.get(Contact.email == "kok@cafekornet.example.dk").bouncing_since is not None
    # Each fundraiser is told, in the app and by mail, in the same run.
    notices = Alert.select().where(Alert.kind == "bounce")
    assert sorted(a.email for a in notices) == ["lars@kommune.example.dk", "mette@kommune.example.dk"]
    told = smtp.inbox.to("mette@kommune.example.dk")
    assert any("kok@cafekornet.example.dk" in str(m["Subject"]) for m in told)
    assert len(report.failed) == 2

    later = run(mail_app, week_before, hour=12)  # the temporary one is tried again, the permanent one not
    assert Alert.get_by_id(refused.id).attempts == 1 and Alert.get_by_id(waiting.id).attempts == 2
    assert all("kok@" not in line for line in later.failed)
    two_days_before = DUE - dt.timedelta(days=2)
    run(mail_app, two_days_before)
    planned = {a.email for a in Alert.select().where(Alert.kind == "deadline", Alert.days == 2)}
    assert "kok@cafekornet.example.dk" not in planned  # a bouncing address is not planned again

    # The fundraiser sees the refusal with its reason (and the contact is marked), then tries again.
    login(client, people["owner"])
    assert "adresse afvist" in client.get(f"/organisations/{people['cafe'].id}").get_data(as_text=True)
    page = client.get("/alerts/outbox").get_data(as_text=True)
    assert "No such mailbox" in page and "Afvist for altid" in page
    _refusing(smtp, {})
    services.retry(Alert.get_by_id(refused.id), at(two_days_before, 9))  # what the outbox's "Try again" does
    run(mail_app, two_days_before, hour=9)
    assert Alert.get_by_id(refused.id).status == "sent" and smtp.inbox.to("kok@cafekornet.example.dk")
    answer = post(client, f"/alerts/outbox/{waiting.id}/retry", {}, token_from="/alerts/outbox")
    assert answer.status_code == 302  # and the button itself answers


def test_flush_sends_everything_waiting_now(mail_app, smtp, people):  # noqa: F811
    from tests.conftest import _Runner

    runner = _Runner(mail_app)
    smtp.stop()
    run(mail_app, DUE - dt.timedelta(days=7))
    assert Alert.select().where(Alert.status == "pending").count() == 4
    smtp.start()
    result = runner.invoke(["alerts", "flush"])
    assert result.exit_code == 0, result.output
    assert "4 sent" in result.output and len(smtp.inbox.messages) == 4
