"""Periods as the committee names them, and the geometry of the charts."""

import datetime as dt

import pytest

from fundtrack.periods import Period, PeriodError, last_complete_quarter, parse_period, quarter_of
from fundtrack.reports.charts import Bar, bar_chart, nice_ceiling


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026-q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        (" 2026 ", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_periods_have_their_first_and_last_day(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "text, code",
    [
        ("3. kvartal 2026", "2026-Q3"),
        ("tredje kvartal 2026", "2026-Q3"),
        ("Q3 2026", "2026-Q3"),
        ("kvartal 4 2027", "2027-Q4"),
        ("2. halvår 2026", "2026-H2"),
        ("H1 2026", "2026-H1"),
        ("H2 2026", "2026-H2"),
        ("2026", "2026"),
        ("third quarter 2026", "2026-Q3"),
        ("2nd half 2026", "2026-H2"),
        ("1. KVARTAL 2026", "2026-Q1"),
    ],
)
def test_periods_in_words_as_the_committee_writes_them(text, code):
    assert parse_period(text).code == code


@pytest.mark.parametrize(
    "text", ["", "2026-Q5", "2026-H3", "Q3", "26-Q1", "2026-M1", "tredje kvartal", "5. kvartal 2026", "3. halvår 2026"]
)
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_neighbouring_periods():
    q1 = parse_period("2026-Q1")
    assert (q1.previous().code, q1.following().code, q1.year_before().code) == ("2025-Q4", "2026-Q2", "2025-Q1")
    assert parse_period("2026-H1").previous().code == "2025-H2"
    assert parse_period("2026").previous().code == "2025"
    assert [q.code for q in parse_period("2026-H2").quarters()] == ["2026-Q3", "2026-Q4"]
    assert parse_period("2026").next_quarter().code == "2027-Q1"
    assert quarter_of(dt.date(2026, 9, 30)) == Period(2026, "Q", 3)
    assert last_complete_quarter(dt.date(2026, 1, 5)).code == "2025-Q4"


def test_axis_tops_are_round():
    assert nice_ceiling(0) == (1, 4)
    assert nice_ceiling(7_300) == (10_000, 5)
    assert nice_ceiling(180) == (200, 4)
    assert nice_ceiling(2_400_000) == (2_500_000, 5)
    assert nice_ceiling(500) == (500, 5)


def test_bars_scale_to_the_top_and_describe_themselves():
    chart = bar_chart(
        "won",
        "Won",
        [Bar("Q1", 50, "50 kr.", "/a"), Bar("Q2", 100, "100 kr.", "/b"), Bar("Q3", 0, "0 kr.", "/c")],
        lambda v: f"{v:g}",
    )
    low, high, empty = chart.bars
    assert high.height == pytest.approx(2 * low.height) and empty.height == 0
    assert high.y + high.height == pytest.approx(chart.baseline)
    assert low.x < high.x < empty.x
    assert [label for _, label in chart.gridlines] == ["0", "20", "40", "60", "80", "100"]
    assert chart.description == "Q1: 50 kr.; Q2: 100 kr.; Q3: 0 kr."


@pytest.mark.parametrize(
    "code, danish, english",
    [("2026-Q3", "3. kvartal 2026", "Q3 2026"), ("2026-H2", "2. halvår 2026", "H2 2026"), ("2026", "2026", "2026")],
)
def test_the_page_names_periods_in_words_in_both_languages(app, code, danish, english):
    from flask_babel import force_locale

    from fundtrack.reports.render import period_label

    with app.test_request_context():
        with force_locale("da"):
            assert period_label(parse_period(code)) == danish
        with force_locale("en"):
            assert period_label(parse_period(code)) == english
