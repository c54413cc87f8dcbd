"""The success fee: each kind with minimum and cap, its triggers, its ledger and the clawback."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fundtrack.applications.services import move_stage, record_money_received, record_reclaim
from fundtrack.fees import services as fees
from fundtrack.fees.models import FeeAgreement, FeeEntry
from fundtrack.instalments import services as instalments
from fundtrack.periods import Period
from fundtrack.validation import ValidationError, parse_percent
from tests.conftest import NOW, post

KR = 100


def _kinds(sums: dict) -> dict:
    """A ledger total's sums per entry kind (without what they came to and its share of the money)."""
    return {kind: amount for kind, amount in sums.items() if kind not in ("earned", "share")}


def _granted(create_application, granted_kroner, *, terms, funder=None, requested=None):
    application = create_application(
        stage="submitted", amount_requested_ore=(requested or granted_kroner) * KR, **({"funder": funder} if funder else {})
    )
    agreement = fees.set_agreement(application, terms, actor=None, now=NOW)
    move_stage(
        application, "granted", actor=None, now=NOW, amount_granted_ore=granted_kroner * KR, decided_on=dt.date(2026, 11, 20)
    )
    return application, FeeAgreement.get_by_id(agreement.id)


def test_percentage_fee_falls_due_on_the_award_letter(create_application):
    _, agreement = _granted(create_application, 400_000, terms={"kind": "percent", "percent_bp": 850})
    assert agreement.status == "due"
    assert agreement.amount_ore == 34_000 * KR
    assert agreement.due_on == dt.date(2026, 11, 20)
    entry = FeeEntry.get(FeeEntry.agreement == agreement)
    assert (entry.kind, entry.amount_ore, entry.booked_on) == ("due", 34_000 * KR, dt.date(2026, 11, 20))


def test_minimum_raises_a_small_fee(create_application):
    _, agreement = _granted(create_application, 50_000, terms={"kind": "percent", "percent_bp": 800, "minimum_ore": 10_000 * KR})
    assert agreement.amount_ore == 10_000 * KR


def test_cap_lowers_a_large_fee(create_application):
    _, agreement = _granted(
        create_application,
        5_000_000,
        terms={"kind": "percent", "percent_bp": 800, "minimum_ore": 10_000 * KR, "cap_ore": 150_000 * KR},
    )
    assert agreement.amount_ore == 150_000 * KR


def test_fixed_fee(create_application):
    _, agreement = _granted(create_application, 123_456, terms={"kind": "fixed", "fixed_ore": 25_000 * KR})
    assert agreement.amount_ore == 25_000 * KR


def test_percentage_is_rounded_to_whole_ore(create_application):
    application = create_application()
    agreement = FeeAgreement(kind="percent", percent_bp=333)
    assert fees.fee_amount(agreement, 100_01, 0) == 333  # 3.33 % of 100,01 kr. = 3,33 kr.
    assert application


def test_no_grant_no_fee(create_application):
    application = create_application(stage="submitted", amount_requested_ore=100_000 * KR)
    agreement = fees.set_agreement(
        application, {"kind": "percent", "percent_bp": 800, "minimum_ore": 5_000 * KR}, actor=None, now=NOW
    )
    move_stage(application, "rejected", actor=None, now=NOW, reason_code="budget")
    assert FeeAgreement.get_by_id(agreement.id).status == "not_due"
    assert not FeeEntry.select().exists()


def test_money_received_trigger_waits_for_the_money(create_application):
    application, agreement = _granted(
        create_application, 200_000, terms={"kind": "percent", "percent_bp": 1000, "trigger": "money_received"}
    )
    assert agreement.status == "not_due"
    record_money_received(application, dt.date(2026, 12, 15), actor=None, now=NOW)
    agreement = FeeAgreement.get_by_id(agreement.id)
    assert (agreement.status, agreement.amount_ore, agreement.due_on) == ("due", 20_000 * KR, dt.date(2026, 12, 15))


def test_agreement_added_after_the_grant_is_due_at_once(create_application):
    application = create_application(stage="submitted", amount_requested_ore=100_000 * KR)
    move_stage(application, "granted", actor=None, now=NOW, decided_on=dt.date(2026, 10, 1))
    agreement = fees.set_agreement(application, {"kind": "fixed", "fixed_ore": 7_500 * KR}, actor=None, now=NOW)
    assert (agreement.status, agreement.due_on) == ("due", dt.date(2026, 10, 1))


def test_invoice_then_paid(create_application):
    _, agreement = _granted(create_application, 100_000, terms={"kind": "fixed", "fixed_ore": 8_000 * KR})
    with pytest.raises(fees.FeeRefused):
        fees.mark_paid(agreement, on=dt.date(2026, 12, 1), actor=None, now=NOW)
    fees.invoice(agreement, number="2026-041", on=dt.date(2026, 11, 25), actor=None, now=NOW)
    fees.mark_paid(agreement, on=dt.date(2026, 12, 20), actor=None, now=NOW)
    assert agreement.status == "paid"
    kinds = [e.kind for e in FeeEntry.select().where(FeeEntry.agreement == agreement).order_by(FeeEntry.id)]
    assert kinds == ["due", "invoiced", "paid"]
    with pytest.raises(fees.FeeRefused):
        fees.set_agreement(agreement.application, {"kind": "fixed", "fixed_ore": 1}, actor=None, now=NOW)


def test_write_off_needs_a_reason(create_application):
    _, agreement = _granted(create_application, 100_000, terms={"kind": "fixed", "fixed_ore": 8_000 * KR})
    with pytest.raises(ValidationError):
        fees.write_off(agreement, on=dt.date(2026, 12, 1), reason=" ", actor=None, now=NOW)
    fees.write_off(agreement, on=dt.date(2026, 12, 1), reason="Organisationen er lukket", actor=None, now=NOW)
    assert agreement.status == "written_off"
    assert FeeEntry.get(FeeEntry.kind == "written_off").amount_ore == -8_000 * KR


def test_clawback_after_payment_books_the_difference_back(create_application):
    application, agreement = _granted(create_application, 400_000, terms={"kind": "percent", "percent_bp": 1000})
    fees.invoice(agreement, number="7", on=dt.date(2026, 11, 25), actor=None, now=NOW)
    fees.mark_paid(agreement, on=dt.date(2026, 12, 1), actor=None, now=NOW)
    notices = record_reclaim(application, 100_000 * KR, dt.date(2027, 6, 1), reason="Ubrugte midler", actor=None, now=NOW)
    assert [notice.params for notice in notices] == [{"amount_ore": 10_000 * KR}]  # the fee is reduced by 10.000 kr.
    agreement = FeeAgreement.get_by_id(agreement.id)
    assert (agreement.status, agreement.amount_ore) == ("paid", 30_000 * KR)
    clawback = FeeEntry.get(FeeEntry.kind == "clawback")
    assert (clawback.amount_ore, clawback.booked_on) == (-10_000 * KR, dt.date(2027, 6, 1))
    assert application.reclaimed_ore == 100_000 * KR


def test_clawback_respects_the_minimum_and_a_full_reclaim_owes_nothing(create_application):
    application, agreement = _granted(
        create_application, 100_000, terms={"kind": "percent", "percent_bp": 1000, "minimum_ore": 8_000 * KR}
    )
    assert agreement.amount_ore == 10_000 * KR
    record_reclaim(application, 50_000 * KR, dt.date(2027, 1, 1), reason="x", actor=None, now=NOW)
    assert FeeAgreement.get_by_id(agreement.id).amount_ore == 8_000 * KR  # 5.000 raised to the minimum
    record_reclaim(application, 50_000 * KR, dt.date(2027, 2, 1), reason="y", actor=None, now=NOW)
    assert FeeAgreement.get_by_id(agreement.id).amount_ore == 0
    assert sum(e.amount_ore for e in FeeEntry.select().where(FeeEntry.kind == "clawback")) == -10_000 * KR


def test_more_cannot_be_reclaimed_than_was_granted(create_application):
    application, _ = _granted(create_application, 100_000, terms={"kind": "fixed", "fixed_ore": 1_000 * KR})
    with pytest.raises(ValidationError):
        record_reclaim(application, 100_001 * KR, dt.date(2027, 1, 1), reason="x", actor=None, now=NOW)


def test_terms_are_checked(create_application):
    application = create_application()
    for terms, field in [
        ({"kind": "percent"}, "percent"),
        ({"kind": "percent", "percent_bp": 20_000}, "percent"),
        ({"kind": "fixed"}, "fixed_ore"),
        ({"kind": "percent", "percent_bp": 500, "minimum_ore": 10_000, "cap_ore": 5_000}, "cap_ore"),
    ]:
        with pytest.raises(ValidationError) as error:
            fees.set_agreement(application, terms, actor=None, now=NOW)
        assert field in error.value.errors


def test_parse_percent():
    assert parse_percent("8,5") == 850
    assert parse_percent("10 %") == 1000
    assert parse_percent("") is None
    with pytest.raises(ValueError):
        parse_percent("otte")


def test_ledger_per_quarter_and_organisation(create_application, create_organisation):
    cafe, garden = create_organisation("Café Kornet"), create_organisation("Naturhaven")
    a = create_application(organisation=cafe, stage="submitted", amount_requested_ore=100_000 * KR)
    b = create_application(organisation=garden, stage="submitted", amount_requested_ore=200_000 * KR)
    for application, day in ((a, dt.date(2026, 10, 5)), (b, dt.date(2026, 12, 30))):
        fees.set_agreement(application, {"kind": "percent", "percent_bp": 1000}, actor=None, now=NOW)
        move_stage(application, "granted", actor=None, now=NOW, decided_on=day)
    agreement_b = FeeAgreement.get(FeeAgreement.application == b)
    fees.invoice(agreement_b, number="1", on=dt.date(2027, 1, 2), actor=None, now=NOW)
    start, end = Period(2026, "Q", 4).start, Period(2026, "Q", 4).end
    assert (start, end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    totals = fees.ledger_totals(start, end)
    assert _kinds(totals["overall"]) == {"due": 30_000 * KR}
    assert {name: _kinds(sums) for name, sums in totals["by_organisation"].items()} == {
        "Café Kornet": {"due": 10_000 * KR},
        "Naturhaven": {"due": 20_000 * KR},
    }
    next_quarter = Period(2027, "Q", 1)
    assert _kinds(fees.ledger_totals(next_quarter.start, next_quarter.end)["overall"]) == {"invoiced": 20_000 * KR}
    assert _kinds(fees.ledger_totals(start, end, organisation_id=garden.id)["overall"]) == {"due": 20_000 * KR}
    assert totals["overall"]["earned"] == 30_000 * KR and totals["overall"]["share"] is None  # no money received
    assert len(list(fees.ledger(start, end))) == 2


def test_warning_when_the_funder_does_not_allow_consultant_fees(client, login_as, create_application, create_funder):
    strict = create_funder(name="Streng Fond", allows_consultant_fees=False)
    application = create_application(funder=strict)
    login_as("fundraiser")
    body = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "tillader ikke" in body or "does not allow" in body


def test_fees_are_shown_to_the_fundraiser_only(client, login_as, create_application, create_organisation):
    organisation = create_organisation()
    application, _ = _granted(
        lambda **kw: create_application(organisation=organisation, **kw),
        100_000,
        terms={"kind": "fixed", "fixed_ore": 4_321 * KR},
    )
    login_as("member", organisation=organisation)
    body = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "4.321 kr." not in body and 'id="fee"' not in body
    assert client.get("/fees/").status_code == 403
    assert client.post(f"/fees/applications/{application.id}").status_code in (400, 403)


def test_a_corrected_grant_recomputes_the_fee_and_books_the_difference_on_the_local_day(create_application):
    from fundtrack.applications.services import update_application

    application, agreement = _granted(create_application, 400_000, terms={"kind": "percent", "percent_bp": 1000})
    fees.invoice(agreement, number="F-7", on=dt.date(2026, 11, 25), actor=None, now=NOW)
    late_evening = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # half past midnight, 1 December, in Copenhagen
    update_application(application, {"amount_granted_ore": 350_000 * KR}, actor=None, now=late_evening)
    agreement = FeeAgreement.get_by_id(agreement.id)
    assert agreement.amount_ore == 35_000 * KR
    adjustment = FeeEntry.get((FeeEntry.agreement == agreement) & (FeeEntry.kind == "adjustment"))
    assert (adjustment.amount_ore, adjustment.booked_on) == (-5_000 * KR, dt.date(2026, 12, 1))
    totals = _kinds(fees.ledger_totals(dt.date(2026, 12, 1), dt.date(2026, 12, 31))["overall"])
    assert totals == {"adjustment": -5_000 * KR}
    update_application(application, {"title": "Nyt navn"}, actor=None, now=late_evening)  # no amount change, no booking
    assert FeeEntry.select().where(FeeEntry.kind == "adjustment").count() == 1


@pytest.mark.parametrize(
    "terms, field",
    [
        ({"kind": "percent", "percent_bp": 800, "minimum_ore": 600_000 * KR}, "minimum_ore"),
        ({"kind": "fixed", "fixed_ore": 500_001 * KR}, "fixed_ore"),
        ({"kind": "percent", "percent_bp": 800, "minimum_ore": 20_000 * KR, "cap_ore": 10_000 * KR}, "cap_ore"),
    ],
)
def test_a_fee_above_the_grant_or_a_cap_below_the_minimum_is_refused(create_application, terms, field):
    application = create_application(stage="submitted", amount_requested_ore=500_000 * KR)
    with pytest.raises(ValidationError) as refused:
        fees.set_agreement(application, terms, actor=None, now=NOW)
    assert field in refused.value.errors and FeeAgreement.select().count() == 0


def _scheduled(create_application, create_funder, create_organisation, terms):
    """300.000 kr. granted on 20 November 2026, paid 50/30/20 (150.000, 90.000 and 60.000 kr.)."""
    funder = create_funder(instalment_shares=[50, 30, 20])
    application = create_application(
        organisation=create_organisation("Kaffebaren"),
        funder=funder,
        stage="submitted",
        amount_requested_ore=300_000 * KR,
        project_start_on=dt.date(2027, 1, 1),
        project_end_on=dt.date(2029, 12, 31),
    )
    agreement = fees.set_agreement(application, terms, actor=None, now=NOW)
    move_stage(application, "granted", actor=None, now=NOW, amount_granted_ore=300_000 * KR, decided_on=dt.date(2026, 11, 20))
    return application, agreement, instalments.schedule(application)


def _entries(agreement):
    return [(e.kind, e.amount_ore, e.booked_on.isoformat()) for e in agreement.entries.order_by(FeeEntry.id)]


def test_a_fee_on_the_money_falls_due_per_instalment_pro_rata(create_application, create_funder, create_organisation):
    terms = {"kind": "percent", "percent_bp": 850, "trigger": "money_received"}
    application, agreement, (first, second, third) = _scheduled(create_application, create_funder, create_organisation, terms)
    assert [i.planned_ore // KR for i in (first, second, third)] == [150_000, 90_000, 60_000]
    assert FeeAgreement.get_by_id(agreement.id).status == "not_due"
    # Received at 00:30 on 10 January in Copenhagen (still 9 January in UTC): booked on the day the money came.
    instalments.receive(first, dt.date(2027, 1, 10), None, actor=None, now=dt.datetime(2027, 1, 9, 23, 30, tzinfo=dt.UTC))
    agreement = FeeAgreement.get_by_id(agreement.id)
    assert (agreement.status, agreement.amount_ore, agreement.due_on) == ("due", 12_750 * KR, dt.date(2027, 1, 10))
    fees.invoice(agreement, number="F-1", on=dt.date(2027, 1, 15), actor=None, now=NOW)
    fees.mark_paid(FeeAgreement.get_by_id(agreement.id), on=dt.date(2027, 1, 20), actor=None, now=NOW)
    instalments.receive(second, dt.date(2027, 6, 30), None, actor=None, now=NOW)
    agreement = FeeAgreement.get_by_id(agreement.id)
    assert (agreement.status, agreement.amount_ore) == ("due", 20_400 * KR)  # the new part is due again
    fees.invoice(agreement, number="F-2", on=dt.date(2027, 7, 1), actor=None, now=NOW)
    instalments.receive(third, dt.date(2028, 1, 5), None, actor=None, now=NOW)
    agreement = FeeAgreement.get_by_id(agreement.id)
    assert (agreement.status, agreement.amount_ore) == ("due", 25_500 * KR)
    assert _entries(agreement) == [
        ("due", 12_750 * KR, "2027-01-10"),
        ("invoiced", 12_750 * KR, "2027-01-15"),
        ("paid", 12_750 * KR, "2027-01-20"),
        ("due", 7_650 * KR, "2027-06-30"),
        ("invoiced", 7_650 * KR, "2027-07-01"),
        ("due", 5_100 * KR, "2028-01-05"),
    ]
    fees.invoice(agreement, number="F-3", on=dt.date(2028, 1, 10), actor=None, now=NOW)
    fees.mark_paid(FeeAgreement.get_by_id(agreement.id), on=dt.date(2028, 1, 20), actor=None, now=NOW)
    assert fees.booked(agreement, "paid") == fees.booked(agreement, "invoiced") == 25_500 * KR


def test_the_parts_of_a_fee_add_up_to_the_whole_fee_despite_rounding(create_application, create_funder, create_organisation):
    terms = {"kind": "fixed", "fixed_ore": 100_001, "trigger": "money_received"}
    _, agreement, schedule = _scheduled(create_application, create_funder, create_organisation, terms)
    for day, instalment in zip((10, 11, 12), schedule, strict=True):
        instalments.receive(instalment, dt.date(2027, 1, day), None, actor=None, now=NOW)
    # 50 % of 1.000,01 kr. is 500,005 -> 500,01; 80 % is 800,008 -> 800,01; all of it is 1.000,01.
    assert [amount for kind, amount, _ in _entries(agreement)] == [50_001, 30_000, 20_000]


def test_a_receipt_taken_back_takes_its_part_of_the_fee_back(create_application, create_funder, create_organisation):
    terms = {"kind": "percent", "percent_bp": 1000, "trigger": "money_received"}
    _, agreement, (first, second, _) = _scheduled(create_application, create_funder, create_organisation, terms)
    instalments.receive(first, dt.date(2027, 1, 10), None, actor=None, now=NOW)
    instalments.receive(second, dt.date(2027, 2, 10), None, actor=None, now=NOW)
    instalments.update_instalment(second, {"received_on": None, "received_ore": None}, actor=None, now=NOW)
    agreement = FeeAgreement.get_by_id(agreement.id)
    assert agreement.amount_ore == 15_000 * KR
    today = NOW.astimezone(ZoneInfo("Europe/Copenhagen")).date().isoformat()
    assert _entries(agreement)[-1] == ("adjustment", -9_000 * KR, today)  # the local day of the change


@pytest.mark.parametrize(
    ("terms", "named"),
    [
        ({"kind": "percent", "percent_bp": 2500}, "Procent af bevillingen"),
        ({"kind": "percent", "percent_bp": 500, "minimum_ore": 70_000 * KR}, "Mindste honorar"),
        ({"kind": "fixed", "fixed_ore": 90_000 * KR}, "Fast honorar"),
    ],
)
def test_a_fee_above_the_configured_share_of_the_grant_is_warned_naming_the_field(
    create_application, client, login_as, terms, named
):
    application, _ = _granted(create_application, 300_000, terms=terms)
    login_as("fundraiser")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "mere end 20 % af bevillingen" in page and named in page


def test_a_fee_within_the_share_is_not_warned(create_application, client, login_as):
    application, _ = _granted(create_application, 300_000, terms={"kind": "percent", "percent_bp": 850})
    login_as("fundraiser")
    assert "af bevillingen (" not in client.get(f"/applications/{application.id}").get_data(as_text=True)


def test_the_ledger_shows_the_share_of_the_money_received_that_went_to_fees(
    create_application, create_funder, create_organisation, client, login_as
):
    terms = {"kind": "percent", "percent_bp": 850, "trigger": "money_received"}
    _, _, (first, _, _) = _scheduled(create_application, create_funder, create_organisation, terms)
    instalments.receive(first, dt.date(2027, 1, 10), None, actor=None, now=NOW)
    totals = fees.ledger_totals(dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    kaffebaren = totals["by_organisation"]["Kaffebaren"]
    assert (kaffebaren["due"], kaffebaren["received"], kaffebaren["earned"]) == (12_750 * KR, 150_000 * KR, 12_750 * KR)
    assert kaffebaren["share"] == pytest.approx(0.085)
    login_as("fundraiser")
    page = client.get("/fees/?quarter=2027-Q1").get_data(as_text=True)
    assert "150.000 kr." in page and "8,5" in page


def test_a_refused_fee_step_shows_the_error_at_its_field_and_keeps_what_was_typed(client, login_as, create_application):
    application, agreement = _granted(create_application, 100_000, terms={"kind": "percent", "percent_bp": 500})
    login_as("fundraiser")
    page = f"/applications/{application.id}"
    invoice = post(
        client, f"/fees/applications/{application.id}/invoice", {"number": "F-2027-17", "on": "32.13.2026"}, token_from=page
    )
    body = invoice.get_data(as_text=True)
    assert invoice.status_code == 400 and 'value="F-2027-17"' in body and 'value="32.13.2026"' in body
    assert 'aria-invalid="true"' in body
    written_off = post(
        client, f"/fees/applications/{application.id}/write-off", {"on": "2026-11-30", "reason": ""}, token_from=page
    )
    assert written_off.status_code == 400 and 'value="2026-11-30"' in written_off.get_data(as_text=True)
    terms = {"kind": "percent", "percent": "tolv", "trigger": "award_letter"}
    refused = post(client, f"/fees/applications/{application.id}", terms, token_from=page)
    assert refused.status_code == 400 and 'value="tolv"' in refused.get_data(as_text=True)
    assert FeeAgreement.get_by_id(agreement.id).status == "due" and agreement.invoice_number in ("", None)
