"""Application pages: the list, the board, one application, and the forms that change it."""
import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, fn

from fundtrack import clock
from fundtrack.applications import services, transfer
from fundtrack.applications.forms import ApplicationForm, MoneyReceivedForm, MoveForm, ReclaimForm
from fundtrack.applications.models import REJECTION_REASONS, STAGES, TRANSITIONS, Application, StageChange
from fundtrack.auth.access import allow, scope
from fundtrack.auth.models import User
from fundtrack.checklists import services as checklist_services
from fundtrack.deadlines import services as deadline_services
from fundtrack.deadlines.forms import DeadlineForm
from fundtrack.deadlines.models import DEADLINE_KINDS, Deadline
from fundtrack.fees import services as fee_services
from fundtrack.fees.forms import FeeAgreementForm, InvoiceForm, PaidForm, WriteOffForm
from fundtrack.fees.models import ENTRY_KINDS, FEE_KINDS, FEE_STATUSES, FEE_TRIGGERS, FeeEntry
from fundtrack.forms import choices
from fundtrack.funders.models import FUNDER_KINDS, Funder, Round
from fundtrack.i18n import current_language, translate_label
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.periods import PeriodError, parse_period
from fundtrack.reports import figures as report_figures
from fundtrack.reports import services as report_services
from fundtrack.validation import ValidationError
from fundtrack.web import apply_errors, current_settings, export_response, form_status, paginate, safe_next

bp = Blueprint("applications", __name__)
scope("application_id")(services.visible_applications)

BOARD_STAGES = ("idea", "drafting", "submitted", "granted", "reporting")
FINAL_STAGES = ("rejected", "withdrawn", "closed")
BOARD_CARDS_PER_COLUMN = 50
DAYS_IN_STAGE = N_("%(days)d days in stage")
# A card needs only these: selecting less keeps a full board cheap.
CARD_FIELDS = (Application.id, Application.title, Application.stage, Application.stage_changed_at,
               Application.amount_requested_ore, Application.amount_granted_ore,
               Organisation.id, Organisation.name, Funder.id, Funder.name)
SORTS = {
    "title": Application.title, "organisation": Organisation.name, "funder": Funder.name, "stage": Application.stage,
    "requested": Application.amount_requested_ore, "granted": Application.amount_granted_ore,
    "updated": Application.updated_at,
}
WINDOWS = {"overdue": None, "7": 7, "30": 30, "90": 90}


def _filters(query):
    """Apply the list's and the board's filters from the query string."""
    args = request.args
    if args.get("organisation", "").isdigit():
        query = query.where(Application.organisation == int(args["organisation"]))
    if args.get("funder", "").isdigit():
        query = query.where(Application.funder == int(args["funder"]))
    funder_name = args.get("funder_name", "").strip()
    if funder_name:
        query = query.where(Application.funder.in_(Funder.select(Funder.id).where(Funder.name.contains(funder_name))))
    if args.get("owner", "").isdigit():
        query = query.where(Application.owner == int(args["owner"]))
    if args.get("stage") in STAGES:
        query = query.where(Application.stage == args["stage"])
    text = args.get("q", "").strip()
    if text:
        query = query.where(Application.title.contains(text) | Application.purpose.contains(text))
    query = _report_filters(query, args)
    window = args.get("window", "")
    if window in WINDOWS:
        today = clock.today()
        open_deadlines = Deadline.select(Deadline.application).where(Deadline.done_at.is_null()
                                                                     & Deadline.deleted_at.is_null())
        if window == "overdue":
            open_deadlines = open_deadlines.where(Deadline.due_on < today)
        else:
            open_deadlines = open_deadlines.where(Deadline.due_on.between(
                today, today + dt.timedelta(days=WINDOWS[window])))
        query = query.where(Application.id.in_(open_deadlines))
    return query


def _report_filters(query, args):
    """The drill-down from an overview: the applications behind one figure of a period, in one row of a breakdown."""
    if args.get("figure") in report_figures.FIGURES:
        try:
            period = parse_period(args.get("period", ""))
        except PeriodError:
            period = None
        if period is not None:
            query = query.where(report_figures.condition(args["figure"], period))
    for dimension in ("funder_kind", "un_goal", "theme"):
        if args.get(dimension):
            condition = report_figures.dimension_condition(dimension, args[dimension])
            if condition is not None:
                query = query.where(condition)
    if args.get("expected"):
        condition = report_services.expected_condition(args["expected"], clock.today(), current_settings().reports)
        if condition is not None:
            query = query.where(condition)
    if args.get("outcomes"):
        try:
            query = query.where(report_figures.outcome_condition(parse_period(args["outcomes"])))
        except PeriodError:
            pass
    if args.get("due") and args.get("due_kind") in DEADLINE_KINDS:
        try:
            query = query.where(report_services.due_condition(parse_period(args["due"]), args["due_kind"]))
        except PeriodError:
            pass
    return query


def report_filter_text(args) -> str:
    """Words for the drill-down filter in force, shown above the list so that it is never a mystery."""
    parts = []
    if args.get("figure") in report_figures.FIGURES and args.get("period"):
        parts.append(f"{translate_label(report_figures.FIGURE_LABELS[args['figure']])} · {args['period']}")
    if args.get("funder_kind") in FUNDER_KINDS:
        parts.append(translate_label(FUNDER_KINDS[args["funder_kind"]]))
    if args.get("un_goal", "").isdigit():
        parts.append(_("UN goal %(goal)s", goal=args["un_goal"]))
    if args.get("theme"):
        parts.append(_("Theme: %(theme)s", theme=args["theme"]))
    if args.get("outcomes"):
        parts.append(_("Outcomes reported: %(period)s", period=args["outcomes"]))
    if args.get("expected"):
        parts.append(_("Decision expected: %(when)s", when=args["expected"]))
    if args.get("due") and args.get("due_kind") in DEADLINE_KINDS:
        parts.append(f"{translate_label(DEADLINE_KINDS[args['due_kind']])} · {args['due']}")
    return " · ".join(parts)


def _filter_options():
    """The choices of the filter selects: the organisations the user may see, and the owners.

    Funders are filtered by name (a text field): there may be thousands.
    """
    organisations = Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if current_user.is_member:
        organisations = organisations.where(Organisation.id == current_user.organisation_id)
    owners = User.select(User.id, User.name).where(User.role == "fundraiser").order_by(User.name)
    return {"organisations": list(organisations), "owners": list(owners),
            "report_filter": report_filter_text(request.args)}


def _listed():
    next_due = (Deadline.select(Deadline.application, fn.MIN(Deadline.due_on).alias("next_due"))
                .where(Deadline.done_at.is_null() & Deadline.deleted_at.is_null())
                .group_by(Deadline.application).alias("next_due_q"))
    query = (services.visible_applications(current_user)
             .select(Application, Organisation, Funder, next_due.c.next_due.alias("next_due"))
             .join(Organisation).switch(Application).join(Funder).switch(Application)
             .join(next_due, JOIN.LEFT_OUTER, on=(next_due.c.application_id == Application.id)))
    query = _filters(query)
    sort = request.args.get("sort", "updated")
    descending = request.args.get("dir", "desc" if sort in ("updated", "requested", "granted") else "asc") == "desc"
    if sort == "deadline":
        column = next_due.c.next_due
        order = column.desc(nulls="LAST") if descending else column.asc(nulls="LAST")
    else:
        column = SORTS.get(sort, Application.updated_at)
        order = column.desc() if descending else column.asc()
    return query.order_by(order, Application.id.desc()), sort, descending


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    query, sort, descending = _listed()
    page = paginate(query)
    return render_template("applications/index.html", page=page, stages=STAGES, sort=sort, descending=descending,
                           windows=WINDOWS, today=clock.today(), **_filter_options())


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    query = _filters(services.visible_applications(current_user))
    records = transfer.export_applications(query, include_notes=not current_user.is_viewer)
    return export_response(records, transfer.EXPORT_COLUMNS, fmt, "applications")


@bp.route("/board")
@allow("fundraiser", "member", "viewer")
def board():
    """A column per stage; each column a fixed number of cards (one query per stage, whatever the data size)."""
    base = _filters(services.visible_applications(current_user))
    counts = services.stage_counts(base)
    columns = {}
    for stage in BOARD_STAGES + FINAL_STAGES:
        limit = BOARD_CARDS_PER_COLUMN if stage in BOARD_STAGES else 10
        columns[stage] = list(base.select(*CARD_FIELDS).join(Organisation)
                              .switch(Application).join(Funder)
                              .where(Application.stage == stage)
                              .order_by(Application.stage_changed_at.desc(), Application.id.desc()).limit(limit))
    cards = [card for column in columns.values() for card in column]
    next_deadlines = deadline_services.next_open_by_application(card.id for card in cards)
    scores = checklist_services.scores_for(card.id for card in cards)
    return render_template("applications/board.html", columns=columns, counts=counts, stages=STAGES,
                           board_stages=BOARD_STAGES, final_stages=FINAL_STAGES, transitions=TRANSITIONS,
                           next_deadlines=next_deadlines, scores=scores, today=clock.today(), now=clock.now(),
                           can_move=current_user.role in ("fundraiser", "member"), days_in_stage=DAYS_IN_STAGE,
                           move_form=MoveForm(), **_filter_options())


def _application_form(application=None):
    form = ApplicationForm(obj=application if request.method == "GET" else None)
    organisations = Organisation.select().where(Organisation.archived_at.is_null()).order_by(Organisation.name)
    if current_user.is_member:
        organisations = Organisation.select().where(Organisation.id == current_user.organisation_id)
    form.organisation.choices = choices((str(o.id), o.name) for o in organisations)
    funders = Funder.select().where(Funder.archived_at.is_null()).order_by(Funder.name)
    form.funder.choices = choices([("", "–")] + [(str(f.id), f.name) for f in funders])
    rounds = Round.select(Round, Funder).join(Funder).where(Round.active).order_by(Funder.name, Round.name)
    form.round.choices = choices([("", "–")] + [(str(r.id), f"{r.funder.name}: {r.name}") for r in rounds])
    owners = User.select().where(User.role == "fundraiser", User.active).order_by(User.name)
    form.owner.choices = choices([("", "–")] + [(str(u.id), u.name) for u in owners])
    if request.method == "GET" and application is not None:
        form.organisation.data = str(application.organisation_id)
        form.funder.data = str(application.funder_id)
        form.round.data = str(application.round_id or "")
        form.owner.data = str(application.owner_id or "")
    return form


def _record_id(text) -> int | None:
    return int(text) if text and str(text).isdigit() else None


def _form_data(form) -> dict:
    data = dict(form.data)
    organisation_id = _record_id(form.organisation.data)
    if current_user.is_member:
        organisation_id = current_user.organisation_id
    data["organisation"] = Organisation.get_or_none(Organisation.id == organisation_id) if organisation_id else None
    data["funder"] = Funder.get_or_none(Funder.id == _record_id(form.funder.data))
    data["round"] = Round.get_or_none(Round.id == _record_id(form.round.data))
    data["owner"] = User.get_or_none((User.id == _record_id(form.owner.data)) & (User.role == "fundraiser"))
    if data["round"] is not None and data["funder"] is None:
        data["funder"] = data["round"].funder
    if not current_user.is_fundraiser:
        data.pop("amount_granted_ore", None)
    return data


@bp.route("/new", methods=["GET", "POST"])
@allow("fundraiser", "member")
def new():
    form = _application_form()
    if request.method == "GET":
        if request.args.get("funder", "").isdigit():
            form.funder.data = request.args["funder"]
        if request.args.get("round", "").isdigit():
            round_ = Round.get_or_none(Round.id == int(request.args["round"]))
            if round_ is not None:
                form.round.data, form.funder.data = str(round_.id), str(round_.funder_id)
        if request.args.get("organisation", "").isdigit():
            form.organisation.data = request.args["organisation"]
        if current_user.is_fundraiser:
            form.owner.data = str(current_user.id)
    # The funder may come from the round alone.
    if form.validate_on_submit():
        try:
            application = services.create_application(_form_data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The application is created."), "success")
            return redirect(url_for(".show", application_id=application.id))
    return render_template("applications/form.html", form=form, application=None), form_status(form)


@bp.route("/<int:application_id>/edit", methods=["GET", "POST"])
@allow("fundraiser", "member")
def edit(application_id):
    application = Application.get_by_id(application_id)
    form = _application_form(application)
    if form.validate_on_submit():
        try:
            services.update_application(application, _form_data(form), actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".show", application_id=application.id))
    return render_template("applications/form.html", form=form, application=application), form_status(form)


@bp.route("/<int:application_id>")
@allow("fundraiser", "member", "viewer")
def show(application_id):
    application = (Application.select(Application, Organisation, Funder).join(Organisation)
                   .switch(Application).join(Funder).where(Application.id == application_id).get())
    now = clock.now()
    history = list(StageChange.select(StageChange, User).join(User, JOIN.LEFT_OUTER)
                   .where(StageChange.application == application).order_by(StageChange.changed_at, StageChange.id))
    deadlines = list(application.deadlines.where(Deadline.deleted_at.is_null()).order_by(Deadline.due_on, Deadline.id))
    context = {
        "application": application, "history": services.stage_durations(history, now),
        "deadlines": deadlines, "stages": STAGES, "kinds": DEADLINE_KINDS, "today": clock.today(),
        "days_in_stage": services.days_in_stage(application, now), "moves": services.allowed_moves(application),
        "rejection_reasons": REJECTION_REASONS, "deadline_form": DeadlineForm(), "move_form": MoveForm(),
        "round": application.round if application.round_id else None,
        "checklist_score": checklist_services.scores_for([application.id]).get(application.id),
    }
    if current_user.is_fundraiser:
        agreement = fee_services.agreement_of(application)
        context.update(
            agreement=agreement, fee_form=FeeAgreementForm.for_agreement(agreement),
            invoice_form=InvoiceForm(), paid_form=PaidForm(), write_off_form=WriteOffForm(),
            money_form=MoneyReceivedForm(), reclaim_form=ReclaimForm(),
            fee_kinds=FEE_KINDS, fee_statuses=FEE_STATUSES, fee_triggers=FEE_TRIGGERS, entry_kinds=ENTRY_KINDS,
            fee_entries=list(agreement.entries.order_by(FeeEntry.booked_on, FeeEntry.id)) if agreement else [],
            fee_warning=fee_services.consultant_fee_warning(application.funder),
        )
    return render_template("applications/show.html", **context)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/<int:application_id>/move", methods=["GET", "POST"])
@allow("fundraiser", "member")
def move(application_id):
    """Move to another stage: a plain form (no JavaScript needed) and the board's drag-and-drop both post here."""
    application = Application.get_by_id(application_id)
    form = MoveForm()
    form.reason_code.choices = choices([("", "–")] + [(k, translate_label(v)) for k, v in REJECTION_REASONS.items()])
    target = request.values.get("to", "")
    if request.method == "GET":
        form.to.data = target
        return render_template("applications/move.html", application=application, form=form, target=target,
                               stages=STAGES, moves=services.allowed_moves(application))
    if not form.validate_on_submit():
        if _wants_json():
            return {"error": _("The form has expired. Please send it again.")}, 400
        return render_template("applications/move.html", application=application, form=form, target=target,
                               stages=STAGES, moves=services.allowed_moves(application)), 400
    try:
        services.move_stage(application, target, actor=current_user, now=clock.now(), reason=form.reason.data or "",
                            reason_code=form.reason_code.data or "",
                            amount_granted_ore=form.amount_granted_ore.data if current_user.is_fundraiser else None,
                            decided_on=form.decided_on.data,
                            override_reason=(form.override_reason.data or "") if current_user.is_fundraiser else "")
    except services.StageMoveRefused as refused:
        message = _(refused.message, **{k: translate_label(v) if isinstance(v, str) else v
                                        for k, v in refused.params.items()}) if refused.params else _(refused.message)
        if refused.missing:
            message += " " + "; ".join(item.label_da if current_language() == "da" else item.label_en
                                       for item in refused.missing)
        needs_details = (target in ("rejected", "granted") or bool(refused.missing)) \
            and target in services.allowed_moves(application)
        if _wants_json():
            body = {"error": message}
            if needs_details:
                body["details_url"] = url_for(".move", application_id=application.id, to=target)
            return body, 409
        if needs_details and request.form.get("from_board"):
            flash(message, "error")
            return redirect(url_for(".move", application_id=application.id, to=target))
        form.form_errors.append(message)
        return render_template("applications/move.html", application=application, form=form, target=target,
                               stages=STAGES, moves=services.allowed_moves(application),
                               missing=refused.missing), 409
    label = translate_label(STAGES[target])
    if _wants_json():
        return {"ok": True, "stage": target, "label": label}
    flash(_("The application is moved to %(stage)s.", stage=label), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".show", application_id=application.id)))


@bp.route("/<int:application_id>/money-received", methods=["POST"])
@allow("fundraiser")
def money_received(application_id):
    application = Application.get_by_id(application_id)
    form = MoneyReceivedForm()
    if form.validate_on_submit():
        try:
            services.record_money_received(application, form.money_received_on.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            message, params = next(iter(error.errors.values()))
            flash(_(message, **params), "error")
        else:
            flash(_("The money is recorded as received."), "success")
    else:
        flash(_("Give the date the money was received."), "error")
    return redirect(url_for(".show", application_id=application.id))


@bp.route("/<int:application_id>/reclaim", methods=["POST"])
@allow("fundraiser")
def reclaim(application_id):
    application = Application.get_by_id(application_id)
    form = ReclaimForm()
    if form.validate_on_submit():
        try:
            clawback = services.record_reclaim(application, form.amount.data, form.reclaimed_on.data,
                                               reason=form.reason.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            message, params = next(iter(error.errors.values()))
            flash(_(message, **params), "error")
        else:
            flash(_("The reclaimed amount is recorded."), "success")
            if clawback:
                from fundtrack.i18n import money

                flash(_("The fee is reduced by %(amount)s.", amount=money(-clawback)), "warning")
    else:
        flash(_("Give the amount, the date and why the money was reclaimed."), "error")
    return redirect(url_for(".show", application_id=application.id))

