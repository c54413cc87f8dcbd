"""Relationships from real applications: what counts as a gift, the metrics over a hand-worked history,
the pages, the export, and who sees what."""

import datetime as dt
import json

import pytest

from fundtrack.applications.services import move_stage, record_reclaim
from fundtrack.config import RelationshipSettings
from fundtrack.deadlines.services import add_deadline, complete_deadline
from fundtrack.relationships import services
from fundtrack.relationships.models import Interaction, Relationship
from fundtrack.validation import ValidationError
from tests.conftest import NOW, post

KR = 100
TODAY = dt.date(2026, 11, 22)
SETTINGS = RelationshipSettings()


def moment(day):
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def give(create_application):
    """An application decided on `day`: granted (a gift), or another outcome."""

    def make(organisation, funder, day, kroner=100_000, outcome="granted", **fields):
        application = create_application(
            organisation=organisation,
            funder=funder,
            stage="submitted",
            amount_requested_ore=kroner * KR,
            now=moment(day),
            **fields,
        )
        extra = {"reason_code": "budget"} if outcome == "rejected" else {}
        move_stage(application, outcome, actor=None, now=moment(day), decided_on=day, **extra)
        return application

    return make


def overview_of(funder, organisation, today=TODAY, settings=SETTINGS):
    relationship = (
        services.with_parties(Relationship.select())
        .where((Relationship.funder == funder) & (Relationship.organisation == organisation))
        .get()
    )
    return services.overviews([relationship], today, settings)[0]


def test_relationships_are_derived_from_applications(create_application, create_funder, create_organisation):
    funder, cafe, garden = create_funder(), create_organisation(), create_organisation()
    create_application(funder=funder, organisation=cafe)
    create_application(funder=funder, organisation=cafe)
    create_application(funder=funder, organisation=garden)
    assert Relationship.select().count() == 2  # written with the applications, not when a page is read
    Relationship.delete().where(Relationship.organisation == garden).execute()  # as if a crash had left it out
    assert services.refresh_all(now=NOW) == 2  # the catch-up job writes it
    assert Relationship.select().count() == 2


def test_rejected_and_withdrawn_applications_are_not_gifts(give, create_funder, create_organisation, create_application):
    funder, cafe = create_funder(), create_organisation()
    give(cafe, funder, dt.date(2025, 3, 1), outcome="rejected")
    withdrawn = create_application(organisation=cafe, funder=funder)
    move_stage(withdrawn, "withdrawn", actor=None, now=NOW)
    overview = overview_of(funder, cafe)
    assert overview.gifts == [] and overview.status.code == "prospect"
    give(cafe, funder, dt.date(2026, 3, 1))
    assert overview_of(funder, cafe).status.code == "first_gift"


def test_a_reclaimed_grant_stops_counting(give, create_funder, create_organisation):
    funder, cafe = create_funder(), create_organisation()
    give(cafe, funder, dt.date(2025, 3, 1))
    second = give(cafe, funder, dt.date(2026, 3, 1), kroner=200_000)
    assert overview_of(funder, cafe).status.code == "repeat"
    record_reclaim(second, 50_000 * KR, dt.date(2026, 9, 1), reason="ubrugt", actor=None, now=NOW)
    overview = overview_of(funder, cafe)
    assert overview.lifetime_ore == 250_000 * KR  # 100.000 + (200.000 - 50.000)
    record_reclaim(second, 150_000 * KR, dt.date(2026, 10, 1), reason="resten", actor=None, now=NOW)
    overview = overview_of(funder, cafe)
    assert len(overview.gifts) == 1 and overview.lifetime_ore == 100_000 * KR


def test_golden_with_the_usual_cycle_learnt_from_the_funder(give, create_funder, create_organisation):
    funder, cafe = create_funder(cooldown_after_grant_months=12), create_organisation()
    for day in (dt.date(2023, 12, 1), dt.date(2024, 12, 1), dt.date(2025, 12, 1)):
        give(cafe, funder, day, project_end_on=day + dt.timedelta(days=300))
    overview = overview_of(funder, cafe)
    assert overview.status.code == "golden"
    assert overview.cycle_days == 365  # the median of 366 days (over 29 February 2024) and 365 days, rounded down
    assert overview.next_ask.on == dt.date(2026, 12, 1)
    assert overview.consecutive_years == 3
    assert overview_of(funder, cafe, today=dt.date(2026, 12, 15)).status.code == "lapsing"
    assert overview_of(funder, cafe, today=dt.date(2027, 12, 15)).status.code == "lapsed"


def test_next_ask_shows_the_next_round_and_call_of_the_funder(give, create_funder, create_organisation):
    from fundtrack.funders.services import create_round

    funder, cafe = create_funder(cooldown_after_grant_months=6), create_organisation()
    create_round(funder, {"name": "Forår og efterår", "kind": "yearly", "yearly_dates": "01-03, 01-09"}, actor=None, now=NOW)
    give(cafe, funder, dt.date(2026, 10, 1))
    from fundtrack.feeds.models import Call, CallDeadline

    early = Call.create(title="Opslag før vinduet", funder=funder)
    CallDeadline.create(call=early, due_on=dt.date(2027, 2, 1))
    later = Call.create(title="Opslag i vinduet", funder=funder)
    CallDeadline.create(call=later, due_on=dt.date(2027, 5, 15))
    overview = overview_of(funder, cafe)
    assert overview.next_ask.on == dt.date(2027, 4, 1)
    assert overview.next_round[1] == dt.date(2027, 9, 1)
    assert overview.next_call == (later, dt.date(2027, 5, 15))
    assert overview.suggested_ore == 100_000 * KR


def test_metrics_over_a_hand_worked_history(give, create_funder, create_organisation, create_user):
    """Three relationships over 2024-2026 (calendar fiscal years), today 22 Nov 2026:

    A (Kornmod x Café): 2024-03 100k, 2025-03 120k, 2025-10 80k, 2026-03 150k -> golden, in 2026 one repeat gift
    B (Linde x Café):   2025-05 200k only                                       -> LYBUNT (gave 2025, not 2026)
    C (Kornmod x Have): 2024-06 50k only                                        -> SYBUNT
    D (Linde x Have):   2026-06 60k, first gift                                 -> a new gift in 2026
    """
    kornmod, linde = create_funder(name="Kornmod"), create_funder(name="Linde")
    cafe, garden = create_organisation("Café"), create_organisation("Have")
    for day, kroner in (
        (dt.date(2024, 3, 1), 100_000),
        (dt.date(2025, 3, 1), 120_000),
        (dt.date(2025, 10, 1), 80_000),
        (dt.date(2026, 3, 1), 150_000),
    ):
        give(cafe, kornmod, day, kroner)
    give(cafe, linde, dt.date(2025, 5, 1), 200_000)
    give(garden, kornmod, dt.date(2024, 6, 1), 50_000)
    give(garden, linde, dt.date(2026, 6, 1), 60_000)
    fundraiser = create_user()

    m2026 = services.metrics(fundraiser, dt.date(2026, 1, 1), dt.date(2026, 12, 31), TODAY, SETTINGS)
    assert (m2026.gifts, m2026.repeat_gifts) == (2, 1)
    assert m2026.repeat_rate == 0.5
    assert (m2026.money_ore, m2026.repeat_money_ore) == (210_000 * KR, 150_000 * KR)
    # 2025 gave: A (twice: one retained year) and B. 2026: A retained, B not -> 1 of 2.
    assert (m2026.retained, m2026.retainable) == (1, 2)
    assert m2026.retention_rate == 0.5
    assert (m2026.upgrades, m2026.downgrades) == (1, 0)  # 150k after 80k
    assert m2026.median_days_between_gifts == 151  # 2025-10-01 -> 2026-03-01
    assert m2026.average_gift_ore == 105_000 * KR
    # As CiviCRM counts them for 2026: LYBUNT gave in 2025, not 2026; SYBUNT gave some year before, LYBUNT included.
    assert [o.relationship.funder.name + "/" + o.relationship.organisation.name for o in m2026.lybunt.rows] == ["Linde/Café"]
    assert [o.relationship.funder.name + "/" + o.relationship.organisation.name for o in m2026.sybunt.rows] == [
        "Linde/Café",
        "Kornmod/Have",
    ]
    # Funders: Kornmod and Linde gave in 2025, and both gave again in 2026 (Linde to another partner).
    assert (m2026.funders_retained, m2026.funders_retainable) == (2, 2)
    assert [(r.year, r.funders_retained, r.funders_retainable, r.retained, r.retainable) for r in m2026.trend] == [
        (2022, 0, 0, 0, 0),
        (2023, 0, 0, 0, 0),
        (2024, 0, 0, 0, 0),
        (2025, 1, 1, 1, 2),
        (2026, 2, 2, 1, 2),
    ]

    m2025 = services.metrics(fundraiser, dt.date(2025, 1, 1), dt.date(2025, 12, 31), TODAY, SETTINGS)
    assert (m2025.gifts, m2025.repeat_gifts) == (3, 2)
    assert (m2025.retained, m2025.retainable) == (1, 2)  # of A and C (2024), only A gave in 2025
    assert (m2025.funders_retained, m2025.funders_retainable) == (1, 1)  # Kornmod gave in 2024 and in 2025
    # The year is the reader's: for 2025, C (2024 only) is LYBUNT, though today it would be SYBUNT.
    assert [o.relationship.funder.name + "/" + o.relationship.organisation.name for o in m2025.lybunt.rows] == ["Kornmod/Have"]

    # A quarter is compared with the calendar quarter before: the gift of 1 October 2025 counts for Q4 2025.
    q1 = services.metrics(fundraiser, dt.date(2026, 1, 1), dt.date(2026, 3, 31), TODAY, SETTINGS)
    assert (q1.retained, q1.retainable) == (1, 1)
    assert services.previous_period(dt.date(2026, 1, 1), dt.date(2026, 3, 31), 1) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert services.previous_period(dt.date(2026, 7, 1), dt.date(2026, 12, 31), 1) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert (m2025.upgrades, m2025.downgrades) == (1, 1)  # 120k after 100k, 80k after 120k
    assert m2025.median_days_between_gifts == (365 + 214) // 2


def test_metrics_with_a_fiscal_year_from_july(give, create_funder, create_organisation, create_user):
    """Gifts in March 2025 and September 2025 are one calendar year but two fiscal years from July."""
    funder, cafe = create_funder(), create_organisation()
    give(cafe, funder, dt.date(2025, 3, 1))
    give(cafe, funder, dt.date(2025, 9, 1))
    settings = RelationshipSettings(fiscal_year_start_month=7)
    user = create_user()
    figures = services.metrics(user, dt.date(2025, 7, 1), dt.date(2026, 6, 30), dt.date(2026, 5, 1), settings)
    assert (figures.retained, figures.retainable) == (1, 1)  # 2024/25 -> 2025/26
    calendar = services.metrics(user, dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 5, 1), SETTINGS)
    assert calendar.retainable == 0
    # For the fiscal year 2025/26 (from July) there is a gift, so nothing is LYBUNT.
    assert figures.lybunt.rows == []
    assert calendar.lybunt.rows == []  # calendar 2025 has its gifts too
    calendar_2026 = services.metrics(user, dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 5, 1), SETTINGS)
    assert [o.relationship.organisation_id for o in calendar_2026.lybunt.rows] == [cafe.id]  # gave 2025, not 2026


def test_reliability_per_funder_and_organisation(give, create_funder, create_organisation, create_user):
    funder, cafe = create_funder(name="Kornmod"), create_organisation("Café")
    application = give(cafe, funder, dt.date(2025, 1, 10))
    on_time = add_deadline(application, "interim_report", dt.date(2025, 6, 1), now=NOW)
    late = add_deadline(application, "interim_report", dt.date(2025, 9, 1), now=NOW)
    missing = add_deadline(application, "custom", dt.date(2025, 10, 1), title="not a report", now=NOW)
    complete_deadline(on_time, actor=None, now=moment(dt.date(2025, 5, 30)))
    complete_deadline(late, actor=None, now=moment(dt.date(2025, 9, 20)))
    figures = services.reliability(dt.date(2025, 1, 1), dt.date(2026, 12, 31), TODAY)
    # The grant's own final report (due 15 months after the decision, 10 Apr 2026) is open and overdue.
    assert (figures["overall"].on_time, figures["overall"].due) == (1, 3)
    assert dict(figures["per_funder"].rows)["Kornmod"].share == pytest.approx(1 / 3)
    assert dict(figures["per_organisation"].rows)["Café"].due == 3
    assert missing.kind == "custom"  # other deadlines are not reports


def test_interactions_and_stewardship(give, create_funder, create_organisation, create_user):
    funder, cafe = create_funder(), create_organisation()
    give(cafe, funder, dt.date(2026, 3, 1))
    relationship = Relationship.get()
    steward = create_user(name="Mette")
    services.set_stewardship(
        relationship, steward=steward, next_step="Takkebrev", next_step_on=dt.date(2026, 12, 1), notes="", now=NOW
    )
    interaction = services.log_interaction(
        relationship, kind="thank_you", happened_on=dt.date(2026, 3, 5), text="Takkebrev sendt", actor=steward, now=NOW
    )
    assert Relationship.get().steward_id == steward.id and interaction.kind == "thank_you"
    with pytest.raises(ValidationError):
        services.log_interaction(relationship, kind="party", happened_on=dt.date(2026, 3, 5), text="", actor=None, now=NOW)
    with pytest.raises(ValidationError):
        services.set_stewardship(
            relationship, steward=create_user(role="viewer"), next_step="", next_step_on=None, notes="", now=NOW
        )


def test_pages_show_status_reason_and_next_ask(client, login_as, give, create_funder, create_organisation, frozen_clock):
    frozen_clock.move_to(moment(TODAY))
    funder, cafe = create_funder(name="Kornmod Fonden", cooldown_after_grant_months=12), create_organisation("Café Kornet")
    for year in (2023, 2024, 2025):
        give(cafe, funder, dt.date(year, 12, 1))
    login_as("fundraiser")
    body = client.get("/relationships/").get_data(as_text=True)
    assert "Kornmod Fonden" in body and "Gylden" in body
    relationship = Relationship.get()
    body = client.get(f"/relationships/{relationship.id}").get_data(as_text=True)
    assert "Gaver i 3 forskellige år: 2023, 2024, 2025" in body
    assert "Kan søge igen" in body
    response = post(
        client,
        f"/relationships/{relationship.id}/interactions",
        {"kind": "meeting", "happened_on": "2099-01-01", "text": "Fremtidsmøde"},
        token_from="/",
    )
    assert response.status_code == 400 and "Fremtidsmøde" in response.get_data(as_text=True)
    response = post(
        client,
        f"/relationships/{relationship.id}/interactions",
        {"kind": "meeting", "happened_on": "2026-11-01", "text": "Møde i caféen"},
        token_from="/",
    )
    assert response.status_code == 302 and Interaction.select().count() == 1
    assert "Gylden" in client.get(f"/funders/{funder.id}").get_data(as_text=True)
    assert "Gylden" in client.get(f"/organisations/{cafe.id}").get_data(as_text=True)
    assert client.get("/relationships/ask-again?days=400").status_code == 200
    assert client.get("/relationships/metrics?year=2025").status_code == 200
    assert client.get("/relationships/metrics?from=2025-07-01&to=2026-06-30").status_code == 200


def test_members_see_only_their_own_relationships(client, login_as, give, create_funder, create_organisation):
    funder, cafe, garden = create_funder(name="Kornmod Fonden"), create_organisation("Café"), create_organisation("Have")
    give(cafe, funder, dt.date(2026, 3, 1))
    give(garden, funder, dt.date(2026, 4, 1))
    garden_relationship = Relationship.get(Relationship.organisation == garden)
    login_as("member", organisation=cafe)
    body = client.get("/relationships/").get_data(as_text=True)
    assert "Café" in body and "Have" not in body
    assert client.get(f"/relationships/{garden_relationship.id}").status_code == 404
    records = json.loads(client.get("/relationships/export.json").data)
    assert [r["organisation"] for r in records] == ["Café"]


def test_export_relationships_command(runner, give, create_funder, create_organisation, tmp_path, frozen_clock):
    frozen_clock.move_to(moment(TODAY))
    funder, cafe = create_funder(name="Kornmod Fonden"), create_organisation("Café Kornet")
    give(cafe, funder, dt.date(2025, 3, 1), 100_000)
    give(cafe, funder, dt.date(2026, 3, 1), 150_000)
    out = tmp_path / "relationships.json"
    result = runner.invoke(["export", "relationships", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))[0]
    assert (record["funder"], record["organisation"], record["status"]) == ("Kornmod Fonden", "Café Kornet", "repeat")
    assert (record["gifts"], record["lifetime_gift"], record["change_from_previous"]) == (2, 250000, 0.5)


def test_the_stored_status_lapses_overnight_by_the_scheduled_job(app, give, create_funder, create_organisation, frozen_clock):
    from fundtrack.scheduler import jobs

    funder, cafe = create_funder(cooldown_after_grant_months=12), create_organisation()
    give(cafe, funder, dt.date(2025, 11, 1))
    assert Relationship.get().status == "first_gift"
    refresh_statuses, _trigger = jobs(app)["statuses"]
    frozen_clock.move_to(moment(dt.date(2027, 1, 10)))  # more than a year without a gift
    with app.app_context():
        refresh_statuses()
    assert Relationship.get().status == "lapsing"
    frozen_clock.move_to(moment(dt.date(2028, 1, 10)))
    with app.app_context():
        refresh_statuses()
    assert Relationship.get().status == "lapsed"
