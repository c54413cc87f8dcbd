"""Funders: profile, validation, archive, rounds and the next deadlines they generate."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fundtrack import clock
from fundtrack.applications.models import Application
from fundtrack.deadlines.models import Deadline
from fundtrack.funders import services
from fundtrack.funders.models import Funder, Round
from fundtrack.validation import ValidationError
from tests.conftest import NOW, post


def _round(funder, **data):
    return services.create_round(funder, {"name": "Runde", **data}, actor=None, now=NOW)


def test_yearly_round_on_1_march_and_1_september(create_funder):
    round_ = _round(create_funder(), kind="yearly", yearly_dates="01-03, 01-09")
    assert round_.rule == "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1"
    assert services.next_dates(round_, dt.date(2026, 11, 22), 3) == [
        dt.date(2027, 3, 1),
        dt.date(2027, 9, 1),
        dt.date(2028, 3, 1),
    ]
    assert services.next_dates(round_, dt.date(2027, 3, 1), 1) == [dt.date(2027, 3, 1)]


def test_yearly_round_with_different_days_in_different_months(create_funder):
    round_ = _round(create_funder(), kind="yearly", yearly_dates="15-02, 30-08")
    assert services.next_dates(round_, dt.date(2026, 11, 22), 3) == [
        dt.date(2027, 2, 15),
        dt.date(2027, 8, 30),
        dt.date(2028, 2, 15),
    ]


def test_last_weekday_of_each_quarter(create_funder):
    round_ = _round(create_funder(), kind="quarter_end")
    # 31 Jan 2027 is fine; 31 Mar 2027 is a Wednesday, 30 Jun a Wednesday; 30 Sep 2028 a Saturday -> 29 Sep.
    assert services.next_dates(round_, dt.date(2026, 11, 22), 4) == [
        dt.date(2026, 12, 31),
        dt.date(2027, 3, 31),
        dt.date(2027, 6, 30),
        dt.date(2027, 9, 30),
    ]
    assert services.next_dates(round_, dt.date(2028, 7, 1), 1) == [dt.date(2028, 9, 29)]


def test_monthly_and_one_off_and_custom_rounds(create_funder):
    funder = create_funder()
    assert services.next_dates(_round(funder, kind="monthly", month_day=15), dt.date(2026, 11, 22), 2) == [
        dt.date(2026, 12, 15),
        dt.date(2027, 1, 15),
    ]
    once = _round(funder, kind="once", once_on=dt.date(2027, 2, 1))
    assert services.next_dates(once, dt.date(2026, 11, 22)) == [dt.date(2027, 2, 1)]
    assert services.next_dates(once, dt.date(2027, 2, 2)) == []
    custom = _round(funder, kind="custom", rule="FREQ=YEARLY;BYMONTH=10;BYDAY=1MO")
    assert services.next_dates(custom, dt.date(2026, 11, 22), 1) == [dt.date(2027, 10, 4)]


def test_a_monthly_round_on_the_31st_falls_on_the_last_day_of_shorter_months(create_funder):
    funder = create_funder()
    on_31 = _round(funder, kind="monthly", month_day=31)
    assert services.next_dates(on_31, dt.date(2026, 12, 15), 6) == [
        dt.date(2026, 12, 31),  # over the year's end
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 31),
    ]
    on_30 = _round(funder, kind="monthly", month_day=30)
    leap_year = [dt.date(2028, 2, 29), dt.date(2028, 3, 30), dt.date(2028, 4, 30)]
    assert services.next_dates(on_30, dt.date(2028, 1, 31), 3) == leap_year
    on_29 = _round(funder, kind="monthly", month_day=29)
    assert services.next_dates(on_29, dt.date(2027, 2, 1), 2) == [dt.date(2027, 2, 28), dt.date(2027, 3, 29)]


def test_a_yearly_round_on_29_february_keeps_its_place_in_other_years(create_funder):
    round_ = _round(create_funder(), kind="yearly", yearly_dates="29-02, 01-09")
    assert services.next_dates(round_, dt.date(2026, 11, 22), 4) == [
        dt.date(2027, 2, 28),
        dt.date(2027, 9, 1),
        dt.date(2028, 2, 29),
        dt.date(2028, 9, 1),
    ]


@pytest.mark.parametrize(
    "typed",
    ["01-03, 01-09", "1. marts og 1. september", "1 March and 1 September", "March 1; September 1", "1/3, 1.9., 01-03"],
)
def test_yearly_dates_in_danish_and_english_and_each_once(create_funder, typed):
    round_ = _round(create_funder(), kind="yearly", yearly_dates=typed)
    assert round_.yearly_dates == "01-03, 01-09"
    assert round_.rule == "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1"


def test_round_times_are_right_across_daylight_saving_changes(create_funder):
    round_ = _round(create_funder(), kind="monthly", month_day=1, deadline_time="12:00")
    zone = ZoneInfo("Europe/Copenhagen")
    moments = [services.deadline_moment(round_, day, zone) for day in services.next_dates(round_, dt.date(2027, 2, 15), 9)]
    hours = [(m.date().isoformat(), m.hour) for m in moments]
    assert hours[:2] == [("2027-03-01", 11), ("2027-04-01", 10)]  # winter time, then summer time (UTC hours)
    assert hours[-2:] == [("2027-10-01", 10), ("2027-11-01", 11)]


def test_inactive_rounds_generate_nothing(create_funder):
    round_ = _round(create_funder(), kind="monthly", month_day=1, active=False)
    assert services.next_dates(round_, dt.date(2026, 11, 22)) == []


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "yearly", "yearly_dates": "31-02"}, "yearly_dates"),
        ({"kind": "yearly", "yearly_dates": "1. smarts"}, "yearly_dates"),
        ({"kind": "yearly", "yearly_dates": "32. marts"}, "yearly_dates"),
        ({"kind": "yearly", "yearly_dates": ""}, "yearly_dates"),
        ({"kind": "monthly", "month_day": 40}, "month_day"),
        ({"kind": "once"}, "once_on"),
        ({"kind": "custom", "rule": "FREQ=SOMETIMES"}, "rule"),
        ({"kind": "yearly", "yearly_dates": "01-03", "deadline_time": "25:00"}, "deadline_time"),
    ],
)
def test_bad_rounds_are_refused_naming_the_field(create_funder, data, field):
    with pytest.raises(ValidationError) as error:
        _round(create_funder(), **data)
    assert field in error.value.errors


def test_application_from_a_round_gets_the_next_date_as_submission_deadline(client, login_as, create_funder, create_organisation):
    funder = create_funder(name="Kornmod Fonden")
    round_ = _round(funder, kind="yearly", yearly_dates="01-03, 01-09", deadline_time="12:00")
    organisation = create_organisation("Café Kornet")
    login_as("fundraiser")
    response = post(
        client,
        "/applications/new",
        {
            "organisation": organisation.id,
            "funder": "",
            "round": round_.id,
            "title": "Køkkenskolen",
            "amount_requested_ore": "250.000",
            "owner": "",
        },
        token_from="/applications/new",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    application = Application.get(Application.title == "Køkkenskolen")
    assert application.funder_id == funder.id and application.round_id == round_.id
    deadline = Deadline.get(Deadline.application == application)
    assert deadline.kind == "submission"
    assert deadline.due_on > clock.today()
    assert deadline.due_on.day == 1 and deadline.due_on.month in (3, 9)
    noon = dt.datetime.combine(deadline.due_on, dt.time(12), tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert deadline.due_at == noon.astimezone(dt.UTC)  # 12:00 in Copenhagen, in winter or in summer time


def test_funder_validation_names_the_fields(create_funder):
    create_funder(name="Kornmod Fonden")
    with pytest.raises(ValidationError) as error:
        services.create_funder(
            {
                "name": "kornmod fonden",
                "kind": "lottery",
                "website": "kornmod.dk",
                "grant_min_ore": 500,
                "grant_max_ore": 100,
                "un_goals": "0",
                "cooldown_after_grant_months": 500,
            },
            actor=None,
            now=NOW,
        )
    assert set(error.value.errors) == {"name", "kind", "website", "grant_max_ore", "un_goals", "cooldown_after_grant_months"}


def test_an_absurd_grant_size_is_refused_and_the_form_keeps_it(client, login_as):
    login_as("fundraiser", language="en")
    response = post(
        client,
        "/funders/new",
        {
            "name": "Stor Fond",
            "kind": "private_foundation",
            "allows_consultant_fees": "",
            "grant_max_ore": "1.000.000.000.000.000",
        },
        token_from="/funders/new",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at most 100 billion kr." in html and 'value="Stor Fond"' in html


def test_fundraiser_creates_and_edits_a_funder_in_the_ui(client, login_as):
    login_as("fundraiser")
    response = post(
        client,
        "/funders/new",
        {
            "name": "Lindegaard Fonden",
            "kind": "private_foundation",
            "website": "https://lindegaard.example.dk",
            "focus_tags": "Natur, sundhed",
            "un_goals": "3, 15",
            "grant_min_ore": "100.000",
            "grant_max_ore": "750.000,00 kr.",
            "allows_consultant_fees": "no",
            "cooldown_after_grant_months": "24",
            "final_report_months": "3",
            "instalment_shares": "50, 40, 10 %",
        },
        token_from="/funders/new",
    )
    assert response.status_code == 302
    funder = Funder.get(Funder.name == "Lindegaard Fonden")
    assert funder.instalment_shares == [50, 40, 10]
    assert funder.grant_max_ore == 750_000_00 and funder.allows_consultant_fees is False
    assert funder.focus_tags == ["natur", "sundhed"] and funder.un_goals == [3, 15]
    response = post(
        client,
        f"/funders/{funder.id}/edit",
        {"name": "", "kind": "private_foundation", "grant_min_ore": "mange penge"},
        token_from="/",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Feltet skal udfyldes" in body and "mange penge" in body


def test_rounds_in_the_ui_show_their_next_dates(client, login_as, create_funder):
    funder = create_funder(name="Puljen")
    login_as("fundraiser")
    response = post(
        client,
        f"/funders/{funder.id}/rounds/new",
        {"name": "Forår og efterår", "kind": "yearly", "yearly_dates": "1. marts og 1. september", "active": "y"},
        token_from="/",
    )
    assert response.status_code == 302
    refused = post(
        client,
        f"/funders/{funder.id}/rounds/new",
        {"name": "Skæve datoer", "kind": "yearly", "yearly_dates": "1. smarts", "active": "y"},
        token_from="/",
    )
    assert refused.status_code == 400 and "1. smarts" in refused.get_data(as_text=True)
    body = client.get(f"/funders/{funder.id}").get_data(as_text=True)
    assert "Forår og efterår" in body and "1. mar." in body and "1. sep." in body
    round_ = Round.get()
    post(client, f"/funders/{funder.id}/rounds/{round_.id}/delete", {"confirmed": "1"}, token_from="/")
    assert not Round.select().exists()


def test_archived_funders_leave_the_list(client, login_as, create_funder):
    funder = create_funder(name="Gammel Fond")
    login_as("fundraiser")
    post(client, f"/funders/{funder.id}/archive", token_from="/", follow_redirects=True)
    assert "Gammel Fond" not in client.get("/funders/").get_data(as_text=True)
    assert "Gammel Fond" in client.get("/funders/?archived=1").get_data(as_text=True)


def test_funder_search_by_text_kind_and_goal(client, login_as, create_funder):
    create_funder(name="Natur Fonden", kind="private_foundation", un_goals=[15], focus_tags=["natur"])
    create_funder(name="EU Pulje", kind="eu_programme", un_goals=[8])
    login_as("viewer")
    assert "EU Pulje" not in client.get("/funders/?q=natur").get_data(as_text=True)
    body = client.get("/funders/?kind=eu_programme").get_data(as_text=True)
    assert "EU Pulje" in body and "Natur Fonden" not in body
    body = client.get("/funders/?goal=15").get_data(as_text=True)
    assert "Natur Fonden" in body and "EU Pulje" not in body
