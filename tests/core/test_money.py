from decimal import Decimal

import pytest

from fundtrack.money import format_dkk, parse_dkk, parse_number


@pytest.mark.parametrize(
    "text, ore",
    [
        ("1.250.000,00 kr.", 125_000_000),
        ("1250000", 125_000_000),
        ("DKK 1,250,000", 125_000_000),
        ("1.250.000 kr", 125_000_000),
        ("kr. 500,-", 50_000),
        ("12,50", 1_250),
        ("1,5 mio. kr.", 150_000_000),
        ("1 250 000", 125_000_000),
        ("-300", -30_000),
        ("1,250,000.75", 125_000_075),
        ("", None),
        (None, None),
        (1250, 125_000),
    ],
)
def test_parse_amounts_as_fundraisers_write_them(text, ore):
    assert parse_dkk(text) == ore


@pytest.mark.parametrize("text", ["abc", "1.25.0", "12,345,67", "kr.", "1,234.5.6", "1.2.3"])
def test_unreadable_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_dkk(text)


def test_a_mark_followed_by_three_digits_groups_thousands():
    assert parse_dkk("1,005") == 100_500
    assert parse_dkk("1.005") == 100_500


def test_more_than_two_decimals_is_refused():
    with pytest.raises(ValueError):
        parse_dkk(12.345)


def test_format_danish_and_english():
    assert format_dkk(125_000_000) == "1.250.000 kr."
    assert format_dkk(125_000_050) == "1.250.000,50 kr."
    assert format_dkk(125_000_000, "en") == "DKK 1,250,000"
    assert format_dkk(-5_000, "en") == "DKK -50"
    assert format_dkk(None) == "–"


def test_sums_in_ore_do_not_drift():
    amounts = [parse_dkk("0,10")] * 10
    assert sum(amounts) == parse_dkk("1")


@pytest.mark.parametrize(
    "text, number",
    [
        ("25", Decimal("25")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("1.250", Decimal("1250")),
        ("1 250", Decimal("1250")),
        ("1.250,75", Decimal("1250.75")),
        ("", None),
        (None, None),
    ],
)
def test_counts_and_measures_read_the_danish_way(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["mange", "12,5,1", "-3", "1.2.3"])
def test_unreadable_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)
