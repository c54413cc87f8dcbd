"""The sources page, the calls inbox, dismissing, converting, what members see, and the feeds commands."""

import json

import pytest

from fundtrack.applications.models import Application
from fundtrack.feeds import services
from fundtrack.feeds.models import Call, FeedSource
from tests.conftest import NOW, post
from tests.feeds.test_ingestion import LOCAL, fetch


@pytest.fixture
def local_feeds(make_app):
    """An app that may fetch from loopback (the test feed server)."""
    return make_app(feeds={"allow_private_networks": True, "timeout_seconds": 1.0})


def test_fundraiser_adds_a_source_and_fetches_it(local_feeds, feed_server, login_as):
    client = local_feeds.test_client()
    login_as_client(client, login_as)
    response = post(client, "/feeds/", {"url": f"{feed_server.base}/rss2.xml", "name": "Fondsdatabasen"}, token_from="/feeds/")
    assert response.status_code == 302
    source = FeedSource.get()
    response = post(client, f"/feeds/{source.id}/fetch", token_from="/feeds/", follow_redirects=True)
    assert "4 nye" in response.get_data(as_text=True)
    body = client.get("/feeds/").get_data(as_text=True)
    assert "Fondsdatabasen" in body and "OK" in body


def login_as_client(client, login_as):
    from tests.conftest import login

    user = login_as("fundraiser")
    login(client, user)
    return user


def test_bad_source_address_is_refused_keeping_the_input(client, login_as):
    login_as("fundraiser")
    response = post(client, "/feeds/", {"url": "ftp://fonde.example.dk/feed", "name": "Min kilde"}, token_from="/feeds/")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "http:// eller https://" in body and 'value="Min kilde"' in body


def test_failing_source_shows_its_error_in_plain_words(client, login_as, app, feed_server):
    fetch(f"{feed_server.base}/page.html")
    login_as("fundraiser")
    body = client.get("/feeds/").get_data(as_text=True)
    assert "Adressen returnerede en webside, ikke et feed." in body


def test_inbox_dismiss_and_relevant(client, login_as, app, feed_server):
    fetch(f"{feed_server.base}/rss2.xml")
    login_as("fundraiser")
    body = client.get("/calls/").get_data(as_text=True)
    assert "Community Kitchens Fund" in body and "Frist" in body
    call = Call.get(Call.title == "Community Kitchens Fund")
    post(client, f"/calls/{call.id}/status", {"status": "dismissed"}, token_from="/calls/")
    assert "Community Kitchens Fund" not in client.get("/calls/").get_data(as_text=True)
    assert "Community Kitchens Fund" in client.get("/calls/?status=dismissed").get_data(as_text=True)
    other = Call.get(Call.title == "Veteraner i naturen")
    post(client, f"/calls/{other.id}/status", {"status": "relevant"}, token_from="/calls/")
    assert Call.get_by_id(other.id).status == "relevant"
    assert "Veteraner i naturen" in client.get("/calls/?status=relevant").get_data(as_text=True)


def test_feed_html_is_sanitised_and_javascript_links_are_not_links(client, login_as, app, feed_server):
    fetch(f"{feed_server.base}/rss2.xml")
    login_as("fundraiser")
    call = Call.get(Call.title == "Pulje til grøn omstilling i lokalsamfund")
    body = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "javascript:" not in body
    assert "Klik her" in body


def test_feed_html_is_cleaned_when_shown_and_its_relative_links_point_at_the_call(client, login_as, feed_server):
    fetch(f"{feed_server.base}/table.xml")
    login_as("fundraiser")
    call = Call.get(Call.title == "Puljen i tabellen")
    assert "<script>" in call.summary  # kept as the feed sent it; cleaned on the way to every page
    body = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "alert(" not in body and "onerror" not in body
    assert f'href="{feed_server.base}/puljer/vejledning"' in body


def test_convert_to_application_with_funder_matched_by_name(
    client, login_as, app, feed_server, create_organisation, create_funder, frozen_clock
):
    frozen_clock.move_to("2026-11-22T09:00:00+00:00")  # before the call's deadline of 1 March 2027
    funder = create_funder(name="Den Grønne Omstillingsfond")
    lab = create_organisation("Genbrugslab")
    fetch(f"{feed_server.base}/rss2.xml")
    call = Call.get(Call.title == "Pulje til grøn omstilling i lokalsamfund")
    login_as("fundraiser")
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert f'<option selected value="{funder.id}">' in page or f'value="{funder.id}" selected' in page
    response = post(client, f"/calls/{call.id}/convert", {"organisation": lab.id, "funder": funder.id}, token_from="/")
    assert response.status_code == 302
    application = Application.get()
    assert (application.title, application.funder_id, application.organisation_id) == (call.title, funder.id, lab.id)
    deadline = application.deadlines.get()
    assert (deadline.kind, deadline.due_on.isoformat()) == ("submission", "2027-03-01")
    assert Call.get_by_id(call.id).status == "converted"


def test_convert_without_a_funder_asks_for_one(client, login_as, app, feed_server, create_organisation):
    lab = create_organisation("Genbrugslab")
    fetch(f"{feed_server.base}/rss2.xml")
    call = Call.get(Call.title == "Frivillighedspuljen")
    login_as("fundraiser")
    response = post(client, f"/calls/{call.id}/convert", {"organisation": lab.id, "funder": ""}, token_from="/")
    assert response.status_code == 400
    assert "Vælg fonden" in response.get_data(as_text=True)


def test_members_see_the_calls_matched_to_their_organisation(client, login_as, app, feed_server, create_organisation):
    lab = create_organisation("Genbrugslab", interests="genbrug")
    create_organisation("Naturhaven", keywords="veteraner")
    fetch(f"{feed_server.base}/rss2.xml")
    login_as("member", organisation=lab)
    body = client.get("/calls/").get_data(as_text=True)
    assert "Pulje til grøn omstilling" in body and "Veteraner i naturen" not in body
    hidden = Call.get(Call.title == "Veteraner i naturen")
    assert client.get(f"/calls/{hidden.id}").status_code == 404
    assert "Pulje til grøn omstilling" in client.get(f"/organisations/{lab.id}").get_data(as_text=True)
    records = json.loads(client.get("/calls/export.json").data)
    assert [r["title"] for r in records] == ["Pulje til grøn omstilling i lokalsamfund"]


def test_viewer_cannot_dismiss(client, login_as, app, feed_server):
    fetch(f"{feed_server.base}/rss2.xml")
    login_as("viewer")
    call = Call.get(Call.title == "Frivillighedspuljen")
    assert post(client, f"/calls/{call.id}/status", {"status": "dismissed"}, token_from="/calls/").status_code == 403
    assert client.get("/feeds/").status_code == 403


def test_feeds_commands(make_app, feed_server):
    from fundtrack.cli import cli

    app = make_app(feeds={"allow_private_networks": True, "timeout_seconds": 1.0})
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["feeds", "add", f"{feed_server.base}/rss2.xml", "--name", "Fondsdatabasen"])
    assert result.exit_code == 0, result.output
    runner.invoke(cli, ["feeds", "add", f"{feed_server.base}/page.html", "--name", "Websiden"])
    result = runner.invoke(cli, ["feeds", "fetch"])
    assert "✓ Fondsdatabasen: 4 new, 0 updated, 0 unchanged" in result.output
    assert "✗ Websiden: The address returned a web page, not a feed." in result.output
    assert "2 sources: 4 new, 0 updated, 0 unchanged, 1 failed." in result.output
    result = runner.invoke(cli, ["feeds", "list"])
    assert "failing" in result.output and "Fondsdatabasen" in result.output
    result = runner.invoke(cli, ["feeds", "fetch", "--source", str(FeedSource.get(FeedSource.name == "Fondsdatabasen").id)])
    assert "0 new, 0 updated, 4 unchanged" in result.output
    result = runner.invoke(cli, ["export", "calls", "--format", "json"])
    assert len(json.loads(result.stdout_bytes)) == 4
    assert services and LOCAL and NOW


def test_the_call_page_shows_why_and_the_fundraiser_corrects_its_deadline(
    client, login_as, app, feed_server, create_organisation
):
    fetch(f"{feed_server.base}/table.xml")
    call = Call.get()
    login_as("fundraiser")
    body = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "“Ansøgningsfrist | 15. januar 2027”" in body  # the phrase the deadline was read from
    assert "Andre datoer" in body and "Svar" in body and "Projektperiode" in body
    refused = post(
        client, f"/calls/{call.id}/deadlines", {"due_on_0": "31-12-9999", "at_0": "25:00"}, token_from=f"/calls/{call.id}"
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "31-12-9999" in body and "Angiv et klokkeslæt som 12:00." in body
    assert "Angiv en dato mellem 1990 og 2100." in body
    saved = post(
        client, f"/calls/{call.id}/deadlines", {"due_on_0": "22. januar 2027", "at_0": "12.00"}, token_from=f"/calls/{call.id}"
    )
    assert saved.status_code == 302
    body = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Rettet af" in body and "frister rettet" in body  # on the record, in the reader's language
    deadline = Call.get().deadlines.get()
    assert (deadline.due_on.isoformat(), deadline.due_at.isoformat()) == ("2027-01-22", "2027-01-22T11:00:00+00:00")


def test_only_the_fundraiser_corrects_deadlines(client, login_as, app, feed_server, create_organisation):
    fetch(f"{feed_server.base}/table.xml")
    call = Call.get()
    login_as("viewer")
    assert "Ret fristerne" not in client.get(f"/calls/{call.id}").get_data(as_text=True)
    response = post(client, f"/calls/{call.id}/deadlines", {"due_on_0": "22. januar 2027"}, token_from="/")
    assert response.status_code in (403, 404) and Call.get().deadlines_corrected_at is None
