"""Tasks: templates per deadline kind, assignment to users and to contacts without a login, reminders
through the outbox with the link that ticks a task off, the personal calendar, and who sees which task."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from fundtrack import clock
from fundtrack.alerts import jobs
from fundtrack.alerts.models import Alert
from fundtrack.calendars import services as calendars
from fundtrack.contacts.services import add_contact
from fundtrack.deadlines.services import add_deadline, delete_deadline, update_deadline
from fundtrack.tasks import services
from fundtrack.tasks.models import Task, TaskTemplate
from fundtrack.validation import ValidationError
from tests.alerts.conftest import SMTPServer
from tests.conftest import NOW, csrf_token, login

CPH = ZoneInfo("Europe/Copenhagen")
DUE = (NOW + dt.timedelta(days=60)).date()


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CPH).astimezone(dt.UTC)


def send(client, path, data=None, token_from="/tasks/"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


@pytest.fixture
def kornet(create_organisation, create_user, create_application):
    cafe = create_organisation("Café Kornet")
    owner = create_user("fundraiser", email="mette@kommune.example.dk", name="Mette")
    chef = add_contact(cafe, {"name": "Køkkenchef Ida", "email": "ida@cafekornet.example.dk"}, actor=None, now=NOW)
    application = create_application(organisation=cafe, title="Køkkenskolen", owner=owner)
    return {"cafe": cafe, "owner": owner, "chef": chef, "application": application}


def test_a_new_deadline_gets_its_kinds_template_tasks_due_before_it(kornet):
    services.create_template(
        {"deadline_kind": "submission", "title": "Budget fra virksomheden", "days_before": 14, "assign_to": "contact"},
        actor=None,
        now=NOW,
    )
    services.create_template(
        {"deadline_kind": "submission", "title": "Tjeklisten er udfyldt", "days_before": 3, "assign_to": "owner"},
        actor=None,
        now=NOW,
    )
    services.create_template(
        {"deadline_kind": "final_report", "title": "Regnskab", "days_before": 14, "assign_to": "owner"}, actor=None, now=NOW
    )
    deadline = add_deadline(kornet["application"], "submission", DUE, actor=None, now=NOW)
    tasks = {t.title: t for t in Task.select().where(Task.deadline == deadline.id)}
    assert set(tasks) == {"Budget fra virksomheden", "Tjeklisten er udfyldt"}
    budget, checklist = tasks["Budget fra virksomheden"], tasks["Tjeklisten er udfyldt"]
    assert budget.due_on == DUE - dt.timedelta(days=14) and budget.contact_id == kornet["chef"].id and budget.assignee_id is None
    assert checklist.due_on == DUE - dt.timedelta(days=3) and checklist.assignee_id == kornet["owner"].id
    assert budget.organisation_id == kornet["cafe"].id

    services.complete_task(checklist, actor=None, now=NOW)
    update_deadline(deadline, kind="submission", due_on=DUE + dt.timedelta(days=10), title="", actor=None, now=NOW)
    assert Task.get_by_id(budget.id).due_on == DUE - dt.timedelta(days=4)  # still 14 days before
    assert Task.get_by_id(checklist.id).due_on == DUE - dt.timedelta(days=3)  # done: left as it was
    delete_deadline(deadline, actor=None, now=NOW)
    assert not Task.select().where(Task.id == budget.id).exists()
    assert Task.select().where(Task.id == checklist.id).exists()


def test_the_fundraiser_adds_the_suggested_templates_and_edits_them(client, login_as):
    login_as("fundraiser", language="en")
    page = client.get("/tasks/templates").get_data(as_text=True)
    assert "Suggested templates" in page and "Kommunal medunderskrift" in page
    send(client, "/tasks/templates/suggested", token_from="/tasks/templates")
    assert TaskTemplate.select().count() == len(services.SUGGESTED_TEMPLATES)
    send(client, "/tasks/templates/suggested", token_from="/tasks/templates")
    assert TaskTemplate.select().count() == len(services.SUGGESTED_TEMPLATES)  # not twice
    refused = send(
        client,
        "/tasks/templates",
        {"deadline_kind": "submission", "title": "Underskrift", "days_before": "-3"},
        "/tasks/templates",
    )
    assert refused.status_code == 400 and 'value="Underskrift"' in refused.get_data(as_text=True)
    added = send(
        client,
        "/tasks/templates",
        {"deadline_kind": "submission", "title": "Underskrift", "days_before": "5", "assign_to": "owner"},
        "/tasks/templates",
    )
    assert added.status_code == 302 and TaskTemplate.get(TaskTemplate.title == "Underskrift").days_before == 5


def test_a_task_assigned_to_a_contact_reaches_them_and_the_link_ticks_it_off(make_app, kornet):
    smtp = SMTPServer()
    smtp.start()
    try:
        app = make_app(
            mail={"host": "127.0.0.1", "port": smtp.port, "timeout_seconds": 2.0}, app={"base_url": "http://fundtrack.example.dk"}
        )
        due = DUE
        task = services.create_task(
            {"title": "Budget fra virksomheden", "due_on": due, "contact": kornet["chef"], "application": kornet["application"]},
            actor=kornet["owner"],
            now=NOW,
        )
        with app.app_context():
            early = jobs.run(today=due - dt.timedelta(days=5), now=at(due - dt.timedelta(days=5)))
            assert not [line for line in early.sent if "ida@" in line]
            report = jobs.run(today=due - dt.timedelta(days=2), now=at(due - dt.timedelta(days=2)))
            again = jobs.run(today=due - dt.timedelta(days=2), now=at(due - dt.timedelta(days=2), 9))
        assert [line for line in report.sent if line.startswith("ida@")] == [
            "ida@cafekornet.example.dk: Opgave om 2 dage: Budget fra virksomheden"
        ]
        assert not again.sent  # once
        ((recipient, message),) = [(r, m) for r, m in smtp.inbox.messages if r == "ida@cafekornet.example.dk"]
        body = message.get_body(("plain",)).get_content()
        link = re.search(r"http://fundtrack\.example\.dk(/tasks/done/\S+)", body).group(1)
        client = app.test_client()
        shown = client.get(link)
        assert shown.status_code == 200 and "Budget fra virksomheden" in shown.get_data(as_text=True)
        assert Task.get_by_id(task.id).done_at is None  # reading the link changes nothing
        done = client.post(link, data={"csrf_token": csrf_token(client, link)})
        assert done.status_code == 200
        task = Task.get_by_id(task.id)
        assert task.done_at is not None and task.done_by == "Køkkenchef Ida"
        assert client.get(link[:-3] + "xyz").status_code == 404
        with app.app_context():
            later = jobs.run(today=due, now=at(due))
        assert not [line for line in later.sent if line.startswith("ida@")]  # done: no more reminders
    finally:
        smtp.stop()


def test_a_task_done_before_its_reminder_goes_out_is_not_sent(make_app, kornet):
    app = make_app(mail={"host": "127.0.0.1", "port": 9, "timeout_seconds": 0.5})
    task = services.create_task({"title": "Ring til fonden", "due_on": DUE, "assignee": kornet["owner"]}, actor=None, now=NOW)
    with app.app_context():
        jobs.run(today=DUE, now=at(DUE))  # the mail server is down: the reminder waits in the outbox
    alert = Alert.get((Alert.kind == "task") & (Alert.days == 0))
    assert alert.status == "pending" and alert.payload == {"task": task.id} and alert.email == "mette@kommune.example.dk"
    services.complete_task(task, actor=None, now=NOW)
    from fundtrack.alerts import services as alert_services

    assert not alert_services.still_wanted(alert)


def test_tasks_are_in_the_assignees_personal_calendar(client, kornet):
    task = services.create_task({"title": "Send fotos", "due_on": DUE, "assignee": kornet["owner"]}, actor=None, now=NOW)
    _, token = calendars.issue(user=kornet["owner"], now=clock.now() - dt.timedelta(hours=1))
    body = client.get(f"/calendars/{token}.ics").get_data(as_text=True)
    assert f"UID:task-{task.id}@fundtrack" in body and "Opgave: Send fotos" in body
    assert f"DTSTART;VALUE=DATE:{DUE:%Y%m%d}" in body
    _, organisation_token = calendars.issue(organisation=kornet["cafe"], now=clock.now() - dt.timedelta(hours=1))
    assert "task-" not in client.get(f"/calendars/{organisation_token}.ics").get_data(as_text=True)
    services.complete_task(task, actor=None, now=NOW + dt.timedelta(minutes=5))
    body = client.get(f"/calendars/{token}.ics").get_data(as_text=True)
    assert "✓" in body


def test_tasks_are_ticked_off_from_the_list_and_the_application_page(client, kornet):
    login(client, kornet["owner"])
    application = kornet["application"]
    added = send(
        client,
        "/tasks/new",
        {
            "title": "Hent underskrift",
            "due_on": DUE.isoformat(),
            "assignee": f"contact:{kornet['chef'].id}",
            "application": application.id,
            "next": f"/applications/{application.id}#tasks",
        },
    )
    assert added.status_code == 302 and added.location.endswith(f"/applications/{application.id}#tasks")
    task = Task.get(Task.title == "Hent underskrift")
    assert task.contact_id == kornet["chef"].id and task.application_id == application.id
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Hent underskrift" in page and f"/tasks/{task.id}/complete" in page
    send(client, f"/tasks/{task.id}/complete", {"next": f"/applications/{application.id}#tasks"})
    assert Task.get_by_id(task.id).done_at is not None
    mine = services.create_task({"title": "Min opgave", "due_on": DUE, "assignee": kornet["owner"]}, actor=None, now=NOW)
    assert "Min opgave" in client.get("/tasks/").get_data(as_text=True)
    send(client, f"/tasks/{mine.id}/complete", {"next": "/tasks/"})
    assert f"/tasks/{mine.id}/complete" not in client.get("/tasks/").get_data(as_text=True)
    assert f"/tasks/{mine.id}/reopen" in client.get("/tasks/?show=done").get_data(as_text=True)


def test_a_refused_task_form_keeps_what_was_typed(client, kornet):
    login(client, kornet["owner"])
    response = send(client, "/tasks/new", {"title": "Skriv budget", "due_on": "31.02.2027", "notes": "Husk lønnen"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Skriv budget"' in html and "Husk lønnen" in html
    with pytest.raises(ValidationError):
        services.create_task({"title": "", "due_on": DUE}, actor=None, now=NOW)


def test_a_member_sees_its_organisations_tasks_and_its_own_only(client, kornet, create_organisation, create_user):
    haven = create_organisation("Haven")
    member = create_user("member", organisation=haven)
    theirs = services.create_task(
        {"title": "Kornets opgave", "due_on": DUE, "application": kornet["application"]}, actor=None, now=NOW
    )
    for_member = services.create_task({"title": "Til Haven", "due_on": DUE, "assignee": member}, actor=None, now=NOW)
    login(client, member)
    assert client.get(f"/tasks/{theirs.id}").status_code == 404
    assert send(client, f"/tasks/{theirs.id}/complete").status_code == 404
    assert client.get(f"/tasks/{for_member.id}").status_code == 200
    assert "Kornets opgave" not in client.get("/tasks/?show=open").get_data(as_text=True)
    # a member cannot attach a task to another organisation's application
    send(client, "/tasks/new", {"title": "Snyd", "due_on": DUE.isoformat(), "application": kornet["application"].id})
    sneaky = Task.get(Task.title == "Snyd")
    assert sneaky.application_id is None and sneaky.organisation_id == haven.id


def test_a_task_is_added_to_a_deadline_from_its_page(client, kornet):
    deadline = add_deadline(kornet["application"], "final_report", DUE, actor=None, now=NOW)
    login(client, kornet["owner"])
    page = client.get(f"/deadlines/{deadline.id}").get_data(as_text=True)
    assert f"/tasks/new?deadline={deadline.id}" in page.replace("&amp;", "&") or f"deadline={deadline.id}" in page
    response = send(client, "/tasks/new", {"title": "Saml tallene", "due_on": DUE.isoformat(), "deadline": deadline.id})
    assert response.status_code == 302
    task = Task.get(Task.title == "Saml tallene")
    assert task.deadline_id == deadline.id and task.organisation_id == kornet["cafe"].id
    assert "Saml tallene" in client.get(f"/deadlines/{deadline.id}").get_data(as_text=True)
