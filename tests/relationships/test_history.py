"""Status, next ask and suggested amount, worked out by hand from small histories."""

import datetime as dt

from fundtrack.relationships.history import (
    Gift,
    Thresholds,
    classify,
    consecutive_years,
    fiscal_year,
    fiscal_year_bounds,
    next_ask,
    suggested_amount,
    usual_cycle_days,
)

TODAY = dt.date(2026, 11, 22)
KR = 100
YEARLY = 365


def gift(day, kroner=100_000, round_id=None, end=None, app=0):
    return Gift(app, day, kroner * KR, round_id, end)


def test_no_gift_is_a_prospect():
    assert classify([], TODAY, YEARLY, Thresholds()).code == "prospect"


def test_one_recent_gift_is_a_first_gift():
    status = classify([gift(dt.date(2026, 6, 1))], TODAY, YEARLY, Thresholds())
    assert (status.code, status.params) == ("first_gift", {"date": "2026-06-01"})


def test_two_gifts_in_two_years_are_a_repeat():
    status = classify([gift(dt.date(2025, 6, 1)), gift(dt.date(2026, 6, 1))], TODAY, YEARLY, Thresholds())
    assert (status.code, status.params) == ("repeat", {"count": 2})


def test_gifts_in_three_distinct_years_are_golden():
    gifts = [gift(dt.date(2024, 3, 1)), gift(dt.date(2025, 3, 1)), gift(dt.date(2026, 3, 1))]
    status = classify(gifts, TODAY, YEARLY, Thresholds())
    assert (status.code, status.params["years"]) == ("golden", "2024, 2025, 2026")


def test_three_gifts_in_two_years_are_not_golden():
    gifts = [gift(dt.date(2025, 3, 1)), gift(dt.date(2025, 9, 1)), gift(dt.date(2026, 3, 1))]
    assert classify(gifts, TODAY, YEARLY, Thresholds()).code == "repeat"


def test_three_distinct_rounds_in_two_years_are_golden():
    gifts = [gift(dt.date(2025, 3, 1), round_id=1), gift(dt.date(2025, 9, 1), round_id=2), gift(dt.date(2026, 3, 1), round_id=3)]
    assert classify(gifts, TODAY, YEARLY, Thresholds()).code == "golden"


def test_the_golden_threshold_is_configurable():
    gifts = [gift(dt.date(2025, 3, 1)), gift(dt.date(2026, 3, 1))]
    assert classify(gifts, TODAY, YEARLY, Thresholds(golden_min_years=2)).code == "golden"


def test_fiscal_years_that_do_not_start_in_january():
    # With the fiscal year starting in July, March 2025 and September 2025 are in different years
    # (2024/25 and 2025/26), and June 2026 is in 2025/26 with September 2025.
    assert fiscal_year(dt.date(2025, 3, 1), 7) == 2024
    assert fiscal_year(dt.date(2025, 9, 1), 7) == 2025
    assert fiscal_year(dt.date(2026, 6, 30), 7) == 2025
    assert fiscal_year_bounds(2025, 7) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    # May 2024, August 2024 and August 2025: two calendar years, but three fiscal years from July.
    gifts = [gift(dt.date(2024, 5, 1)), gift(dt.date(2024, 8, 1)), gift(dt.date(2025, 8, 1))]
    today = dt.date(2026, 5, 1)
    assert classify(gifts, today, YEARLY, Thresholds(fiscal_year_start_month=1)).code == "repeat"
    golden = classify(gifts, today, YEARLY, Thresholds(fiscal_year_start_month=7))
    assert (golden.code, golden.params["years"]) == ("golden", "2023, 2024, 2025")


def test_lapsing_after_one_cycle_and_lapsed_after_two():
    last = dt.date(2025, 6, 1)
    gifts = [gift(dt.date(2024, 6, 1)), gift(last)]
    assert classify(gifts, last + dt.timedelta(days=365), YEARLY, Thresholds()).code == "repeat"
    lapsing = classify(gifts, last + dt.timedelta(days=366), YEARLY, Thresholds())
    assert (lapsing.code, lapsing.params) == ("lapsing", {"months": 12, "cycle": 12})
    assert classify(gifts, last + dt.timedelta(days=731), YEARLY, Thresholds()).code == "lapsed"


def test_a_golden_relationship_that_goes_quiet_is_lapsing():
    gifts = [gift(dt.date(2021, 3, 1)), gift(dt.date(2022, 3, 1)), gift(dt.date(2023, 3, 1))]
    assert classify(gifts, dt.date(2024, 6, 1), YEARLY, Thresholds()).code == "lapsing"


def test_usual_cycle_is_the_median_gap_else_the_default():
    assert usual_cycle_days([300, 400, 2000]) == 400
    assert usual_cycle_days([]) is None


def test_gift_on_29_february():
    leap = gift(dt.date(2024, 2, 29))
    ask = next_ask([leap], [], dt.date(2024, 3, 1), cooldown_after_grant_months=12, cooldown_after_rejection_months=None)
    assert ask.on == dt.date(2025, 2, 28)
    gifts = [leap, gift(dt.date(2025, 2, 28)), gift(dt.date(2026, 3, 1))]
    assert classify(gifts, TODAY, YEARLY, Thresholds()).code == "golden"
    assert consecutive_years({fiscal_year(g.on) for g in gifts}, 2026) == 3


def test_next_ask_honours_the_cool_down_and_the_running_grant():
    running = gift(dt.date(2026, 1, 15), end=dt.date(2027, 6, 30))
    ask = next_ask([running], [], TODAY, cooldown_after_grant_months=12, cooldown_after_rejection_months=6)
    assert ask.on == dt.date(2027, 7, 1)  # the cool-down ends 15 Jan 2027, but the grant runs until 30 Jun 2027
    assert ask.reasons == [("The current grant runs until %(date)s.", {"date": "2027-06-30"})]
    short = gift(dt.date(2026, 1, 15), end=dt.date(2026, 12, 31))
    ask = next_ask([short], [], TODAY, cooldown_after_grant_months=18, cooldown_after_rejection_months=None)
    assert ask.on == dt.date(2027, 7, 15)  # here the cool-down is the later of the two
    assert ask.reasons[0][1]["months"] == 18


def test_next_ask_after_a_rejection():
    ask = next_ask([], [dt.date(2026, 9, 1)], TODAY, cooldown_after_grant_months=12, cooldown_after_rejection_months=6)
    assert ask.on == dt.date(2027, 3, 1)
    ask = next_ask([], [dt.date(2025, 1, 1)], TODAY, cooldown_after_grant_months=12, cooldown_after_rejection_months=6)
    assert ask.on == TODAY


def test_suggested_amount_follows_the_trend_within_the_funders_maximum():
    assert suggested_amount([]) is None
    assert suggested_amount([gift(dt.date(2025, 1, 1), 200_000)]) == 200_000 * KR
    rising = [gift(dt.date(2024, 1, 1), 200_000), gift(dt.date(2025, 1, 1), 250_000), gift(dt.date(2026, 1, 1), 300_000)]
    # changes +25 % and +20 %: 300.000 * 1.225 = 367.500, rounded to 5.000 -> 365.000 (banker's) or 370.000
    assert suggested_amount(rising) in (365_000 * KR, 370_000 * KR)
    assert suggested_amount(rising, grant_max_ore=350_000 * KR) == 350_000 * KR
    falling = [gift(dt.date(2025, 1, 1), 400_000), gift(dt.date(2026, 1, 1), 200_000)]
    assert suggested_amount(falling) == 100_000 * KR


def test_streaks_of_years():
    assert consecutive_years({2022, 2023, 2024, 2026}, 2026) == 1
    assert consecutive_years({2023, 2024, 2025}, 2026) == 3  # this year is not over: the streak holds
    assert consecutive_years({2023, 2024}, 2026) == 0
