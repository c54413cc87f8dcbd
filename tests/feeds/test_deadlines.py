"""Every deadline phrasing the fund databases use, read the same under any process time zone."""

import datetime as dt
import os
import time

import pytest

from fundtrack.feeds.deadlines import find_in_text

REFERENCE = dt.date(2026, 9, 1)
CASES = [
    ("Closing date: 6 October 2026 4:00pm UK time", [("2026-10-06", "2026-10-06T15:00:00+00:00", "Europe/London")]),
    ("Deadline: 15 April 2027", [("2027-04-15", None, "Europe/Copenhagen")]),
    ("Applications on or before June 30, 2027.", [("2027-06-30", None, "Europe/Copenhagen")]),
    ("Close Date: Jan 22, 2027", [("2027-01-22", None, "Europe/Copenhagen")]),
    ("Ansøgningsfrist: 1. marts 2027 kl. 12.00", [("2027-03-01", "2027-03-01T11:00:00+00:00", "Europe/Copenhagen")]),
    ("Ansøg senest 07. aug. 2027", [("2027-08-07", None, "Europe/Copenhagen")]),
    ("Frist: 15.09.2027", [("2027-09-15", None, "Europe/Copenhagen")]),
    ("Ansøgningsfrist 18. oktober", [("2026-10-18", None, "Europe/Copenhagen")]),
    (
        "Deadlines: 1 March 2027 and 1 September 2027.",
        [("2027-03-01", None, "Europe/Copenhagen"), ("2027-09-01", None, "Europe/Copenhagen")],
    ),
    ("Submit by 31 January 2027 at 23:59 CET", [("2027-01-31", "2027-01-31T22:59:00+00:00", "Europe/Copenhagen")]),
    ("Deadline 1 July 2027, 17:00 (Brussels time)", [("2027-07-01", "2027-07-01T15:00:00+00:00", "Europe/Copenhagen")]),
]


def _read(text):
    finding = find_in_text(text, REFERENCE)
    return [(d.due_on.isoformat(), d.due_at.isoformat() if d.due_at else None, d.timezone) for d in finding.deadlines]


@pytest.fixture(params=["America/Los_Angeles", "Asia/Tokyo"])
def process_zone(request, monkeypatch):
    """Run under a process time zone far from Copenhagen, on either side of it."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("text, expected", CASES)
def test_phrasings_under_two_process_time_zones(process_zone, text, expected):
    assert time.tzname[0] != "CET" and os.environ["TZ"] == process_zone
    assert _read(text) == expected


def test_year_less_date_resolves_to_the_next_such_date():
    assert _read("Ansøgningsfrist 18. oktober")[0][0] == "2026-10-18"
    later = find_in_text("Ansøgningsfrist 18. oktober", dt.date(2026, 10, 19)).deadlines
    assert later[0].due_on == dt.date(2027, 10, 18)


@pytest.mark.parametrize(
    "text",
    [
        "Ansøgningsfrist: løbende",
        "Applications are accepted on a rolling basis.",
        "There is no deadline for this fund.",
        "Ingen ansøgningsfrist.",
    ],
)
def test_rolling_is_recognised(text):
    finding = find_in_text(text, REFERENCE)
    assert finding.rolling and finding.deadlines == []


@pytest.mark.parametrize(
    "text",
    ["Projektet starter 1. marts 2027.", "Informationsmøde 12. januar 2027 i Slagelse.", "Kontakt os for mere information."],
)
def test_unknown_stays_unknown(text):
    finding = find_in_text(text, REFERENCE)
    assert finding.deadlines == [] and not finding.rolling


def test_a_deadline_word_in_another_sentence_does_not_count():
    assert _read("Se fristen på hjemmesiden. Arrangementet finder sted 5. maj 2027.") == []
