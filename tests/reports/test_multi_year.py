"""Multi-year grants in the overview, against figures worked out by hand.

"Tre år" is granted 900.000 kr. on 20 January 2027 for a project from 1 February 2027 to 31 January 2030,
paid in four instalments: 300.000 kr. planned 15 February 2027 (received 20 February), 200.000 kr. planned
15 August 2027 (received 2 September, in Q3), 200.000 kr. planned 15 August 2028 and 200.000 kr. planned
15 December 2029. The funder takes 50.000 kr. back on 10 March 2028.

"Et år" is granted 100.000 kr. on 10 December 2026 for 2027, with no schedule: it is spread over the 365
days, each quarter taking the rounded-down share up to its end less the share up to its start:
Q1 90 days 24.657,53 kr., Q2 24.931,51 kr., Q3 25.205,48 kr., Q4 25.205,48 kr. (together 100.000 kr.).
"""

import datetime as dt
import json

import pytest

from fundtrack.applications.models import Application
from fundtrack.applications.services import move_stage, record_reclaim
from fundtrack.instalments import services as instalments
from fundtrack.periods import parse_period
from fundtrack.reports import figures
from tests.conftest import NOW, post

KR = 100


@pytest.fixture
def grants(create_application, create_organisation):
    organisation = create_organisation("Værkstedet")

    def granted(title, kroner, decided_on, start, end):
        application = create_application(
            organisation=organisation,
            title=title,
            stage="submitted",
            amount_requested_ore=kroner * KR,
            project_start_on=start,
            project_end_on=end,
        )
        move_stage(application, "granted", actor=None, now=NOW, amount_granted_ore=kroner * KR, decided_on=decided_on)
        return Application.get_by_id(application.id)

    three = granted("Tre år", 900_000, dt.date(2027, 1, 20), dt.date(2027, 2, 1), dt.date(2030, 1, 31))
    for instalment in instalments.schedule(three):
        instalments.delete_instalment(instalment, actor=None, now=NOW)
    plan = [
        (dt.date(2027, 2, 15), 300_000, dt.date(2027, 2, 20)),
        (dt.date(2027, 8, 15), 200_000, dt.date(2027, 9, 2)),
        (dt.date(2028, 8, 15), 200_000, None),
        (dt.date(2029, 12, 15), 200_000, None),
    ]
    for planned_on, kroner, received_on in plan:
        instalment = instalments.add_instalment(
            three, {"planned_on": planned_on, "planned_ore": kroner * KR}, actor=None, now=NOW
        )
        if received_on:
            instalments.receive(instalment, received_on, kroner * KR, actor=None, now=NOW)
    one = granted("Et år", 100_000, dt.date(2026, 12, 10), dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    for instalment in instalments.schedule(one):
        instalments.delete_instalment(instalment, actor=None, now=NOW)
    return {"organisation": organisation, "three": three, "one": one}


def _money(code, organisation=None):
    f = figures.totals(parse_period(code), organisation.id if organisation else None)
    return f.granted_ore // KR, f.received_ore, f.allocated_ore, f.reclaimed_ore


def test_granted_on_the_decision_received_by_instalment_allocated_by_schedule(grants):
    assert _money("2026-Q4") == (100_000, 0, 0, 0)  # "Et år" is decided, but its money belongs to 2027
    assert _money("2027-Q1") == (900_000, 300_000 * KR, 300_000 * KR + 2_465_753, 0)
    assert _money("2027-Q2") == (0, 0, 2_493_151, 0)
    assert _money("2027-Q3") == (0, 200_000 * KR, 200_000 * KR + 2_520_548, 0)
    assert _money("2027-Q4") == (0, 0, 2_520_548, 0)
    assert _money("2028-Q3") == (0, 0, 200_000 * KR, 0)
    assert _money("2029-Q4") == (0, 0, 200_000 * KR, 0)
    assert _money("2030-Q1") == (0, 0, 0, 0)
    year = figures.totals(parse_period("2027"))
    assert year.allocated_ore == 500_000 * KR + 100_000 * KR  # the spread grant adds up exactly


def test_a_reclaim_counts_in_its_own_quarter_and_an_earlier_report_stays_as_sent(grants, client, login_as):
    login_as("fundraiser")
    sent = json.loads(client.get("/reports/2027-Q1.json").get_data())
    record_reclaim(grants["three"], 50_000 * KR, dt.date(2028, 3, 10), reason="Ikke brugt", actor=None, now=NOW)
    again = json.loads(client.get("/reports/2027-Q1.json").get_data())
    assert again == sent
    q1_2028 = figures.totals(parse_period("2028-Q1"))
    assert (q1_2028.granted_ore, q1_2028.reclaimed_ore, q1_2028.net_ore) == (0, 50_000 * KR, -50_000 * KR)
    assert figures.totals(parse_period("2027-Q1")).net_ore == 900_000 * KR


def test_the_drill_down_lists_what_each_figure_counts(grants, client, login_as):
    login_as("fundraiser")
    received = client.get("/applications/?figure=received&period=2027-Q3").get_data(as_text=True)
    assert "Tre år" in received and "Et år" not in received
    allocated = client.get("/applications/?figure=allocated&period=2027-Q2").get_data(as_text=True)
    assert "Et år" in allocated and "Tre år" not in allocated
    record_reclaim(grants["three"], 50_000 * KR, dt.date(2028, 3, 10), reason="", actor=None, now=NOW)
    reclaimed = client.get("/applications/?figure=reclaimed&period=2028-Q1").get_data(as_text=True)
    assert "Tre år" in reclaimed and "Et år" not in reclaimed


def test_the_page_labels_and_explains_the_new_figures(grants, client, login_as):
    login_as("fundraiser")
    page = client.get("/reports/2027-Q3").get_data(as_text=True)
    for text in ("Penge modtaget", "Penge fordelt på perioden", "Krævet tilbage af givere", "225.205,48 kr."):
        assert text in page
    assert "fordeles jævnt over projektperiodens dage" in page


def test_a_breakdown_carries_received_and_allocated(grants):
    [(_, name, row)] = figures.breakdown(parse_period("2027-Q3"), "organisation")
    assert (name, row.received_ore, row.allocated_ore) == ("Værkstedet", 200_000 * KR, 200_000 * KR + 2_520_548)


def test_a_form_post_does_not_change_a_sent_period(grants, client, login_as):
    """Receiving a late instalment moves "received" in the quarter it arrives, not the planned one."""
    login_as("fundraiser")
    before = _money("2028-Q3")
    instalment = next(i for i in instalments.schedule(grants["three"]) if i.planned_on == dt.date(2028, 8, 15))
    response = post(
        client,
        f"/instalments/{instalment.id}/receive",
        {"received_on": "2028-10-03", "received_ore": "200000"},
    )
    assert response.status_code in (302, 303)
    assert _money("2028-Q3") == before
    assert _money("2028-Q4")[1] == 200_000 * KR
