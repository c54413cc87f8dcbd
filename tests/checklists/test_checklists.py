"""The theory-of-change checklist: the gate, versions, reuse, numbers with sources, outcomes, print, access."""

import datetime as dt
from decimal import Decimal

import pytest

from fundtrack.applications.models import StageChange
from fundtrack.applications.services import StageMoveRefused, move_stage
from fundtrack.checklists import services
from fundtrack.checklists.models import Answer, ChecklistTemplate, Outcome
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline
from fundtrack.validation import ValidationError
from tests.conftest import NOW, post


def answer_of(checklist, code):
    return next(answer for item, answer in services.rows(checklist) if item.code == code)


def test_the_default_template_covers_the_theory_of_change(app):
    items = services.items_of(services.current_template(NOW))
    codes = {item.code for item in items}
    assert {
        "target_group",
        "target_count",
        "activities",
        "movement",
        "outcomes",
        "indicators",
        "funding_after",
        "bottom_social",
        "bottom_local",
        "bottom_economic",
        "un_goals",
        "partners",
        "risks",
        "documentation",
    } <= codes
    assert all(item.label_da and item.label_en for item in items)
    assert {item.indicator for item in items if item.indicator} == {"participants", "jobs", "flexjobs", "hours"}


def test_submission_is_refused_naming_the_missing_items(create_application, create_user):
    application = create_application(stage="drafting")
    checklist = services.checklist_for(application, now=NOW)
    services.save_answer(
        answer_of(checklist, "target_group"), {"status": "done", "text": "Unge uden uddannelse"}, actor=None, now=NOW
    )
    with pytest.raises(StageMoveRefused) as refused:
        move_stage(application, "submitted", actor=create_user(role="member", organisation=application.organisation), now=NOW)
    missing = {item.code for item in refused.value.missing}
    assert "target_group" not in missing and {"target_count", "movement", "risks"} <= missing
    assert application.stage == "drafting"


def test_submission_is_allowed_when_every_required_item_is_settled(create_application, complete_checklist):
    application = create_application(stage="drafting")
    checklist = complete_checklist(application)
    services.save_answer(
        answer_of(checklist, "risks"), {"status": "not_applicable", "reason": "Et engangsarrangement"}, actor=None, now=NOW
    )
    assert services.scores_for([application.id])[application.id] == (13, 13)
    assert services.score_of(services.rows(checklist)) == (13, 13)  # the same count, read in Python
    move_stage(application, "submitted", actor=None, now=NOW)
    assert application.stage == "submitted"


def test_the_fundraiser_may_override_with_a_recorded_reason(client, login_as, create_application):
    application = create_application(stage="drafting")
    fundraiser = login_as("fundraiser")
    with pytest.raises(StageMoveRefused):
        move_stage(application, "submitted", actor=fundraiser, now=NOW, override_reason="   ")
    member_like = login_as  # a member may not override
    move_stage(application, "submitted", actor=fundraiser, now=NOW, override_reason="Fristen var i dag")
    change = StageChange.get(StageChange.to_stage == "submitted")
    assert (change.reason_code, change.reason) == ("checklist_override", "Fristen var i dag")
    assert "Fristen var i dag" in client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert member_like


def test_a_member_cannot_override(create_application, create_user):
    application = create_application(stage="drafting")
    member = create_user(role="member", organisation=application.organisation)
    with pytest.raises(StageMoveRefused):
        move_stage(application, "submitted", actor=member, now=NOW, override_reason="Jeg vil gerne")


def test_the_refusal_in_the_ui_lists_the_missing_items(client, login_as, create_application):
    application = create_application(stage="drafting")
    login_as("fundraiser")
    response = post(client, f"/applications/{application.id}/move", {"to": "submitted"}, token_from="/")
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Tjeklisten er ikke færdig" in body and "Hvem er målgruppen?" in body
    response = post(
        client, f"/applications/{application.id}/move", {"to": "submitted", "override_reason": "Fonden ringede"}, token_from="/"
    )
    assert response.status_code == 302


def test_a_new_template_version_leaves_running_checklists_untouched(create_application, create_user):
    running = create_application()
    checklist = services.checklist_for(running, now=NOW)
    services.save_answer(answer_of(checklist, "target_group"), {"status": "done", "text": "Veteraner"}, actor=None, now=NOW)
    v1 = services.current_template(NOW)
    items = [{**{k: getattr(i, k) for k in services.ITEM_FIELDS}} for i in services.items_of(v1) if i.code != "partners"]
    items[0]["label_da"] = "Hvem er målgruppen, helt konkret?"
    items.append(
        {
            "code": "volunteers",
            "section_da": "Frivillige",
            "section_en": "Volunteers",
            "label_da": "Hvor mange frivillige?",
            "label_en": "How many volunteers?",
            "kind": "number",
            "required": True,
            "indicator": "other",
        }
    )
    v2 = services.new_version(v1, items, note="Frivillige", actor=create_user(), now=NOW)
    assert (v1.version, v2.version) == (1, 2)
    # The running checklist keeps version 1, its questions and its answer.
    assert checklist.template_id == v1.id
    assert {item.code for item, _ in services.rows(checklist)} >= {"partners"}
    assert answer_of(checklist, "target_group").text == "Veteraner"
    assert next(item for item, _ in services.rows(checklist) if item.code == "target_group").label_da == "Hvem er målgruppen?"
    # A new checklist starts on version 2; upgrading keeps the answers.
    fresh = services.checklist_for(create_application(), now=NOW)
    assert fresh.template_id == v2.id and "volunteers" in {item.code for item, _ in services.rows(fresh)}
    services.upgrade(checklist, now=NOW)
    assert checklist.template_id == v2.id
    assert answer_of(checklist, "target_group").text == "Veteraner"
    assert answer_of(checklist, "volunteers").status == "missing"
    assert "partners" not in {item.code for item, _ in services.rows(checklist)}


def test_copy_answers_from_an_earlier_application_of_the_same_organisation(
    create_application, create_organisation, complete_checklist
):
    cafe = create_organisation("Café Kornet")
    earlier = create_application(organisation=cafe)
    complete_checklist(earlier)
    later = create_application(organisation=cafe)
    checklist = services.checklist_for(later, now=NOW)
    assert services.copy_from(checklist, earlier, actor=None, now=NOW) == 18  # every item of the default template
    copied = answer_of(checklist, "target_count")
    assert (copied.number, copied.source, copied.status) == (Decimal("25"), "Jobcentret, 2026", "draft")
    other = create_application(organisation=create_organisation("Naturhaven"))
    complete_checklist(other)
    with pytest.raises(ValidationError):
        services.copy_from(checklist, other, actor=None, now=NOW)


def test_an_answer_written_in_full_is_done_without_setting_its_status(create_application):
    checklist = services.checklist_for(create_application(), now=NOW)
    count, text = answer_of(checklist, "target_count"), answer_of(checklist, "target_group")
    services.save_answer(text, {"status": "missing", "text": "Unge ledige i Aarhus Vest"}, actor=None, now=NOW)
    assert Answer.get_by_id(text.id).status == "done"
    services.save_answer(count, {"status": "missing", "number": "25"}, actor=None, now=NOW)
    assert Answer.get_by_id(count.id).status == "draft"  # a number without its source is half an answer
    services.save_answer(count, {"status": "missing", "number": "25", "source": "Jobcentret"}, actor=None, now=NOW)
    assert Answer.get_by_id(count.id).status == "done"
    services.save_answer(text, {"status": "draft", "text": "Unge ledige"}, actor=None, now=NOW)
    assert Answer.get_by_id(text.id).status == "draft"  # a status set by hand is kept
    services.save_answer(text, {"status": "missing", "text": ""}, actor=None, now=NOW)
    assert Answer.get_by_id(text.id).status == "missing"


def test_numbers_need_their_source(create_application):
    checklist = services.checklist_for(create_application(), now=NOW)
    count = answer_of(checklist, "target_count")
    with pytest.raises(ValidationError) as error:
        services.save_answer(count, {"status": "done", "number": "25"}, actor=None, now=NOW)
    assert set(error.value.errors) == {"source"}
    with pytest.raises(ValidationError) as error:
        services.save_answer(count, {"status": "draft", "number": "mange"}, actor=None, now=NOW)
    assert set(error.value.errors) == {"number"}
    services.save_answer(count, {"status": "done", "number": "1.250,5", "source": "Optælling 2026"}, actor=None, now=NOW)
    assert Answer.get_by_id(count.id).number == Decimal("1250.5")


def test_outcomes_are_recorded_when_a_report_is_delivered(client, login_as, create_application, complete_checklist):
    application = create_application(stage="reporting")
    complete_checklist(application)
    report = add_deadline(application, "final_report", dt.date(2027, 6, 1), now=NOW)
    user = login_as("fundraiser")
    response = post(client, f"/deadlines/{report.id}/complete", token_from="/")
    assert response.headers["Location"] == f"/checklists/outcomes/{report.id}"
    page = client.get(f"/checklists/outcomes/{report.id}").get_data(as_text=True)
    assert "Deltagere nået" in page and "Job skabt" in page
    checklist = services.checklist_for(application, now=NOW)
    items = {item.indicator: item for item, _ in services.promised_indicators(checklist.application)}
    response = post(
        client,
        f"/checklists/outcomes/{report.id}",
        {
            f"value-{items['participants'].id}": "31",
            f"note-{items['participants'].id}": "Flere end lovet",
            f"value-{items['jobs'].id}": "4",
        },
        token_from="/",
    )
    assert response.status_code == 302
    recorded = {o.indicator: o.value for o in Outcome.select()}
    assert recorded == {"participants": Decimal("31"), "jobs": Decimal("4")}
    assert services.outcome_totals(dt.date(2027, 4, 1), dt.date(2027, 6, 30)) == {
        "participants": Decimal("31"),
        "jobs": Decimal("4"),
    }
    bad = post(client, f"/checklists/outcomes/{report.id}", {f"value-{items['hours'].id}": "mange"}, token_from="/")
    assert bad.status_code == 400 and 'value="mange"' in bad.get_data(as_text=True)
    assert user


def test_the_checklist_form_saves_all_or_nothing_and_keeps_what_was_typed(client, login_as, create_application):
    application = create_application()
    login_as("fundraiser")
    client.get(f"/checklists/{application.id}")
    assert services.find_checklist(application) is None  # reading the page writes nothing
    checklist = services.checklist_for(application, now=NOW)
    group, count = answer_of(checklist, "target_group"), answer_of(checklist, "target_count")
    response = post(
        client,
        f"/checklists/{application.id}",
        {
            f"i{group.item_id}-status": "done",
            f"i{group.item_id}-text": "Unge ledige",
            f"i{count.item_id}-status": "done",
            f"i{count.item_id}-number": "40",
        },
        token_from=f"/checklists/{application.id}",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Skriv hvor tallet kommer fra" in body and "Unge ledige" in body and 'value="40"' in body
    assert Answer.get_by_id(group.id).status == "missing"  # nothing was saved
    response = post(
        client,
        f"/checklists/{application.id}",
        {
            f"i{group.item_id}-status": "done",
            f"i{group.item_id}-text": "Unge ledige",
            f"i{count.item_id}-status": "done",
            f"i{count.item_id}-number": "40",
            f"i{count.item_id}-source": "Jobcentret",
        },
        token_from=f"/checklists/{application.id}",
    )
    assert response.status_code == 302
    assert (Answer.get_by_id(group.id).status, Answer.get_by_id(count.id).number) == ("done", Decimal("40"))


def test_the_print_view_in_both_languages(client, login_as, create_application, complete_checklist):
    application = create_application(title="Køkkenskolen")
    complete_checklist(application)
    login_as("viewer")
    danish = client.get(f"/checklists/{application.id}/print?lang=da").get_data(as_text=True)
    assert "Forandringsteori" in danish and "Hvem er målgruppen?" in danish and "Køkkenskolen" in danish
    assert "Jobcentret, 2026" in danish and "<nav" not in danish
    english = client.get(f"/checklists/{application.id}/print?lang=en").get_data(as_text=True)
    assert "Theory of change" in english and "Who is the target group?" in english and 'lang="en"' in english


def test_members_fill_in_their_own_checklists_and_no_other(client, login_as, create_application, create_organisation):
    cafe, garden = create_organisation("Café"), create_organisation("Have")
    own, other = create_application(organisation=cafe), create_application(organisation=garden)
    login_as("member", organisation=cafe)
    assert client.get(f"/checklists/{own.id}").status_code == 200
    assert client.get(f"/checklists/{other.id}").status_code == 404
    assert post(client, f"/checklists/{other.id}", {}, token_from="/").status_code == 404
    assert client.get(f"/checklists/{other.id}/print").status_code == 404
    checklist = services.checklist_for(own, now=NOW)
    group = answer_of(checklist, "target_group")
    response = post(
        client,
        f"/checklists/{own.id}",
        {f"i{group.item_id}-status": "draft", f"i{group.item_id}-text": "Vores svar"},
        token_from=f"/checklists/{own.id}",
    )
    assert response.status_code == 302 and Answer.get_by_id(group.id).text == "Vores svar"


def test_viewers_read_but_do_not_write(client, login_as, create_application):
    application = create_application()
    login_as("viewer")
    assert client.get(f"/checklists/{application.id}").status_code == 200
    assert post(client, f"/checklists/{application.id}", {}, token_from="/").status_code == 403


def test_the_template_editor_makes_a_new_version(client, login_as, app):
    login_as("fundraiser")
    template = services.current_template(NOW)
    items = services.items_of(template)
    data = {
        "note": "Nyt punkt om frivillige",
        "new-section_da": "Frivillige",
        "new-section_en": "Volunteers",
        "new-label_da": "Hvor mange frivillige?",
        "new-label_en": "How many volunteers?",
        "new-kind": "number",
        "new-indicator": "other",
        "new-required": "y",
        f"remove-{items[-1].id}": "y",
    }
    for item in items:
        for field in ("section_da", "section_en", "label_da", "label_en", "help_da", "help_en", "kind", "indicator"):
            data[f"{field}-{item.id}"] = getattr(item, field)
        if item.required:
            data[f"required-{item.id}"] = "y"
    response = post(client, f"/checklists/templates/{template.id}", data, token_from="/")
    assert response.status_code == 302
    newest = ChecklistTemplate.select().order_by(ChecklistTemplate.version.desc()).first()
    codes = [item.code for item in services.items_of(newest)]
    assert newest.version == 2 and items[-1].code not in codes and len(codes) == len(items)
    assert Deadline  # imported for the outcomes test above
