"""Checklists: the template and its versions, each application's answers, the completeness score,
the gate before submission, reuse of earlier answers, and the outcomes reported after a grant.

An application's checklist is written the first time something is saved in it; until then it is read
as the current template with every answer missing, so that opening a page never writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from peewee import fn

from fundtrack.applications import events as application_events
from fundtrack.applications.models import Application
from fundtrack.applications.services import StageMoveRefused
from fundtrack.audit import services as audit
from fundtrack.checklists import defaults
from fundtrack.checklists.models import (
    ANSWER_STATUSES,
    INDICATORS,
    ITEM_KINDS,
    Answer,
    Checklist,
    ChecklistTemplate,
    Outcome,
    TemplateItem,
)
from fundtrack.db import db
from fundtrack.deadlines.models import REPORT_KINDS, Deadline
from fundtrack.events import Notice
from fundtrack.i18n_markers import N_
from fundtrack.money import parse_number
from fundtrack.organisations.models import Organisation
from fundtrack.tags import parse_un_goals
from fundtrack.validation import ValidationError

SETTLED = ("done", "not_applicable")
DEFAULT_COLUMNS = (
    "code",
    "section_da",
    "section_en",
    "label_da",
    "label_en",
    "help_da",
    "help_en",
    "kind",
    "required",
    "indicator",
)
ITEM_FIELDS = (
    "code",
    "section_da",
    "section_en",
    "position",
    "label_da",
    "label_en",
    "help_da",
    "help_en",
    "kind",
    "required",
    "indicator",
)


# Templates.


def current_template(now: dt.datetime | None = None) -> ChecklistTemplate:
    """The newest template version (the database is given the default one when it is created)."""
    template = ChecklistTemplate.select().order_by(ChecklistTemplate.version.desc()).first()
    if template is not None:
        return template
    return create_default_template(now)


def create_default_template(now: dt.datetime | None = None) -> ChecklistTemplate:
    """Version 1, after the strategy's theory of change (written by the migration that creates the tables)."""
    with db.atomic():
        template = ChecklistTemplate.create(name=defaults.NAME, version=1, note="", **({"created_at": now} if now else {}))
        TemplateItem.insert_many(
            [
                dict(zip(DEFAULT_COLUMNS, row, strict=True), template=template, position=position)
                for position, row in enumerate(defaults.ITEMS, start=1)
            ]
        ).execute()
    return template


def items_of(template: ChecklistTemplate) -> list[TemplateItem]:
    """A template's items in their order on the page."""
    return list(template.items.order_by(TemplateItem.position))


def new_version(base: ChecklistTemplate, items: list[dict], *, note: str, actor, now: dt.datetime) -> ChecklistTemplate:
    """Save an edited template as a new version. Checklists already started keep the version they have."""
    errors: dict = {}
    codes = set()
    for index, item in enumerate(items):
        if not (item.get("label_da") or "").strip() or not (item.get("label_en") or "").strip():
            errors[f"item-{index}"] = N_("Every item needs its text in Danish and in English.")
        if item.get("kind") not in ITEM_KINDS:
            errors[f"item-{index}"] = N_("Choose a kind from the list.")
        if item.get("indicator") and item["indicator"] not in INDICATORS:
            errors[f"item-{index}"] = N_("Choose an indicator from the list.")
        if item["code"] in codes:
            errors[f"item-{index}"] = N_("Two items have the same code.")
        codes.add(item["code"])
    if not items:
        errors["items"] = N_("A template needs at least one item.")
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        latest = ChecklistTemplate.select(fn.MAX(ChecklistTemplate.version)).scalar() or 0
        template = ChecklistTemplate.create(
            name=base.name, version=latest + 1, created_at=now, created_by=actor, note=(note or "").strip()
        )
        TemplateItem.insert_many(
            [
                {
                    **{k: item.get(k) for k in ITEM_FIELDS},
                    "template": template,
                    "position": position,
                    "help_da": item.get("help_da") or "",
                    "help_en": item.get("help_en") or "",
                    "indicator": item.get("indicator") or "",
                }
                for position, item in enumerate(items, start=1)
            ]
        ).execute()
        audit.record_create(actor, template, now)
    return template


# Checklists and answers.


def find_checklist(application: Application) -> Checklist | None:
    """The application's checklist if anything has been saved in it (reading only)."""
    checklist = Checklist.get_or_none(Checklist.application == application)
    if checklist is not None:
        checklist.application = application
    return checklist


def checklist_for(application: Application, *, now: dt.datetime) -> Checklist:
    """The application's checklist, started on the current template the first time something is written."""
    checklist = find_checklist(application)
    if checklist is not None:
        return checklist
    template = current_template(now)
    with db.atomic():
        checklist = Checklist.create(application=application, template=template, created_at=now, updated_at=now)
        checklist.application = application
        Answer.insert_many(
            [{"checklist": checklist, "item": item, "status": "missing", "updated_at": now} for item in items_of(template)]
        ).execute()
    return checklist


def rows(checklist: Checklist) -> list[tuple[TemplateItem, Answer]]:
    """Every item of the checklist with its answer, in template order (one query)."""
    answers = (
        Answer.select(Answer, TemplateItem)
        .join(TemplateItem)
        .where(Answer.checklist == checklist)
        .order_by(TemplateItem.position)
    )
    result = []
    for answer in answers:
        answer.checklist = checklist
        result.append((answer.item, answer))
    return result


def rows_of(application: Application) -> tuple[ChecklistTemplate, list[tuple[TemplateItem, Answer]]]:
    """The template and the items with their answers, as read: an application whose checklist has not been
    started reads the current template with every answer missing (nothing is written)."""
    checklist = find_checklist(application)
    if checklist is not None:
        return checklist.template, rows(checklist)
    template = current_template()
    return template, [(item, Answer(item=item, status="missing")) for item in items_of(template)]


def save_answer(answer: Answer, data: dict, *, actor, now: dt.datetime) -> Answer:
    """Check and keep an answer. Done needs content (a number needs its source); not applicable needs a reason."""
    item = answer.item
    status = data.get("status") or "missing"
    errors: dict = {}
    if status not in ANSWER_STATUSES:
        errors["status"] = N_("Choose a status from the list.")
    text = (data.get("text") or "").strip()
    source = (data.get("source") or "").strip()
    reason = (data.get("reason") or "").strip()
    number, goals = None, []
    try:
        number = parse_number(data.get("number"))
    except ValueError:
        errors["number"] = N_("Write a number, e.g. 25 or 12,5.")
    try:
        goals = parse_un_goals(data.get("un_goals"))
    except ValueError:
        errors["un_goals"] = N_("UN goals are numbers from 1 to 17.")
    if status == "missing" and not errors:
        status = status_from_content(item.kind, text=text, number=number, source=source, goals=goals)
    if status == "not_applicable" and not reason:
        errors["reason"] = N_("Say why the item does not apply.")
    if status == "done":
        if item.kind == "text" and not text:
            errors["text"] = N_("Write the answer before marking it done.")
        if item.kind == "number":
            if number is None:
                errors["number"] = N_("Give the number before marking it done.")
            if not source:
                errors["source"] = N_("Say where the number comes from.")
        if item.kind == "goals" and not goals:
            errors["un_goals"] = N_("Choose at least one UN goal.")
    if errors:
        raise ValidationError(errors)
    values = {
        "status": status,
        "text": text,
        "number": number,
        "source": source,
        "reason": reason if status == "not_applicable" else "",
        "un_goals": goals,
    }
    with db.atomic():
        if audit.save_changes(answer, values, actor=actor, now=now):
            answer.updated_by = actor
            answer.save(only=[Answer.updated_by])
            Checklist.update(updated_at=now).where(Checklist.id == answer.checklist_id).execute()
    return answer


def status_from_content(kind: str, *, text: str, number, source: str, goals: list) -> str:
    """The status of an answer left at "missing": done once its content is whole (a number with its source),
    a draft while partly written, missing while empty. Nobody has to set the status by hand."""
    whole = {"text": bool(text), "number": number is not None and bool(source), "goals": bool(goals)}.get(kind, bool(text))
    if whole:
        return "done"
    return "draft" if text or source or number is not None or goals else "missing"


def score_of(rows) -> tuple[int, int]:
    """(required items settled, required items) of items read with their answers: settled is done, or not
    applicable with a reason. `scores_for` counts the same in SQL."""
    required = [answer for item, answer in rows if item.required]
    return sum(answer.status in SETTLED for answer in required), len(required)


def scores_for(application_ids) -> dict[int, tuple[int, int]]:
    """Completeness of several applications' checklists, in one query (for lists and board cards)."""
    ids = list(application_ids)
    if not ids:
        return {}
    settled = fn.SUM(Answer.status.in_(list(SETTLED)).cast("integer"))
    query = (
        Checklist.select(Checklist.application, settled.alias("settled"), fn.COUNT(Answer.id).alias("total"))
        .join(Answer)
        .join(TemplateItem)
        .where(Checklist.application.in_(ids) & TemplateItem.required)
        .group_by(Checklist.application)
        .tuples()
    )
    return {application_id: (int(done or 0), int(total)) for application_id, done, total in query}


def missing_items(application: Application) -> list[TemplateItem]:
    """The required items not yet settled: what stands between the application and submission."""
    _template, found = rows_of(application)
    return [item for item, answer in found if item.required and answer.status not in SETTLED]


def copy_from(checklist: Checklist, source: Application, *, actor, now: dt.datetime) -> int:
    """Copy answers from an earlier application of the same organisation, item by item (by code).

    Copied answers arrive as drafts: they were written for another project and must be read again.
    """
    target = checklist.application
    if source.organisation_id != target.organisation_id or source.id == target.id:
        raise ValidationError({"source": N_("Copy from an earlier application of the same organisation.")})
    other = Checklist.get_or_none(Checklist.application == source)
    if other is None:
        raise ValidationError({"source": N_("That application has no checklist to copy from.")})
    theirs = {item.code: answer for item, answer in rows(other) if answer.status != "missing" or answer.text}
    copied = 0
    with db.atomic():
        for item, answer in rows(checklist):
            found = theirs.get(item.code)
            if found is None or answer.status in SETTLED:
                continue
            audit.save_changes(
                answer,
                {
                    "text": found.text,
                    "number": found.number,
                    "source": found.source,
                    "un_goals": found.un_goals,
                    "status": "draft",
                    "reason": "",
                },
                actor=actor,
                now=now,
            )
            copied += 1
    return copied


def upgrade(checklist: Checklist, *, actor=None, now: dt.datetime) -> ChecklistTemplate:
    """Move a checklist to the current template version, keeping every answer whose item still exists."""
    template = current_template(now)
    if template.id == checklist.template_id:
        return template
    old = {item.code: answer for item, answer in rows(checklist)}
    with db.atomic():
        Answer.delete().where(Answer.checklist == checklist).execute()
        for item in items_of(template):
            previous = old.get(item.code)
            Answer.create(
                checklist=checklist,
                item=item,
                status=previous.status if previous else "missing",
                text=previous.text if previous else "",
                number=previous.number if previous else None,
                source=previous.source if previous else "",
                reason=previous.reason if previous else "",
                un_goals=previous.un_goals if previous else [],
                updated_at=now,
            )
        audit.save_changes(checklist, {"template": template}, actor=actor, now=now)
    return template


def earlier_applications(application: Application):
    """Other applications of the same organisation that have a checklist: sources to copy from."""
    return (
        Application.select()
        .join(Checklist)
        .where((Application.organisation == application.organisation_id) & (Application.id != application.id))
        .order_by(Application.created_at.desc())
    )


# Outcomes after the grant.


def promised_indicators(application: Application) -> list[tuple[TemplateItem, Answer]]:
    """The items whose numbers become the report's indicators (reading only)."""
    return [(item, answer) for item, answer in rows_of(application)[1] if item.indicator]


def record_outcomes(deadline: Deadline, values: dict[int, tuple[str, str]], *, actor, now: dt.datetime) -> int:
    """Record what was achieved against each promised indicator, when a report deadline is delivered."""
    if deadline.kind not in REPORT_KINDS:
        raise ValidationError({"deadline": N_("Outcomes are recorded with a report.")})
    checklist = checklist_for(deadline.application, now=now)
    indicators = {item.id: item for item, _ in rows(checklist) if item.indicator}
    errors, parsed = {}, {}
    for item_id, (value, note) in values.items():
        if item_id not in indicators or value in (None, ""):
            continue
        try:
            parsed[item_id] = (parse_number(value), (note or "").strip())
        except ValueError:
            errors[f"value-{item_id}"] = N_("Write a number, e.g. 25 or 12,5.")
    if errors:
        raise ValidationError(errors)
    recorded = outcomes_of(deadline)
    with db.atomic():
        for item_id, (number, note) in parsed.items():
            outcome = recorded.get(item_id)
            if outcome is None:
                outcome = Outcome.create(
                    checklist=checklist,
                    item=item_id,
                    deadline=deadline,
                    value=number,
                    note=note,
                    indicator=indicators[item_id].indicator,
                    recorded_at=now,
                    recorded_by=actor,
                )
                outcome.checklist, outcome.item = checklist, indicators[item_id]
                audit.record_create(actor, outcome, now)
            else:
                outcome.checklist, outcome.item = checklist, indicators[item_id]
                audit.save_changes(
                    outcome, {"value": number, "note": note, "recorded_at": now, "recorded_by": actor}, actor=actor, now=now
                )
    return len(parsed)


def outcomes_of(deadline: Deadline) -> dict[int, Outcome]:
    """The outcomes recorded with a report, by checklist item."""
    return {o.item_id: o for o in Outcome.select().where(Outcome.deadline == deadline)}


def outcome_totals(start: dt.date, end: dt.date, organisation_id: int | None = None) -> dict[str, Decimal]:
    """Outcomes reported with reports delivered between two dates, summed per indicator (for the overviews)."""
    query = (
        Outcome.select(Outcome.indicator, fn.SUM(Outcome.value))
        .join(Deadline)
        .where(Deadline.due_on.between(start, end))
        .group_by(Outcome.indicator)
    )
    if organisation_id is not None:
        query = query.join(Application).where(Application.organisation == organisation_id)
    return {indicator: Decimal(total) for indicator, total in query.tuples()}


def outcomes_by_organisation(start: dt.date, end: dt.date, indicators) -> list[tuple[str, dict[str, Decimal]]]:
    """The outcomes of `indicators` recorded with the reports due between two dates, per organisation (by
    name), for the social bottom line."""
    query = (
        Outcome.select(Organisation.name, Outcome.indicator, fn.SUM(Outcome.value))
        .join(Deadline)
        .join(Application)
        .join(Organisation)
        .where(Deadline.due_on.between(start, end) & Outcome.indicator.in_(list(indicators)))
        .group_by(Organisation.name, Outcome.indicator)
        .tuples()
    )
    found: dict[str, dict[str, Decimal]] = {}
    for name, indicator, total in query:
        found.setdefault(name, {})[indicator] = Decimal(total)
    return sorted(found.items(), key=lambda item: item[0].lower())


# The gate before submission.


@application_events.moving.connect
def _gate(application, *, to_stage, actor, override_reason, **rest):
    """Submission needs every required item settled, unless a fundraiser overrides with a reason (kept in
    the history)."""
    if to_stage != "submitted":
        return None
    missing = missing_items(application)
    if not missing:
        return None
    if override_reason.strip() and actor is not None and actor.is_fundraiser:
        return Notice(
            N_("Submitted although the checklist is not complete."),
            {"reason_code": "checklist_override", "reason": override_reason.strip()},
        )
    raise StageMoveRefused(
        N_("The checklist is not complete: required items missing: %(count)d."), {"count": len(missing)}, missing=missing
    )
