"""The business case on the hand-worked quarter: the money per krone spent on the unit, the net after the
success fees, their share, and the social bottom line per organisation."""

import datetime as dt
from decimal import Decimal

import pytest

from fundtrack.checklists import services as checklists
from fundtrack.config import ReportSettings
from fundtrack.deadlines.services import add_deadline
from fundtrack.periods import parse_period
from fundtrack.reports import services
from fundtrack.reports.models import UnitCost
from tests.conftest import NOW, post
from tests.reports.conftest import worked  # noqa: F401  (the hand-worked fixture)

Q3 = parse_period("2026-Q3")
YEARLY = ReportSettings(unit_cost_per_year=400_000)  # kroner: a quarter costs 100.000 kr.


def _case(with_fees=True, settings=YEARLY):
    return services.overview(Q3, organisation=None, today=NOW.date(), settings=settings, with_fees=with_fees).business


def test_money_per_krone_spent_on_the_unit(worked):  # noqa: F811
    case = _case()
    assert case.cost_ore == 100_000_00 and case.granted_net_ore == 140_000_36  # 80.000,25 + 60.000,11
    assert case.granted_per_krone == pytest.approx(1.4000036)
    assert case.received_per_krone == case.received_ore / 100_000_00
    UnitCost.create(period="2026-Q3", amount_ore=70_000_00, updated_at=NOW)  # the quarter's own cost
    assert _case().granted_per_krone == pytest.approx(2.0000051, rel=1e-6)
    UnitCost.delete().execute()
    UnitCost.create(period="2026", amount_ore=280_000_00, updated_at=NOW)  # the year's entered: a fourth each
    assert _case().cost_ore == 70_000_00
    assert _case(settings=ReportSettings()).cost_ore == 70_000_00
    UnitCost.delete().execute()
    assert _case(settings=ReportSettings()).cost_ore is None and _case(settings=ReportSettings()).granted_per_krone is None
    assert services.unit_cost(parse_period("2026-H2"), YEARLY) == 200_000_00


def test_the_net_after_the_success_fees_and_their_share(worked):  # noqa: F811
    case = _case()
    assert case.fees_ore == 5_000_00  # the fixed fee of "Kornet 2026", due on its grant in August
    assert case.net_to_enterprises_ore == 135_000_36
    assert case.fee_share == pytest.approx(5_000_00 / 140_000_36)
    assert _case(with_fees=False).net_to_enterprises_ore is None  # the fees stay with the fundraiser


def test_the_social_bottom_line_per_organisation(worked, complete_checklist):  # noqa: F811
    for key, people, jobs in (("municipal", "12", "2"), ("spring", "7", "")):
        checklist = complete_checklist(worked[key])
        report = add_deadline(worked[key], "interim_report", dt.date(2026, 9, 15), now=NOW)
        items = {item.indicator: item for item, _ in checklists.promised_indicators(checklist.application)}
        values = {items["participants"].id: (people, ""), items["jobs"].id: (jobs, "")}
        checklists.record_outcomes(report, values, actor=None, now=NOW)
    case = _case()
    assert case.social == [
        ("Café Kornet", {"participants": Decimal("12"), "jobs": Decimal("2")}),
        ("Naturhaven", {"participants": Decimal("7")}),
    ]
    assert case.social_totals == {"participants": Decimal("19"), "jobs": Decimal("2")}


def test_the_page_shows_the_business_case_and_the_fundraiser_enters_the_cost(worked, client, login_as):  # noqa: F811
    login_as("fundraiser")
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert 'id="business-case"' in page and "ikke indtastet" in page  # no cost configured in the test app
    saved = post(client, "/reports/2026-Q3/cost", {"amount": "70.000"}, token_from="/reports/2026-Q3")
    assert saved.status_code == 302 and UnitCost.get().amount_ore == 70_000_00
    page = client.get("/reports/2026-Q3").get_data(as_text=True)
    assert "2 kr." in page and "135.000,36 kr." in page  # per krone; the net after the fees
    refused = post(client, "/reports/2026-Q3/cost", {"amount": "mange penge"}, token_from="/reports/2026-Q3")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and UnitCost.get().amount_ore == 70_000_00
    assert 'value="mange penge"' in body and "Angiv udgiften i kroner" in body  # what was typed, and why not
    data = client.get("/reports/2026-Q3.json").get_json()
    figures = {row["figure"]: row["value"] for row in data["business_case"]}
    assert figures["unit_cost"] == 70000 and figures["net_to_enterprises"] == 135000.36
