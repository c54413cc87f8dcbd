"""A run that froze past its claim and woke up sends nothing twice: its claim is a fencing token, checked
before each message and in the statement that marks it."""

import datetime as dt

from fundtrack.alerts import jobs, services
from fundtrack.alerts.models import Alert
from fundtrack.alerts.rules import load_rules
from tests.alerts.test_alerts import DUE, at, people, run  # noqa: F401  (the people fixture)


def test_a_run_that_lost_its_claim_sends_nothing_and_changes_nothing(mail_app, smtp, people):  # noqa: F811
    day = DUE - dt.timedelta(days=7)
    with mail_app.app_context():
        services.plan_deadline_alerts(load_rules(), today=day, now=at(day), digest_hour=7)
        frozen = services.claim(at(day))  # this run stops here (SIGSTOP) ...
    assert len(frozen) == 4
    woken = run(mail_app, day, hour=9)  # ... another takes the stale claims over and sends
    assert len(woken.sent) == 4 and len(smtp.inbox.messages) == 4
    with mail_app.app_context():  # ... and the frozen run wakes up and goes on with what it had claimed
        report = jobs.RunReport()
        jobs.deliver([[alert] for alert in frozen], report, at(day, 9), day)
        services.mark_failed(frozen, "late", at(day, 9), dt.timedelta(minutes=5))
    assert report.sent == [] and len(smtp.inbox.messages) == 4  # nothing twice
    assert Alert.select().where(Alert.status == "sent").count() == 4  # and nothing put back to pending
