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
    ("Indsendelsesfrist: 3. marts 2027", [("2027-03-03", None, "Europe/Copenhagen")]),
    ("Ansøgningen skal være modtaget allersenest 4. maj 2027", [("2027-05-04", None, "Europe/Copenhagen")]),
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


def _read_html(html, **options):
    from fundtrack.feeds.text import block_text

    finding = find_in_text(block_text(html), REFERENCE, **options)
    return [(d.due_on.isoformat(), d.due_at.isoformat() if d.due_at else None) for d in finding.deadlines]


def test_a_deadline_in_a_table_is_read_from_its_row_not_the_project_end():
    table = (
        "<table><tr><td>Ansøgningsfrist</td><td>15. januar 2027</td></tr>"
        "<tr><td>Projektperiode</td><td>1. marts 2027 – 31. december 2028</td></tr></table>"
    )
    assert _read_html(table) == [("2027-01-15", None)]
    with_headers = (
        "<table><tr><th>Pulje</th><th>Ansøgningsfrist</th><th>Svar</th></tr>"
        "<tr><td>Forår</td><td>1. marts 2027</td><td>1. juni 2027</td></tr>"
        "<tr><td>Efterår</td><td>1. september 2027</td><td>1. december 2027</td></tr></table>"
    )
    assert _read_html(with_headers) == [("2027-03-01", None), ("2027-09-01", None)]


def test_a_deadline_in_a_list():
    items = "<p>Om puljen</p><ul><li>Projektet skal være afsluttet senest 31. marts 2029</li><li>Frist: 1. marts 2027</li></ul>"
    assert _read_html(items) == [("2027-03-01", None)]


TIMES = [
    ("Ansøgningsfrist: 2. februar 2027, kl. 12:00", "2027-02-02T11:00:00+00:00"),
    ("Ansøgningsfristen er kl. 12.00 den 2. februar 2027.", "2027-02-02T11:00:00+00:00"),
    ("Ansøgningsfrist 2. februar 2027 kl. 12", "2027-02-02T11:00:00+00:00"),
    ("Applications must be received by 5pm on 12 March 2027.", "2027-03-12T16:00:00+00:00"),
    ("Deadline: 12 noon on 5 May 2027", "2027-05-05T10:00:00+00:00"),
    ("Deadline: 5 May 2027, 12 noon (UK time)", "2027-05-05T11:00:00+00:00"),
    ("Closing date: midnight on 30 June 2027", "2027-06-30T21:59:00+00:00"),
    ("Frist: 1. april 2027 23:59", "2027-04-01T21:59:00+00:00"),
    ("Frist: 1. december 2026 23:59", "2026-12-01T22:59:00+00:00"),
]


@pytest.mark.parametrize("text, due_at", TIMES)
def test_a_time_before_or_after_the_date_belongs_to_it(process_zone, text, due_at):
    [(day, at, _zone)] = _read(text)
    assert at == due_at and day == due_at[:10]


def test_a_compound_label_is_shown_whole():
    [deadline] = find_in_text("Projektansøgningsfristen: 3. marts 2027.", REFERENCE).deadlines
    assert deadline.found_in == "Projektansøgningsfristen: 3. marts 2027"
    finding = find_in_text("Projektet skal være afsluttet allersenest 1. maj 2029.", REFERENCE)
    assert not finding.deadlines and [(o.kind, o.on.isoformat()) for o in finding.other_dates] == [("project", "2029-05-01")]


def test_the_phrase_a_deadline_came_from_is_kept():
    [deadline] = find_in_text("Om puljen. Ansøgningsfristen er kl. 12.00 den 2. februar 2027. Svar i maj.", REFERENCE).deadlines
    assert deadline.found_in == "Ansøgningsfristen er kl. 12.00 den 2. februar 2027"


@pytest.mark.parametrize(
    "order, expected",
    [("mdy", [("2027-03-04", None)]), ("dmy", [("2027-04-03", None)]), (None, [])],
)
def test_month_first_only_in_a_us_source_and_never_guessed(order, expected):
    finding = find_in_text("Deadline: 03/04/2027", REFERENCE, date_order=order)
    assert [(d.due_on.isoformat(), None) for d in finding.deadlines] == expected


def test_a_numeric_date_only_one_order_allows_is_read_in_any_source():
    for order in ("mdy", "dmy", None):
        assert [d.due_on for d in find_in_text("Deadline: 13/04/2027", REFERENCE, date_order=order).deadlines] == [
            dt.date(2027, 4, 13)
        ]
        assert [d.due_on for d in find_in_text("Deadline: 04/13/2027", REFERENCE, date_order=order).deadlines] == [
            dt.date(2027, 4, 13)
        ]


def test_the_date_order_comes_from_the_source_else_the_language():
    from fundtrack.feeds.deadlines import date_order_of

    assert date_order_of("en-US") == "mdy" and date_order_of("en-gb") == "dmy" and date_order_of("da") == "dmy"
    assert date_order_of("") is None and date_order_of(None, "mdy") == "mdy" and date_order_of("en-us", "dmy") == "dmy"


OTHER_DATES = [
    ("Svar senest 1. juni 2027", "decision"),
    ("Forventet svar: 15. juni 2027", "decision"),
    ("Decision by 1 July 2027", "decision"),
    ("Archive Date: 31 December 2027", "archive"),
    ("Opening date: 1 February 2027", "opening"),
    ("Puljen åbner 1. februar 2027", "opening"),
    ("Published 12 November 2026", "publication"),
    ("Projektperiode: 1. marts 2027 – 28. februar 2029", "project"),
    ("Projektet skal være afsluttet senest 31. december 2028", "project"),
    ("Projects must be completed by 31 March 2029", "project"),
    ("Udbetaling sker 1. september 2027", "payment"),
    ("Informationsmøde 12. januar 2027 i Slagelse", "event"),
]


@pytest.mark.parametrize("text, kind", OTHER_DATES)
def test_dates_that_are_not_application_deadlines(text, kind):
    finding = find_in_text(text, REFERENCE)
    assert finding.deadlines == []
    assert finding.other_dates and {d.kind for d in finding.other_dates} == {kind}


def test_a_deadline_beside_other_dates():
    finding = find_in_text("Ansøgningsfrist: 1. marts 2027. Svar senest 1. juni 2027. Udbetaling 1. september 2027.", REFERENCE)
    assert [d.due_on for d in finding.deadlines] == [dt.date(2027, 3, 1)]
    assert [(d.kind, d.on) for d in finding.other_dates] == [
        ("decision", dt.date(2027, 6, 1)),
        ("payment", dt.date(2027, 9, 1)),
    ]
