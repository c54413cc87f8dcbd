"""Fetching and ingesting feeds served by a local HTTP server: formats, safety, identity, changes, failures."""

import datetime as dt
import time

import pytest

from fundtrack.config import FeedSettings
from fundtrack.feeds import services
from fundtrack.feeds.models import Call, CallChange, CallDeadline, CallMatch, FeedSource
from tests.conftest import NOW

LOCAL = FeedSettings(allow_private_networks=True, timeout_seconds=1.0, max_bytes=100_000, max_redirects=3)


def fetch(url, settings=LOCAL, now=NOW, name="Kilde"):
    source = FeedSource.get_or_none(FeedSource.url == url) or services.add_source(
        {"url": url, "name": name}, settings=settings, now=now
    )
    return services.fetch_source(source, settings, now=now, user_agent="fundtrack-tests")


def deadlines_of(title):
    call = Call.get(Call.title == title)
    return [d.due_on.isoformat() for d in call.deadlines.order_by(CallDeadline.due_on)]


def test_rss2(app, feed_server):
    report = fetch(f"{feed_server.base}/rss2.xml")
    assert (report.new, report.updated, report.unchanged, report.error) == (4, 0, 0, None)
    assert deadlines_of("Pulje til grøn omstilling i lokalsamfund") == ["2027-03-01"]
    kitchens = Call.get(Call.title == "Community Kitchens Fund")
    deadline = kitchens.deadlines.get()
    assert (deadline.due_at.isoformat(), deadline.timezone) == ("2027-10-06T15:00:00+00:00", "Europe/London")
    assert Call.get(Call.title == "Veteraner i naturen").rolling
    unknown = Call.get(Call.title == "Frivillighedspuljen")
    assert not unknown.rolling and unknown.deadlines.count() == 0
    assert Call.get(Call.title == "Pulje til grøn omstilling i lokalsamfund").funder_name == "Den Grønne Omstillingsfond"


def test_rss1(app, feed_server):
    report = fetch(f"{feed_server.base}/rss1.xml")
    assert report.new == 2
    assert deadlines_of("Landdistriktspuljen 2027") == ["2027-09-15"]
    assert deadlines_of("Reparation og genbrug") == ["2027-08-07"]


def test_atom_with_a_structured_deadline_field(app, feed_server):
    report = fetch(f"{feed_server.base}/atom.xml")
    assert report.new == 3
    partnership = Call.get(Call.title == "Social economy partnerships").deadlines.get()
    assert (partnership.due_on, partnership.due_at.isoformat()) == (dt.date(2027, 5, 1), "2027-05-01T15:00:00+00:00")
    assert deadlines_of("Youth employment pilots") == ["2027-06-30", "2028-01-22"]
    # Year-less: resolved from the entry's date (12 Nov 2026) to the next 18 October.
    assert deadlines_of("Ansøgningsrunde for unge iværksættere") == ["2027-10-18"]


def test_a_web_page_served_as_a_feed_is_an_error(app, feed_server):
    report = fetch(f"{feed_server.base}/page.html")
    assert report.error["message"] == "The address returned a web page, not a feed."
    source = FeedSource.get()
    assert source.consecutive_failures == 1 and source.last_error == report.error
    assert Call.select().count() == 0


def test_a_bare_ampersand_in_a_link_still_yields_the_entry(app, feed_server):
    report = fetch(f"{feed_server.base}/bare_ampersand.xml")
    assert report.new == 1 and report.warning is not None
    call = Call.get()
    assert call.link == "https://amp.example.dk/opslag?id=5&type=pulje"
    assert deadlines_of(call.title) == ["2027-04-15"]


def test_billion_laughs_is_harmless(app, feed_server):
    started = time.monotonic()
    report = fetch(f"{feed_server.base}/billion_laughs.xml")
    assert time.monotonic() - started < 2
    assert report.error is None and report.new == 1
    call = Call.get()
    assert len(call.title) < 100 and "lollol" not in call.title
    assert report.warning["message"].startswith("The feed declared XML entities")


def test_external_entities_are_never_read(app, feed_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    feed_server.xxe_path = str(secret)
    report = fetch(f"{feed_server.base}/xxe.xml")
    assert report.error is None and report.new == 1
    call = Call.get()
    assert "TOP-SECRET-MARKER" not in call.summary + call.summary_text + call.title


def test_windows_1252_declared_as_utf8(app, feed_server):
    report = fetch(f"{feed_server.base}/cp1252_declared_utf8.xml")
    assert report.new == 1 and report.warning is not None
    call = Call.get()
    assert call.title == "Støtte til grønne fællesskaber i Slagelse"
    assert "ålegræs" in call.summary_text
    assert deadlines_of(call.title) == ["2027-03-01"]


def test_changing_session_tokens_in_links_keep_one_record(app, feed_server):
    url = f"{feed_server.base}/session.xml"
    assert fetch(url).new == 1
    second = fetch(url, now=NOW + dt.timedelta(hours=6))
    assert (second.new, second.updated, second.unchanged) == (0, 0, 1)  # only the token in the link changed
    assert CallChange.select().count() == 0 and "sid=" in Call.get().link  # kept as the feed gives it, unrecorded
    third = fetch(url, now=NOW + dt.timedelta(hours=12))
    assert third.new == 0
    assert Call.select().count() == 1


def test_relative_links_and_permalink_guids_are_made_absolute_against_the_feeds_address(app, feed_server):
    url = f"{feed_server.base}/feeds/relative.xml"
    assert fetch(url).new == 2
    linked, permalink = Call.get(Call.title == "Med link"), Call.get(Call.title == "Med permalink")
    assert linked.link == f"{feed_server.base}/puljer/1?utm_source=rss"
    assert linked.link_key == f"{feed_server.base}/puljer/1"
    assert permalink.link == f"{feed_server.base}/feeds/puljer/2"
    again = fetch(url, now=NOW + dt.timedelta(hours=6))
    assert (again.new, again.unchanged) == (0, 2)


def test_refetching_never_duplicates_and_unchanged_is_unchanged(app, feed_server):
    url = f"{feed_server.base}/rss2.xml"
    fetch(url)
    again = fetch(url, now=NOW + dt.timedelta(hours=6))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    assert Call.select().count() == 4


def test_an_updated_entry_with_a_moved_deadline(app, feed_server):
    url = f"{feed_server.base}/updated.xml"
    fetch(url)
    assert deadlines_of("Puljen der flytter frist") == ["2027-03-01"]
    feed_server.deadline_text = "15. marts 2027"
    report = fetch(url, now=NOW + dt.timedelta(hours=6))
    assert (report.new, report.updated) == (0, 1)
    assert deadlines_of("Puljen der flytter frist") == ["2027-03-15"]
    change = CallChange.get(CallChange.field == "deadlines")
    assert (change.old, change.new) == ("2027-03-01", "2027-03-15")
    assert Call.select().count() == 1


def test_a_dismissed_call_stays_dismissed_after_an_update(app, feed_server):
    url = f"{feed_server.base}/updated.xml"
    fetch(url)
    services.set_status(Call.get(), "dismissed", actor=None, now=NOW)
    feed_server.deadline_text = "15. marts 2027"
    fetch(url, now=NOW + dt.timedelta(hours=6))
    assert Call.get().status == "dismissed"


def test_conditional_get_answers_304_and_parses_nothing(app, feed_server):
    url = f"{feed_server.base}/etag.xml"
    fetch(url)
    report = fetch(url, now=NOW + dt.timedelta(hours=6))
    assert report.not_modified and report.new == 0 and report.unchanged == 4
    assert FeedSource.get().etag == '"v1"'


def test_a_redirect_chain_is_followed_and_the_final_address_recorded(app, feed_server):
    report = fetch(f"{feed_server.base}/r1")
    assert report.new == 4
    assert FeedSource.get().final_url == f"{feed_server.base}/rss2.xml"
    loop = fetch(f"{feed_server.base}/loop")
    assert loop.error["message"].startswith("Too many redirects")


def test_a_timeout(app, feed_server):
    started = time.monotonic()
    report = fetch(f"{feed_server.base}/slow")
    assert time.monotonic() - started < 2.5
    assert report.error["message"] == "Timed out after %(seconds)d s."


def test_an_oversized_response_and_a_compression_bomb(app, feed_server):
    assert fetch(f"{feed_server.base}/big").error["message"].startswith("The feed is larger than")
    assert fetch(f"{feed_server.base}/bomb").error["message"].startswith("The feed is larger than")
    assert fetch(f"{feed_server.base}/gzip.xml").new == 4


def test_404_in_plain_words(app, feed_server):
    report = fetch(f"{feed_server.base}/nowhere.xml")
    assert (report.error["message"] % report.error["params"]) == "The server answered 404 Not Found."


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/feed.xml",
        "http://10.1.2.3/feed.xml",
        "http://169.254.169.254/latest",
        "http://[::1]/feed.xml",
        "http://localhost/feed.xml",
    ],
)
def test_private_addresses_are_refused_unless_allowed(app, url):
    report = fetch(url, settings=FeedSettings(timeout_seconds=1.0))
    assert "private or local network" in report.error["message"]


def test_one_failing_source_never_stops_the_others(app, feed_server):
    for path in ("page.html", "rss2.xml", "nowhere.xml", "rss1.xml"):
        services.add_source({"url": f"{feed_server.base}/{path}"}, settings=LOCAL, now=NOW)
    reports = services.fetch_all(LOCAL, now=NOW, user_agent="tests")
    assert [r.failed for r in reports] == [True, False, True, False]
    assert Call.select().count() == 6


def test_failing_sources_back_off_and_recover(app, feed_server):
    url = f"{feed_server.base}/updated.xml"
    source = services.add_source({"url": f"{feed_server.base}/nowhere.xml", "interval_minutes": 60}, settings=LOCAL, now=NOW)
    services.fetch_source(source, LOCAL, now=NOW, user_agent="t")
    services.fetch_source(source, LOCAL, now=NOW, user_agent="t")
    assert source.consecutive_failures == 2 and source.next_fetch_at == NOW + dt.timedelta(minutes=120)
    services.update_source(source, {"url": url}, settings=LOCAL, now=NOW)
    services.fetch_source(source, LOCAL, now=NOW, user_agent="t")
    assert source.consecutive_failures == 0 and source.last_error is None and source.last_success_at == NOW


def test_due_sources_only(app, feed_server):
    early = services.add_source({"url": f"{feed_server.base}/rss2.xml", "interval_minutes": 60}, settings=LOCAL, now=NOW)
    services.add_source({"url": f"{feed_server.base}/rss1.xml"}, settings=LOCAL, now=NOW + dt.timedelta(hours=1))
    reports = services.fetch_all(LOCAL, now=NOW, user_agent="t", only_due=True)
    assert [r.source.id for r in reports] == [early.id]
    assert services.fetch_all(LOCAL, now=NOW + dt.timedelta(minutes=30), user_agent="t", only_due=True) == []


def test_new_calls_are_passed_on_to_the_organisations_they_fit(app, feed_server, create_organisation):
    lab = create_organisation("Genbrugslab", interests="genbrug, cirkulær økonomi")
    garden = create_organisation("Naturhaven", keywords="veteraner")
    kitchen = create_organisation("Café Kornet", keywords="food, grøn omstilling", excluded_words="community")
    fetch(f"{feed_server.base}/rss2.xml")
    matched = {(m.call.title, m.organisation.name): m.reasons for m in CallMatch.select()}
    assert matched[("Pulje til grøn omstilling i lokalsamfund", "Genbrugslab")] == ["cirkulær økonomi", "genbrug"]
    assert matched[("Veteraner i naturen", "Naturhaven")] == ["veteraner"]
    assert ("Pulje til grøn omstilling i lokalsamfund", "Café Kornet") in matched
    assert ("Community Kitchens Fund", "Café Kornet") not in matched  # "community" keeps it away
    assert lab and garden and kitchen


def test_session_tokens_in_the_query_and_the_path_over_three_fetches(app, feed_server):
    url = f"{feed_server.base}/tokens.xml"
    first = fetch(url)
    assert first.new == 3
    second = fetch(url, now=NOW + dt.timedelta(hours=6))
    # The unknown "tok" changed while nothing else did: learnt as this source's session token.
    assert (second.new, second.updated, second.unchanged) == (0, 0, 3)
    assert FeedSource.get().volatile_parameters == ["tok"]
    third = fetch(url, now=NOW + dt.timedelta(hours=12))
    assert (third.new, third.updated, third.unchanged) == (0, 0, 3)
    assert Call.select().count() == 3 and CallChange.select().count() == 0
    assert sorted(c.link_key.split("/opslag/")[1] for c in Call.select()) == ["1?id=1", "2", "3?id=3"]


def test_one_call_from_three_sources(app, feed_server):
    from fundtrack.feeds.models import CallSource

    assert fetch(f"{feed_server.base}/database.xml", name="Fondsdatabasen").new == 1
    newsletter = fetch(f"{feed_server.base}/newsletter.xml", name="Nyhedsbrevet")
    assert (newsletter.new, newsletter.unchanged) == (0, 1)  # it links to the call, with tracking in the link
    portal = fetch(f"{feed_server.base}/portal.xml", name="Portalen")
    assert (portal.new, portal.unchanged) == (0, 1)  # another link, the same funder, title and deadline
    call = Call.get()
    assert call.title == "Grønne fællesskaber 2027"  # the text of the source that brought it first
    assert sorted(e.source.name for e in CallSource.select()) == ["Fondsdatabasen", "Nyhedsbrevet", "Portalen"]
    again = fetch(f"{feed_server.base}/newsletter.xml", now=NOW + dt.timedelta(hours=6))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1) and Call.select().count() == 1


@pytest.mark.parametrize(
    "path, date_order, expected",
    [
        ("/us.xml", "", ["2027-03-04"]),
        ("/gb.xml", "", ["2027-04-03"]),
        ("/nolang.xml", "", []),  # 3 April or 4 March: not guessed
        ("/nolang.xml", "mdy", ["2027-03-04"]),  # the fundraiser has marked the source as American
    ],
)
def test_numeric_dates_by_the_feeds_language_or_the_sources_setting(app, feed_server, path, date_order, expected):
    source = services.add_source({"url": feed_server.base + path, "date_order": date_order}, settings=LOCAL, now=NOW)
    services.fetch_source(source, LOCAL, now=NOW, user_agent="fundtrack-tests")
    assert deadlines_of("Small grants") == expected


def test_a_deadline_in_a_table_and_the_other_dates_beside_it(app, feed_server):
    fetch(f"{feed_server.base}/table.xml")
    call = Call.get()
    assert deadlines_of(call.title) == ["2027-01-15"]
    assert call.deadlines.get().found_in == "Ansøgningsfrist | 15. januar 2027"
    assert [(d["kind"], d["on"]) for d in call.other_dates] == [
        ("project", "2027-03-01"),
        ("project", "2028-12-31"),
        ("decision", "2027-04-01"),
    ]


def test_a_corrected_deadline_survives_fetches_until_the_feeds_own_text_changes(app, feed_server, create_user):
    fundraiser = create_user()
    url = f"{feed_server.base}/updated.xml"
    fetch(url)
    call = Call.get()
    services.correct_deadlines(
        call, [services.CorrectedDeadline(dt.date(2027, 3, 8), dt.time(12, 0))], rolling=False, actor=fundraiser, now=NOW
    )
    feed_server.deadline_text = "1. marts 2027. Læs mere om puljen."  # the text changes, the deadline words do not
    assert fetch(url, now=NOW + dt.timedelta(hours=6)).updated == 1
    call = Call.get()
    assert deadlines_of(call.title) == ["2027-03-08"] and not call.needs_review
    assert call.deadlines.get().due_at.isoformat() == "2027-03-08T11:00:00+00:00"
    feed_server.deadline_text = "15. marts 2027"
    fetch(url, now=NOW + dt.timedelta(hours=12))
    call = Call.get()
    assert deadlines_of(call.title) == ["2027-03-08"] and call.needs_review  # kept, and flagged for a look
    assert [d["due_on"] for d in call.feed_deadlines] == ["2027-03-15"]
    services.use_feed_deadlines(call, actor=fundraiser, now=NOW)
    call = Call.get()
    assert deadlines_of(call.title) == ["2027-03-15"] and not call.needs_review and call.deadlines_corrected_at is None
