"""Served calendars, parsed back and checked against RFC 5545/7986 and the rules of the subscription."""

import datetime as dt
import re
from email.utils import format_datetime

import pytest
from icalendar import Calendar

from fundtrack import clock
from fundtrack.calendars import services
from fundtrack.calendars.models import Subscription
from fundtrack.deadlines.services import add_deadline, complete_deadline, delete_deadline, update_deadline
from tests.conftest import post

UTC = dt.UTC


@pytest.fixture(autouse=True)
def fresh_cache():
    services.cache.clear()
    yield
    services.cache.clear()


@pytest.fixture
def world(create_organisation, create_funder, create_application):
    today = clock.today()
    now = clock.now() - dt.timedelta(hours=1)
    cafe, garden = create_organisation("Café Kornet"), create_organisation("Naturhaven")
    funder = create_funder(name="Kornmod Fonden")
    school = create_application(organisation=cafe, funder=funder, title="Køkkenskolen", amount_requested_ore=250_000_00, now=now)
    other = create_application(organisation=garden, funder=funder, title="Sansehaven", now=now)
    deadlines = {
        "date": add_deadline(school, "submission", today + dt.timedelta(days=30), now=now),
        "timed": add_deadline(
            school,
            "internal_draft",
            today + dt.timedelta(days=20),
            now=now,
            due_at=dt.datetime.combine(today + dt.timedelta(days=20), dt.time(11, 0), tzinfo=UTC),
        ),
        "other": add_deadline(other, "submission", today + dt.timedelta(days=10), now=now),
    }
    return {
        "cafe": cafe,
        "garden": garden,
        "funder": funder,
        "school": school,
        "other": other,
        "now": now,
        "today": today,
        **deadlines,
    }


def issue(**kwargs):
    return services.issue(now=clock.now() - dt.timedelta(hours=1), **kwargs)


def get(client, token, **headers):
    return client.get(f"/calendars/{token}.ics", headers=headers)


def events(response):
    calendar = Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_calendar_properties_and_line_rules(client, world):
    _, token = issue(organisation=world["cafe"], name="Café Kornets frister")
    response = get(client, token)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "max-age" in response.headers["Cache-Control"]
    body = response.data
    assert b"\r\n" in body and body.count(b"\n") == body.count(b"\r\n")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    text = body.decode("utf-8")
    assert "METHOD:PUBLISH" in text
    assert "NAME:Café Kornets frister" in text and "X-WR-CALNAME:Café Kornets frister" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in text and "X-PUBLISHED-TTL:PT6H" in text
    Calendar.from_ical(body)


def test_all_day_events_have_an_exclusive_end(client, world):
    _, token = issue(organisation=world["cafe"])
    event = events(get(client, token))[f"deadline-{world['date'].id}@fundtrack"]
    assert "DTSTART;VALUE=DATE:" in event.to_ical().decode()
    assert event.decoded("DTSTART") == world["date"].due_on
    assert event.decoded("DTEND") == world["date"].due_on + dt.timedelta(days=1)


def test_timed_events_are_written_in_utc(client, world):
    _, token = issue(organisation=world["cafe"])
    event = events(get(client, token))[f"deadline-{world['timed'].id}@fundtrack"]
    assert re.search(r"DTSTART:\d{8}T110000Z", event.to_ical().decode())


def test_uid_stays_and_sequence_rises_when_a_deadline_moves(client, world):
    _, token = issue(organisation=world["cafe"])
    uid = f"deadline-{world['date'].id}@fundtrack"
    first = events(get(client, token))[uid]
    again = events(get(client, token))[uid]
    assert first["UID"] == again["UID"] and first["DTSTAMP"].to_ical() == again["DTSTAMP"].to_ical()
    assert first.get("SEQUENCE") == 0
    later = clock.now()
    update_deadline(world["date"], kind="submission", due_on=world["date"].due_on + dt.timedelta(days=7), now=later)
    moved = events(get(client, token))[uid]
    assert moved["UID"] == uid and moved.get("SEQUENCE") == 1
    assert moved.decoded("DTSTART") == world["date"].due_on
    assert moved.decoded("LAST-MODIFIED") == later.replace(microsecond=0)
    assert moved.decoded("DTSTAMP") == moved.decoded("LAST-MODIFIED")


def test_stamps_come_from_the_data_not_the_request(client, world):
    _, token = issue(organisation=world["cafe"])
    event = events(get(client, token))[f"deadline-{world['date'].id}@fundtrack"]
    # The latest change of anything the event shows: here the organisation, made after the deadline.
    shown = [world["date"].updated_at, world["school"].updated_at, world["cafe"].updated_at, world["funder"].updated_at]
    assert world["cafe"].updated_at > world["date"].updated_at
    assert event.decoded("DTSTAMP") == max(shown).replace(microsecond=0)


def test_a_completed_deadline_stays_marked_done_and_a_removed_one_is_cancelled_for_a_while(client, world, frozen_clock):
    _, token = issue(organisation=world["cafe"])
    done, removed = f"deadline-{world['date'].id}@fundtrack", f"deadline-{world['timed'].id}@fundtrack"
    before = events(get(client, token))
    complete_deadline(world["date"], actor=None, now=clock.now())
    delete_deadline(world["timed"], now=clock.now())
    found = events(get(client, token))
    assert found[done]["STATUS"] == "CONFIRMED" and str(found[done]["SUMMARY"]).startswith("✓ Ansøgningsfrist: Køkkenskolen")
    assert found[done]["SEQUENCE"] == before[done]["SEQUENCE"] + 1
    assert "VALARM" in before[done].to_ical().decode() and "VALARM" not in found[done].to_ical().decode()
    assert found[removed]["STATUS"] == "CANCELLED"
    month_later = clock.today() + dt.timedelta(days=32)
    frozen_clock.move_to(clock.local_midnight(month_later) + dt.timedelta(hours=9))
    found = events(get(client, token))
    assert removed not in found and found[done]["STATUS"] == "CONFIRMED"


def test_long_danish_titles_fold_at_75_octets_without_breaking_characters(client, world, create_application):
    title = "Ældre og unge i fællesskab om æbler, økologi og årstidernes gang på Sjællands små øer – en ansøgning"
    application = create_application(organisation=world["cafe"], funder=world["funder"], title=title)
    deadline = add_deadline(
        application, "custom", clock.today() + dt.timedelta(days=5), title="Møde; med, komma", now=clock.now()
    )
    _, token = issue(organisation=world["cafe"])
    body = get(client, token).data
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    body.decode("utf-8")  # no character was cut in two
    event = events(get(client, token))[f"deadline-{deadline.id}@fundtrack"]
    assert str(event["SUMMARY"]) == f"Andet (Møde; med, komma): {title} – Kornmod Fonden"
    assert "Møde\\; med\\, komma" in body.decode("utf-8").replace("\r\n ", "")


def test_event_text_in_the_subscribers_language(client, world):
    _, danish = issue(organisation=world["cafe"], language="da")
    _, english = issue(organisation=world["cafe"], language="en")
    uid = f"deadline-{world['date'].id}@fundtrack"
    assert str(events(get(client, danish))[uid]["SUMMARY"]).startswith("Ansøgningsfrist: Køkkenskolen")
    english_event = events(get(client, english))[uid]
    assert str(english_event["SUMMARY"]).startswith("Submission: Køkkenskolen")
    assert "DKK 250,000" in str(english_event["DESCRIPTION"])
    assert str(english_event["URL"]).endswith(f"/applications/{world['school'].id}")


def test_etag_and_if_none_match(client, world):
    _, token = issue(organisation=world["cafe"])
    first = get(client, token)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = get(client, token, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert get(client, token).headers["ETag"] == etag  # unchanged content, unchanged ETag
    update_deadline(world["date"], kind="submission", due_on=world["date"].due_on + dt.timedelta(days=1), now=clock.now())
    changed = get(client, token, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_if_modified_since_both_ways(client, world, frozen_clock):
    _, token = issue(organisation=world["cafe"])
    first = get(client, token)
    last_modified = first.headers["Last-Modified"]
    assert get(client, token, **{"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(clock.now() - dt.timedelta(days=3), usegmt=True)
    assert get(client, token, **{"If-Modified-Since": earlier}).status_code == 200
    frozen_clock.shift(dt.timedelta(minutes=1))  # Last-Modified tells seconds apart, no finer
    update_deadline(world["date"], kind="submission", due_on=world["date"].due_on + dt.timedelta(days=2), now=clock.now())
    assert get(client, token, **{"If-Modified-Since": last_modified}).status_code == 200


def test_head_answers_the_headers_only(client, world):
    _, token = issue(organisation=world["cafe"])
    response = client.head(f"/calendars/{token}.ics")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"] == get(client, token).headers["ETag"]


def test_revoked_and_unknown_tokens_are_a_bare_404(client, world):
    subscription, token = issue(organisation=world["cafe"])
    assert get(client, token).status_code == 200
    services.revoke(subscription, now=clock.now())
    for bad in (token, f"{subscription.id}-wrongsecret", "999-nothing", "garbage", f"{subscription.id}"):
        response = get(client, bad)
        assert response.status_code == 404 and response.data == b""


def test_rotating_replaces_the_address(client, world):
    subscription, token = issue(organisation=world["cafe"])
    new_token = services.rotate(subscription, now=clock.now())
    assert get(client, token).status_code == 404
    assert get(client, new_token).status_code == 200


def test_the_secret_is_long_and_stored_hashed(world):
    subscription, token = issue(organisation=world["cafe"])
    secret = token.split("-", 1)[1]
    assert len(secret) >= 43  # 32 random bytes in URL-safe base64
    assert secret not in Subscription.get_by_id(subscription.id).secret_hash


def test_an_organisation_calendar_never_holds_another_organisations_deadline(client, world):
    _, token = issue(organisation=world["cafe"])
    uids = set(events(get(client, token)))
    assert f"deadline-{world['other'].id}@fundtrack" not in uids
    assert f"deadline-{world['date'].id}@fundtrack" in uids


def test_a_members_own_calendar_never_holds_another_organisations_deadline(client, world, create_user):
    member = create_user(role="member", organisation=world["garden"])
    _, token = issue(user=member)
    uids = set(events(get(client, token)))
    assert uids == {f"deadline-{world['other'].id}@fundtrack"} | {u for u in uids if not u.startswith("deadline-")}


def test_the_fundraisers_calendar_holds_every_deadline_and_the_rounds(client, world, create_user):
    from fundtrack.funders.services import create_round

    create_round(world["funder"], {"name": "Forår", "kind": "yearly", "yearly_dates": "01-03"}, actor=None, now=clock.now())
    fundraiser = create_user(role="fundraiser")
    _, token = issue(user=fundraiser)
    found = events(get(client, token))
    assert {f"deadline-{world[k].id}@fundtrack" for k in ("date", "timed", "other")} <= set(found)
    rounds = [e for uid, e in found.items() if uid.startswith("round-")]
    assert rounds and str(rounds[0]["SUMMARY"]) == "Runde: Kornmod Fonden – Forår"


def test_manage_calendars_in_the_ui(client, login_as, world):
    login_as("member", organisation=world["cafe"])
    response = post(
        client,
        "/calendars/",
        {
            "owner": f"organisation:{world['cafe'].id}",
            "name": "Køkkenets frister",
            "language": "da",
            "include_deadlines": "y",
            "reminders": "y",
            "r_submission": ["1440"],
        },
        token_from="/calendars/",
    )
    assert response.status_code == 302  # post, redirect, get: a reload makes no second calendar
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(response.headers["Location"]).get_data(as_text=True) == body
    https = re.search(r'value="(http://[^"]+\.ics)"', body).group(1)
    assert "webcal://" in body and "calendar.google.com/calendar/r?cid=webcal" in body and "outlook.live.com" in body
    token = https.rsplit("/", 1)[1][:-4]
    assert get(client, token).status_code == 200
    subscription = Subscription.get()
    assert subscription.reminder_minutes["submission"] == [1440] and subscription.reminder_minutes["final_report"] == []
    response = post(client, f"/calendars/{subscription.id}/revoke", token_from="/calendars/")
    assert response.status_code == 302 and get(client, token).status_code == 404


def test_members_cannot_issue_for_another_organisation(client, login_as, world):
    login_as("member", organisation=world["cafe"])
    response = post(
        client, "/calendars/", {"owner": f"organisation:{world['garden'].id}", "language": "da"}, token_from="/calendars/"
    )
    assert response.status_code == 404
    assert not Subscription.select().exists()


def test_one_deadline_as_a_file(client, login_as, world):
    login_as("member", organisation=world["cafe"])
    response = client.get(f"/calendars/deadline/{world['date'].id}.ics")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["UID"]) == f"deadline-{world['date'].id}@fundtrack"
    assert client.get(f"/calendars/deadline/{world['other'].id}.ics").status_code == 404
    page = client.get(f"/applications/{world['school'].id}").get_data(as_text=True)
    assert f"/calendars/deadline/{world['date'].id}.ics" in page


def test_one_call_as_a_file(client, login_as, world):
    from fundtrack.feeds.models import Call, CallDeadline

    call = Call.create(title="Pulje til køkkener", funder_name="Kornmod Fonden")
    CallDeadline.create(call=call, due_on=clock.today() + dt.timedelta(days=40))
    login_as("fundraiser")
    assert "/calendars/call/" in client.get(f"/calls/{call.id}").get_data(as_text=True)
    event = Calendar.from_ical(client.get(f"/calendars/call/{call.id}.ics").data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Åbent opslag: Pulje til køkkener"


def test_calendars_commands(runner, world):
    result = runner.invoke(["calendars", "issue", "--organisation", "Café Kornet"])
    assert result.exit_code == 0, result.output
    assert re.search(r"http://localhost:5000/calendars/\d+-[\w-]+\.ics", result.output)
    assert "webcal://localhost:5000/calendars/" in result.output
    subscription = Subscription.get()
    assert runner.invoke(["calendars", "revoke", str(subscription.id)]).exit_code == 0
    assert Subscription.get_by_id(subscription.id).revoked_at is not None
    assert runner.invoke(["calendars", "issue", "--organisation", "Ingen"]).exit_code != 0


def _rename_application(world):
    from fundtrack.applications.services import update_application

    update_application(world["school"], {"title": "Køkkenskolen 2027"}, actor=None, now=clock.now())
    return "Køkkenskolen 2027"


def _change_amount(world):
    from fundtrack.applications.services import update_application

    update_application(world["school"], {"amount_requested_ore": 300_000_00}, actor=None, now=clock.now())
    return "300.000"


def _move_stage(world):
    from fundtrack.applications.services import move_stage

    move_stage(world["school"], "drafting", actor=None, now=clock.now())
    return "Under udarbejdelse"


def _rename_organisation(world):
    from fundtrack.organisations.services import update_organisation

    update_organisation(world["cafe"], {"name": "Café Kornet og Køkken"}, actor=None, now=clock.now())
    return "Café Kornet og Køkken"


def _rename_funder(world):
    from fundtrack.funders.services import update_funder

    update_funder(world["funder"], {"name": "Kornmod Fondet"}, actor=None, now=clock.now())
    return "Kornmod Fondet"


def _change_kind(world):
    deadline = world["date"]
    update_deadline(deadline, kind="decision_expected", due_on=deadline.due_on, now=clock.now())
    return "Forventet svar"


def _change_time(world):
    deadline = world["date"]
    at = dt.datetime.combine(deadline.due_on, dt.time(10, 0), tzinfo=UTC)
    update_deadline(deadline, kind=deadline.kind, due_on=deadline.due_on, due_at=at, now=clock.now())
    return "T100000Z"


def _change_note(world):
    deadline = world["date"]
    update_deadline(deadline, kind=deadline.kind, due_on=deadline.due_on, notes="Husk budgettet", now=clock.now())
    return "Husk budgettet"


def _complete(world):
    complete_deadline(world["date"], actor=None, now=clock.now())
    return "✓"


@pytest.mark.parametrize(
    "change",
    [
        _rename_application,
        _change_amount,
        _move_stage,
        _rename_organisation,
        _rename_funder,
        _change_kind,
        _change_time,
        _change_note,
        _complete,
    ],
)
def test_the_calendar_changes_with_anything_an_event_shows(client, world, frozen_clock, change):
    _, token = issue(organisation=world["cafe"])
    uid = f"deadline-{world['date'].id}@fundtrack"
    first = get(client, token)
    assert get(client, token, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    frozen_clock.shift(dt.timedelta(minutes=5))
    shown = change(world)
    again = get(client, token, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    event = events(again)[uid]
    assert shown in event.to_ical().decode("utf-8").replace("\r\n ", "")
    assert event.decoded("LAST-MODIFIED") == clock.now().replace(microsecond=0)


def test_reminders_per_kind_with_defaults_changed_or_switched_off(client, world):
    _, token = issue(organisation=world["cafe"])
    found = events(get(client, token))

    def triggers(uid):
        return sorted(str(a["TRIGGER"].to_ical(), "ascii") for a in found[uid].walk("VALARM"))

    # All-day: 7 days and 1 day before, at 09:00 that day; timed (an internal draft): 1 day before.
    assert triggers(f"deadline-{world['date'].id}@fundtrack") == ["-P6DT15H", "-PT15H"]
    assert triggers(f"deadline-{world['timed'].id}@fundtrack") == ["-P1D"]
    _, custom = issue(organisation=world["cafe"], reminder_minutes={"submission": [120]})
    found = events(get(client, custom))
    assert triggers(f"deadline-{world['date'].id}@fundtrack") == ["-PT2H"]
    _, silent = issue(organisation=world["cafe"], reminders=False)
    assert "VALARM" not in get(client, silent).data.decode()


def test_a_call_shows_once_however_many_matches_and_sources_and_is_cancelled_when_dismissed(
    client, world, create_user, frozen_clock
):
    from fundtrack.feeds.models import Call, CallDeadline, CallMatch, CallSource, FeedSource
    from fundtrack.feeds.services import set_status

    call = Call.create(title="Pulje til køkkener", funder_name="Kornmod Fonden", status="new")
    CallDeadline.create(call=call, due_on=clock.today() + dt.timedelta(days=40))
    for name in ("A", "B"):
        source = FeedSource.create(name=name, url=f"http://{name}.example.dk/feed")
        CallSource.create(call=call, source=source, identity=name)
    CallMatch.create(call=call, organisation=world["cafe"])
    member = create_user(role="member", organisation=world["cafe"])
    _, token = issue(organisation=world["cafe"])
    uid = f"call-{call.id}-{(clock.today() + dt.timedelta(days=40)).isoformat()}@fundtrack"
    calendar = Calendar.from_ical(get(client, token).data)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")].count(uid) == 1
    frozen_clock.shift(dt.timedelta(minutes=1))
    set_status(call, "dismissed", actor=member, now=clock.now())
    assert events(get(client, token))[uid]["STATUS"] == "CANCELLED"


def test_a_rounds_event_carries_its_time(client, world, create_user):
    from fundtrack.funders.services import create_round

    create_round(
        world["funder"],
        {"name": "Sommer", "kind": "yearly", "yearly_dates": "1. juli", "deadline_time": "12:00"},
        actor=None,
        now=clock.now(),
    )
    _, token = issue(user=create_user(role="fundraiser"))
    event = next(e for uid, e in events(get(client, token)).items() if uid.startswith("round-"))
    assert event.decoded("DTSTART") == dt.datetime(2027, 7, 1, 10, 0, tzinfo=UTC)  # 12:00 in Copenhagen summer time


def test_settings_change_without_changing_the_address(client, login_as, world):
    login_as("fundraiser")
    subscription, token = issue(organisation=world["cafe"])
    response = post(
        client,
        f"/calendars/{subscription.id}/edit",
        {"name": "Nyt navn", "language": "en", "include_deadlines": "y"},
        token_from=f"/calendars/{subscription.id}/edit",
    )
    assert response.status_code == 302
    body = get(client, token).data.decode()
    assert "NAME:Nyt navn" in body and "Submission:" in body and "VALARM" not in body


def test_the_address_page_survives_a_reload_in_its_own_browser_only(app, client, login_as, world):
    user = login_as("fundraiser")
    response = post(
        client,
        "/calendars/",
        {"owner": f"organisation:{world['cafe'].id}", "language": "da", "include_deadlines": "y"},
        token_from="/calendars/",
    )
    page = response.headers["Location"]
    assert ".ics" in client.get(page).get_data(as_text=True) and ".ics" in client.get(page).get_data(as_text=True)
    assert Subscription.select().count() == 1
    other = app.test_client()
    from tests.conftest import login

    login(other, user)
    body = other.get(page).get_data(as_text=True)
    assert ".ics" not in body and "Ny adresse" in body


def test_a_call_swapped_for_another_changes_the_calendar(client, world):
    from fundtrack.feeds.models import Call, CallDeadline, CallMatch

    day = clock.today() + dt.timedelta(days=40)
    first, second = (Call.create(title=t, status="new") for t in ("Pulje A", "Pulje B"))
    for call in (first, second):
        CallDeadline.create(call=call, due_on=day)
    CallMatch.create(call=first, organisation=world["cafe"])
    _, token = issue(organisation=world["cafe"])
    before = get(client, token)
    CallMatch.delete().execute()  # the same number of events, as old as before: only which ones differs
    CallMatch.create(call=second, organisation=world["cafe"])
    after = get(client, token, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and f"call-{second.id}-" in after.data.decode()


def test_the_access_log_names_the_subscription_never_its_secret(client, world, caplog):
    subscription, token = issue(organisation=world["cafe"])
    with caplog.at_level("INFO", logger="fundtrack.access"):
        assert get(client, token).status_code == 200
        assert get(client, "ukendt-hemmelighed").status_code == 404
    records = [r for r in caplog.records if r.name == "fundtrack.access"]
    assert [r.path for r in records] == ["/calendars/[secret].ics", "/calendars/[secret].ics"]
    assert records[0].subscription == subscription.id and not hasattr(records[1], "subscription")
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in records)
    assert token not in logged and "ukendt-hemmelighed" not in logged


def test_a_calendar_holds_the_nearest_calls_of_the_coming_year_only(client, world, login_as):
    from fundtrack.calendars.services import CALL_LIMIT
    from fundtrack.db import bulk_insert
    from fundtrack.feeds.models import Call, CallDeadline, CallMatch

    today = clock.today()
    calls = [Call.create(title=f"Pulje {n}", status="new") for n in range(CALL_LIMIT + 20)]
    bulk_insert(CallDeadline, [{"call": c.id, "due_on": today + dt.timedelta(days=1 + n)} for n, c in enumerate(calls)])
    far = Call.create(title="Pulje om to år", status="new")
    CallDeadline.create(call=far, due_on=today + dt.timedelta(days=700))
    bulk_insert(CallMatch, [{"call": c.id, "organisation": world["cafe"].id} for c in [*calls, far]])
    _, token = issue(organisation=world["cafe"], include_calls=True)
    shown = [uid for uid in events(get(client, token)) if uid.startswith("call-")]
    assert len(shown) == CALL_LIMIT  # the nearest ones; the rest, and the one two years ahead, are left out
    assert f"call-{calls[0].id}-" in " ".join(shown) and f"call-{far.id}-" not in " ".join(shown)
    login_as("fundraiser")
    assert f"de {CALL_LIMIT} nærmeste" in client.get("/calendars/").get_data(as_text=True)
