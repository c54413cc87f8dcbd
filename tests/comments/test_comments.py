"""Comments with @mentions: the person is told in the app (the header's badge, the notifications page) and
by e-mail through the outbox; reading a notification marks it read; a member reads only its own
organisation's comments and cannot reach another's with a mention."""

import re

import pytest
from markupsafe import escape

from fundtrack.alerts import jobs
from fundtrack.alerts.models import Alert
from fundtrack.comments import services
from fundtrack.comments.models import Comment
from tests.alerts.conftest import SMTPServer
from tests.conftest import NOW, csrf_token, login


@pytest.fixture
def world(create_organisation, create_user, create_application, create_funder):
    kornet, haven = create_organisation("Café Kornet"), create_organisation("Naturhaven")
    return {
        "kornet": kornet,
        "application": create_application(organisation=kornet, title="Køkkenskolen"),
        "funder": create_funder("Velux Fonden"),
        "mette": create_user("fundraiser", email="mette@kommune.example.dk", name="Mette Holm", language="en"),
        "jonas": create_user(
            "member", organisation=kornet, email="jonas@cafekornet.example.dk", name="Jonas Berg", language="en"
        ),
        "ida": create_user("member", organisation=haven, email="ida@naturhaven.example.dk", name="Ida Lund", language="en"),
    }


def comment(client, path, body, token_from="/"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), "body": body})


def test_mentions_are_found_by_handle_or_unique_first_name(world):
    people = [world["mette"], world["jonas"], world["ida"]]
    found, unknown = services.find_mentions("Hej @mette og @Jonas, se @nobody. mail@example.dk er ikke en", people)
    assert found == [world["mette"], world["jonas"]] and unknown == ["nobody"]


def test_a_mention_notifies_in_the_app_and_by_e_mail(client, make_app, world):
    smtp = SMTPServer()
    smtp.start()
    try:
        app = make_app(
            mail={"host": "127.0.0.1", "port": smtp.port, "timeout_seconds": 2.0}, app={"base_url": "http://fundtrack.example.dk"}
        )
        client = app.test_client()
        application = world["application"]
        login(client, world["jonas"])
        response = comment(client, f"/comments/applications/{application.id}", "@mette kan du læse budgettet?")
        assert response.status_code == 302
        saved = Comment.get()
        assert saved.mentioned == [world["mette"].id] and saved.author_name == "Jonas Berg"
        page = client.get(f"/applications/{application.id}").get_data(as_text=True)
        assert '<span class="mention">@mette</span> kan du læse budgettet?' in page
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

        login(client, world["mette"])
        header = client.get("/").get_data(as_text=True)
        assert re.search(r'class="notifications-link"[^>]*>🔔 <span class="count">1</span>', header)
        alert = Alert.get(Alert.kind == "mention")
        listed = client.get("/alerts/").get_data(as_text=True)
        assert "You are mentioned in a comment" in listed and "Unread" in listed
        opened = client.post(f"/alerts/{alert.id}/open", data={"csrf_token": csrf_token(client, "/alerts/")})
        assert opened.status_code == 302 and opened.location == f"/applications/{application.id}#comment-{saved.id}"
        assert Alert.get_by_id(alert.id).read_at is not None
        assert not re.search(r'class="notifications-link"[^>]*>🔔 <span', client.get("/").get_data(as_text=True))

        with app.app_context():
            report = jobs.run(today=NOW.date(), now=NOW)
        assert report.sent == ["mette@kommune.example.dk: Jonas Berg mentioned you in fundtrack"]
        ((recipient, message),) = smtp.inbox.messages
        body = message.get_body(("plain",)).get_content()
        assert (
            "@mette kan du læse budgettet?" in body
            and f"http://fundtrack.example.dk/applications/{application.id}#comment-{saved.id}" in body
        )
        with app.app_context():
            assert jobs.run(today=NOW.date(), now=NOW).sent == []  # once
    finally:
        smtp.stop()


def test_a_member_cannot_reach_or_read_another_organisations_conversation(client, world):
    application = world["application"]
    login(client, world["mette"])
    response = comment(client, f"/comments/applications/{application.id}", "@ida og @jonas: se her")
    assert response.status_code == 302
    saved = Comment.get()
    assert saved.mentioned == [world["jonas"].id]  # Ida may not read Café Kornet's application
    assert "nobody who may read it is called @ida" in client.get(response.location).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["ida"])
    assert comment(client, f"/comments/applications/{application.id}", "hej").status_code == 404
    removal = {"csrf_token": csrf_token(client, "/"), "confirmed": "1"}
    assert client.post(f"/comments/{saved.id}/delete", data=removal).status_code == 404
    assert not Alert.select().where(Alert.user == world["ida"].id).exists()
    other = Alert.get(Alert.user == world["jonas"].id)
    assert client.post(f"/alerts/{other.id}/open", data={"csrf_token": csrf_token(client, "/")}).status_code == 404


def test_an_empty_comment_is_refused_and_a_funders_comments_are_the_staffs(client, world):
    login(client, world["mette"])
    funder = world["funder"]
    refused = comment(client, f"/comments/funders/{funder.id}", "   ")
    assert refused.status_code == 400 and Comment.select().count() == 0
    long = "Et langt referat fra mødet. " * 200  # longer than a comment may be
    refused = comment(client, f"/comments/funders/{funder.id}", long)
    assert refused.status_code == 400 and Comment.select().count() == 0
    assert escape(long) in refused.get_data(as_text=True)  # what was typed comes back whole, in the form
    assert comment(client, f"/comments/funders/{funder.id}", "Ring efter 1. marts").status_code == 302
    assert "Ring efter 1. marts" in client.get(f"/funders/{funder.id}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["jonas"])
    assert "Ring efter 1. marts" not in client.get(f"/funders/{funder.id}").get_data(as_text=True)
    assert comment(client, f"/comments/funders/{funder.id}", "x").status_code == 403


def test_only_the_author_or_a_fundraiser_removes_a_comment(client, world, create_user):
    organisation = world["kornet"]
    colleague = create_user("member", organisation=organisation)
    login(client, world["jonas"])
    comment(client, f"/comments/organisations/{organisation.id}", "Vores tekst")
    saved = Comment.get()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, colleague)
    client.post(f"/comments/{saved.id}/delete", data={"csrf_token": csrf_token(client, "/"), "confirmed": "1"})
    assert Comment.get_by_id(saved.id).removed_at is None
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["jonas"])
    client.post(f"/comments/{saved.id}/delete", data={"csrf_token": csrf_token(client, "/"), "confirmed": "1"})
    assert Comment.get_by_id(saved.id).removed_at is not None
