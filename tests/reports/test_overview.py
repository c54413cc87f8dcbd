"""The funding overview against the fixture worked out by hand: the applications and their sums are in conftest.py."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fundtrack.checklists import services as checklists
from fundtrack.config import ConfigError, ReportSettings, load_settings
from fundtrack.periods import parse_period
from fundtrack.reports import figures, services
from tests.conftest import NOW

Q3 = parse_period("2026-Q3")


def test_quarter_boundaries_are_copenhagen_dates(worked):
    assert worked["repeat"].submitted_on == dt.date(2026, 7, 1)  # 22:30 UTC on 30 June
    assert worked["spring"].decided_on == dt.date(2026, 6, 30)  # 21:30 UTC, still 30 June in Copenhagen
    assert worked["big"].submitted_on == dt.date(2026, 9, 30)


def test_the_quarter_figures_match_the_hand_worked_sums(worked):
    q3 = figures.totals(Q3)
    assert (q3.submitted, q3.requested_ore) == (3, 10_000_050 + 20_000_033 + 3_000_017)
    assert (q3.decided, q3.granted, q3.rejected, q3.withdrawn) == (2, 2, 0, 1)
    assert q3.granted_ore == 8_000_025 + 6_000_011 == 14_000_036
    assert q3.reclaimed_ore == 0  # reclaimed in October: it counts in Q4
    assert q3.decided_requested_ore == 10_000_050 + 6_000_011
    assert q3.success_rate == 1.0
    assert q3.success_rate_amount == pytest.approx(14_000_036 / 16_000_061)
    assert (q3.repeat, q3.repeat_ore, q3.new, q3.new_ore) == (1, 8_000_025, 1, 6_000_011)
    assert q3.golden_share == pytest.approx(8_000_025 / 14_000_036)


def test_submitted_in_one_quarter_and_decided_in_the_next(worked):
    q4 = figures.totals(parse_period("2026-Q4"))
    assert (q4.submitted, q4.decided, q4.rejected, q4.rejected_ore) == (0, 1, 1, 20_000_033)
    assert (q4.granted_ore, q4.reclaimed_ore, q4.net_ore) == (0, 1_000_005, -1_000_005)
    assert q4.success_rate == 0.0


def test_the_comparison_periods(worked, app):
    overview = services.overview(
        Q3, organisation=None, today=dt.date(2026, 11, 22), settings=app.extensions["fundtrack.settings"].reports, with_fees=True
    )
    assert (overview.previous.submitted, overview.previous.requested_ore) == (2, 6_000_011 + 4_000_000)
    assert (overview.previous.granted, overview.previous.granted_ore) == (1, 4_000_000)
    assert (overview.year_before.submitted, overview.year_before.rejected, overview.year_before.success_rate) == (1, 1, 0.0)
    granted = next(c for c in overview.comparisons if c.field == "granted_ore")
    assert granted.change_previous == (14_000_036 - 4_000_000, pytest.approx(10_000_036 / 4_000_000))
    assert granted.change_year_before == (14_000_036, None)  # nothing was won a year before: no percentage
    rate = next(c for c in overview.comparisons if c.field == "success_rate")
    assert rate.change_year_before == (1.0, None)  # rates change in points


def test_a_half_year_and_a_year_add_up_their_quarters(worked):
    h2, year = figures.totals(parse_period("2026-H2")), figures.totals(parse_period("2026"))
    assert (h2.submitted, h2.decided, h2.granted_ore) == (3, 3, 14_000_036)
    assert (year.submitted, year.granted, year.rejected, year.withdrawn) == (5, 3, 1, 1)
    assert year.requested_ore == 10_000_050 + 20_000_033 + 3_000_017 + 6_000_011 + 4_000_000
    assert year.granted_ore == 14_000_036 + 4_000_000


def test_a_year_with_no_data(worked, client, login_as):
    empty = figures.totals(parse_period("2019"))
    assert empty == figures.Figures()
    assert (empty.success_rate, empty.success_rate_amount, empty.golden_share) == (None, None, None)
    login_as("fundraiser", language="en")
    page = client.get("/reports/2019").get_data(as_text=True)
    assert "No application was submitted or decided in 2019." in page


def test_breakdowns_by_organisation_funder_kind_goal_and_theme(worked):
    by = {d: {name: f for _, name, f in figures.breakdown(Q3, d)} for d in figures.DIMENSIONS}
    assert (by["organisation"]["Café Kornet"].submitted, by["organisation"]["Café Kornet"].granted_ore) == (1, 14_000_036)
    assert (by["organisation"]["Naturhaven"].submitted, by["organisation"]["Naturhaven"].withdrawn) == (2, 1)
    assert by["funder"]["Kornmod Fonden"].submitted == 2 and by["funder"]["Puljen"].granted_ore == 6_000_011
    assert by["funder_kind"]["private_foundation"].granted_ore == 8_000_025
    assert by["funder_kind"]["public_pool"].submitted == 1
    assert set(by["un_goal"]) == {"8", "17"} and by["un_goal"]["8"].granted_ore == 8_000_025
    assert by["theme"]["mad"].granted_ore == by["theme"]["beskæftigelse"].granted_ore == 14_000_036
    assert by["theme"]["natur"].requested_ore == 20_000_033 + 3_000_017


def test_a_member_sees_only_their_organisation(worked):
    haven = figures.totals(Q3, worked["haven"].id)
    assert (haven.submitted, haven.granted, haven.withdrawn) == (2, 0, 1)


def test_the_weighted_forecast_uses_the_configured_probabilities(app, create_application):
    from fundtrack.deadlines import services as deadlines

    idea = create_application(stage="idea", amount_requested_ore=1_000_001)
    waiting = create_application(stage="drafting", amount_requested_ore=2_000_000)
    deadlines.add_deadline(waiting, "submission", dt.date(2026, 12, 1), now=NOW)
    settings = app.extensions["fundtrack.settings"].reports
    rows = services.forecast(dt.date(2026, 11, 22), settings)
    assert [row.quarter.code if row.quarter else row.bucket for row in rows] == [
        "2026-Q4",
        "2027-Q1",
        "2027-Q2",
        "2027-Q3",
        "later",
        "unscheduled",
    ]
    # A submission on 1 December: the decision is expected three months later, in 2027-Q1.
    assert rows[1].by_stage["drafting"] == (1, 2_000_000)
    assert rows[1].weighted_ore == 500_000  # 25 %
    assert rows[-1].by_stage["idea"] == (1, 1_000_001) and rows[-1].weighted_ore == 100_000  # 10 %, half up
    assert idea.id and services.weighted(1_000_005, 0.1) == 100_001
    custom = ReportSettings(probability_drafting=0.5, decision_months_after_submission=0)
    rows = services.forecast(dt.date(2026, 11, 22), custom)
    assert rows[0].by_stage["drafting"] == (1, 2_000_000) and rows[0].weighted_ore == 1_000_000


def test_forecast_and_deadline_numbers_link_to_their_applications(app, client, login_as, create_application, frozen_clock):
    from fundtrack.deadlines.services import add_deadline

    frozen_clock.move_to(dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC))
    soon = create_application(title="Snart", stage="submitted", amount_requested_ore=1_000_000)
    add_deadline(soon, "decision_expected", dt.date(2026, 12, 15), now=NOW)
    late = create_application(title="Sent", stage="submitted", amount_requested_ore=2_000_000)
    add_deadline(late, "decision_expected", dt.date(2028, 1, 15), now=NOW)
    drafted = create_application(title="Kladde", stage="drafting", amount_requested_ore=3_000_000)
    add_deadline(drafted, "submission", dt.date(2027, 1, 20), now=NOW)  # decision expected April 2027
    create_application(title="Løs idé", stage="idea")
    rows = {
        row.quarter.code if row.quarter else row.bucket: row
        for row in services.forecast(dt.date(2026, 11, 22), app.extensions["fundtrack.settings"].reports)
    }
    assert (rows["2026-Q4"].count, rows["2027-Q2"].count, rows["later"].count, rows["unscheduled"].count) == (1, 1, 1, 1)
    login_as("viewer", language="en")
    assert _listed(client, "/applications/?expected=2026-Q4") == {"Snart"}
    assert _listed(client, "/applications/?expected=2027-Q2&stage=drafting") == {"Kladde"}
    assert _listed(client, "/applications/?expected=later") == {"Sent"}
    assert _listed(client, "/applications/?expected=none") == {"Løs idé"}
    assert _listed(client, "/applications/?due=2027-Q1&due_kind=submission") == {"Kladde"}
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "expected=2026-Q4" in page and "due=2026-Q4&amp;due_kind=decision_expected" in page


def test_stage_probabilities_are_checked_when_loaded():
    settings = load_settings({"testing": True, "reports": {"probability_submitted": 0.6}}, environ={})
    assert settings.reports.probability_submitted == 0.6
    with pytest.raises(ConfigError, match="reports.probability_idea"):
        load_settings({"testing": True, "reports": {"probability_idea": 1.5}}, environ={})


def test_deadlines_of_the_next_quarter_and_outcomes(worked):
    counts, listed = services.next_deadlines(parse_period("2026-Q4"))
    assert sum(n for n, _ in counts.values()) == len(listed)
    assert all(dt.date(2026, 10, 1) <= d.due_on <= dt.date(2026, 12, 31) for d in listed)


def test_outcomes_reported_with_the_period_reports(worked, complete_checklist, client, login_as):
    from fundtrack.deadlines.services import add_deadline

    checklist = complete_checklist(worked["municipal"])
    report = add_deadline(worked["municipal"], "interim_report", dt.date(2026, 9, 15), now=NOW)
    items = {item.indicator: item for item, _ in checklists.promised_indicators(checklist.application)}
    checklists.record_outcomes(report, {items["participants"].id: ("12", ""), items["jobs"].id: ("2,5", "")}, actor=None, now=NOW)
    assert services.checklists.outcome_totals(Q3.start, Q3.end) == {"participants": Decimal("12"), "jobs": Decimal("2.5")}
    login_as("viewer", language="en")
    data = client.get("/reports/2026-Q3.json").get_json()
    assert {row["indicator"]: row["value"] for row in data["outcomes"]} == {"participants": 12, "jobs": 2.5}
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "Participants reached" in page and "Jobs created" in page and "outcomes=2026-Q3" in page
    assert _listed(client, "/applications/?outcomes=2026-Q3") == {"Kornet kommune"}


def test_fees_only_for_the_fundraiser(worked, client, login_as):
    assert services.fee_totals(Q3) == {"earned": 500_000, "invoiced": 500_000, "paid": 0, "written_off": 0}
    login_as("fundraiser", language="en")
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "The fundraiser's fees" in page and "DKK 5,000" in page and "/fees/?quarter=2026-Q3" in page


def test_viewers_see_the_overview_without_fees_or_notes(worked, client, login_as):
    worked["repeat"].notes = "Personlig note: ring til formanden"
    worked["repeat"].save()
    login_as("viewer", language="en")
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "Funding overview Q3 2026" in page and "DKK 140,000.36" in page
    assert "fees" not in page.lower().replace("fees are not shown", "") and "Personlig note" not in page
    assert client.get("/reports/2026-Q3.json").get_json().get("fees") is None


def test_members_see_their_own_organisation_only(worked, client, login_as):
    login_as("member", organisation=worked["haven"], language="en")
    data = client.get(f"/reports/2026-Q3.json?organisation={worked['kornet'].id}").get_json()
    assert data["organisation"] == "Naturhaven"
    assert data["summary"][0] == {
        "figure": "submitted",
        "label": "Applications submitted",
        "this_period": 2,
        "previous_period": 1,
        "same_period_last_year": 0,
    }


def test_every_number_links_to_the_applications_behind_it(worked, client, login_as):
    login_as("fundraiser", language="en")
    for figure, expected in [
        ("submitted", {"Kornet 2026", "Haven stor", "Haven lille"}),
        ("granted", {"Kornet 2026", "Kornet kommune"}),
        ("withdrawn", {"Haven lille"}),
        ("repeat", {"Kornet 2026"}),
        ("new", {"Kornet kommune"}),
        ("decided", {"Kornet 2026", "Kornet kommune"}),
    ]:
        assert _listed(client, f"/applications/?period=2026-Q3&figure={figure}") == expected, figure
    assert _listed(client, "/applications/?period=2026-Q3&figure=submitted&theme=natur") == {"Haven stor", "Haven lille"}
    assert _listed(client, "/applications/?period=2026-Q3&figure=granted&un_goal=8") == {"Kornet 2026"}
    assert _listed(client, "/applications/?period=2026-Q3&figure=granted&funder_kind=public_pool") == {"Kornet kommune"}
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "/applications/?figure=granted&amp;period=2026-Q3" in page
    assert f"figure=submitted&amp;organisation={worked['haven'].id}&amp;period=2026-Q3" in page


def _listed(client, url) -> set[str]:
    import re

    html = client.get(url).get_data(as_text=True)
    return set(re.findall(r'<td><a href="/applications/\d+">([^<]+)</a></td>', html))


def test_the_xlsx_holds_the_same_numbers_as_the_page(worked, client, login_as):
    login_as("fundraiser", language="en")
    response = client.get("/reports/2026-Q3.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert {
        "summary",
        "by_organisation",
        "by_funder",
        "by_funder_kind",
        "by_un_goal",
        "by_theme",
        "by_quarter",
        "forecast",
        "deadlines",
        "outcomes",
        "fees",
    } <= set(workbook.sheetnames)
    summary = {row[0]: row[2] for row in workbook["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["submitted"] == 3 and summary["granted_net"] == pytest.approx(140_000.36)
    assert summary["requested"] == pytest.approx(330_001.00)
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    for text in ("DKK 140,000.36", "DKK 330,001", "DKK 60,000.11"):
        assert text in page
    organisations = {row[1]: row for row in workbook["by_organisation"].iter_rows(min_row=2, values_only=True)}
    header = [cell.value for cell in workbook["by_organisation"][1]]
    assert organisations["Café Kornet"][header.index("granted_net")] == pytest.approx(140_000.36)


def test_csv_and_json(worked, client, login_as):
    login_as("fundraiser", language="en")
    text = client.get("/reports/2026-Q3.csv").data.decode("utf-8-sig")
    assert "2026-Q3;summary;granted_net;Amount granted less reclaimed;this_period;140000.36" in text
    data = json.loads(client.get("/reports/2026-Q3.json").data)
    assert data["period"] == "2026-Q3" and data["start"] == "2026-07-01" and data["end"] == "2026-09-30"
    granted = next(row for row in data["summary"] if row["figure"] == "granted_net")
    assert Decimal(str(granted["this_period"])) == Decimal("140000.36")


def test_the_command_writes_every_format(worked, runner, tmp_path):
    for fmt in ("html", "xlsx", "csv", "json"):
        target = tmp_path / f"overview.{fmt}"
        result = runner.invoke(["reports", "quarterly", "2026-Q3", "--format", fmt, "-o", str(target), "--language", "en"])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    html = (tmp_path / "overview.html").read_text()
    assert "<style>" in html and "@page" in html and "Funding overview Q3 2026" in html and "DKK 140,000.36" in html
    assert "fundraiser's fees" not in html  # fees only with --with-fees
    bad = runner.invoke(["reports", "quarterly", "2026-Q5"])
    assert bad.exit_code != 0 and "2026-Q3" in bad.output


def test_bad_periods_get_a_clear_message(worked, client, login_as):
    login_as("fundraiser", language="en")
    response = client.get("/reports/?period=tredje+kvartal")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give a period as 2026-Q3" in page and 'value="tredje kvartal"' in page
    assert client.get("/reports/?period=2026-q3").headers["Location"].endswith("/reports/2026-Q3")
    assert client.get("/reports/2026-Q5").status_code == 404


def test_the_page_speaks_danish(worked, client, login_as):
    login_as("fundraiser", language="da")
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "Fundingoversigt 3. kvartal 2026" in page and "K3 2026" in page and "140.000,36 kr." in page


def test_charts_are_svg_with_text_alternatives(worked, client, login_as):
    login_as("fundraiser", language="en")
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert page.count("<svg ") == 4 and "<script" not in page.split("<main")[1].split("</main>")[0]
    assert '<desc id="chart-won-desc">' in page and "Q3 2026: DKK 140,000.36" in page
