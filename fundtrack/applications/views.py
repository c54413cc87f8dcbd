"""Application pages: the list, the board, one application, and the forms that change it.

The domains above add their parts through `events`: columns of the list and details of the board's cards
(the next deadline, the checklist's score), filters (a deadline window, the overview's drill-downs) and
sections of the application's page (deadlines, the fee, the checklist).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtrack import clock, undo
from fundtrack.access import allow, scope
from fundtrack.applications import events, partners, services, transfer
from fundtrack.applications.forms import ApplicationForm, MoneyReceivedForm, MoveForm, PartnerForm, ReclaimForm, ShareForm
from fundtrack.applications.models import REJECTION_REASONS, STAGES, TRANSITIONS, WON_STAGES, Application, Partner, StageChange
from fundtrack.audit.views import history
from fundtrack.auth.models import User
from fundtrack.events import Section, answers
from fundtrack.forms import choices
from fundtrack.funders import events as funder_events
from fundtrack.funders.models import Funder, Round
from fundtrack.i18n import current_language, explain, translate_label
from fundtrack.i18n_markers import N_
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, parse_id, parse_percent
from fundtrack.web import (
    apply_errors,
    arg_choice,
    arg_id,
    arg_text,
    current_settings,
    error_texts,
    export_response,
    form_status,
    paginate,
    safe_next,
    unless_confirmed,
    wants_json,
)

bp = Blueprint("applications", __name__)
scope(bp, "application_id", writable=services.changeable_applications)(services.visible_applications)
scope(bp, "partner_id", within=("application_id", "application"))(
    lambda user: Partner.select().where(Partner.application.in_(services.visible_applications(user).select(Application.id)))
)

DAYS_IN_STAGE = N_("%(days)d days in stage")
OWN_PARAMETERS = ("q", "organisation", "funder", "funder_name", "owner", "stage", "sort", "dir", "page")
SECTION_ROWS = 25


def _applications_section(user, condition, link_args, other):
    """The newest applications of an organisation or a funder, on its page."""
    query = services.visible_applications(user).where(condition)
    rows = list(
        query.select(Application, Organisation, Funder)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(SECTION_ROWS)
    )
    return Section(
        "applications/_section.html",
        order=30,
        data={"applications": rows, "total": query.count(), "link_args": link_args, "other": other, "stages": STAGES},
    )


@organisation_events.page_sections.connect
def organisation_applications(organisation, user, **rest):
    return _applications_section(user, Application.organisation == organisation.id, {"organisation": organisation.id}, "funder")


@funder_events.page_sections.connect
def funder_applications(funder, user, **rest):
    return _applications_section(user, Application.funder == funder.id, {"funder": funder.id}, "organisation")


def _contributed_filters():
    return answers(events.list_filters, user=current_user, today=clock.today(), settings=current_settings())


def _filters(contributed, *, with_stage: bool = True) -> services.ListFilters:
    """The list's and the board's filters from the query string, with those the domains above add."""
    return services.ListFilters(
        organisation_id=current_user.organisation_id if current_user.is_member else arg_id("organisation"),
        funder_id=arg_id("funder"),
        funder_name=arg_text("funder_name"),
        owner_id=arg_id("owner"),
        stage=arg_choice("stage", STAGES) if with_stage else "",
        text=arg_text("q"),
        conditions=[f.condition for f in contributed if f.condition is not None],
    )


def _filter_options(contributed) -> dict:
    """What the filter form offers: the organisations the user may see, the owners, and the other domains'
    controls; funders are filtered by name (there may be thousands)."""
    organisations = Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if current_user.is_member:
        organisations = organisations.where(Organisation.id == current_user.organisation_id)
    owners = User.select(User.id, User.name).where(User.role == "fundraiser").order_by(User.name)
    kept = set(OWN_PARAMETERS) | {p for f in contributed if f.template for p in f.parameters}
    return {
        "organisations": list(organisations),
        "owners": list(owners),
        "contributed_filters": contributed,
        "kept_arguments": [(k, v) for k, v in request.args.items(multi=True) if k not in kept],
        "report_filter": " · ".join(f.description for f in contributed if f.description),
    }


def _columns():
    return answers(events.list_columns, user=current_user, today=clock.today())


@bp.route("/")
@allow("fundraiser", "member", "viewer")
def index():
    contributed = _contributed_filters()
    columns = [column for column in _columns() if column.cell]
    sorts = {column.key: column.sort for column in columns if column.sort is not None}
    sort = arg_choice("sort", {*services.SORTS, *sorts}, "updated")
    direction = arg_choice("dir", ("asc", "desc"), "desc" if sort in services.DESCENDING_FIRST else "asc")
    query = services.listed(current_user, _filters(contributed), sort=sort, descending=direction == "desc", extra_sorts=sorts)
    page = paginate(query)
    for column in columns:
        column.fill(a.id for a in page.rows)
    return render_template(
        "applications/index.html",
        page=page,
        stages=STAGES,
        sort=sort,
        descending=direction == "desc",
        columns=columns,
        today=clock.today(),
        **_filter_options(contributed),
    )


@bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    query = services.filtered(current_user, _filters(_contributed_filters()))
    records = transfer.export_applications(query, shows_notes=lambda a: services.may_change(current_user, a))
    return export_response(records, transfer.EXPORT_COLUMNS, fmt, "applications")


@bp.route("/board")
@allow("fundraiser", "member", "viewer")
def board():
    """A column per stage; each column a fixed number of cards (one query per stage, whatever the data size)."""
    contributed = _contributed_filters()
    counts, columns = services.board(current_user, _filters(contributed, with_stage=False))
    ids = [card.id for column in columns.values() for card in column]
    details = [column.fill(ids) for column in _columns() if column.card]
    return render_template(
        "applications/board.html",
        columns=columns,
        counts=counts,
        stages=STAGES,
        board_stages=services.BOARD_STAGES,
        final_stages=services.FINAL_STAGES,
        transitions=TRANSITIONS,
        details=details,
        today=clock.today(),
        now=clock.now(),
        can_move=current_user.role in ("fundraiser", "member"),
        days_in_stage=DAYS_IN_STAGE,
        **_filter_options(contributed),
    )


def _application_form(application=None):
    form = ApplicationForm(obj=application if request.method == "GET" else None)
    organisations = Organisation.select().where(Organisation.archived_at.is_null()).order_by(Organisation.name)
    if current_user.is_member:
        organisations = Organisation.select().where(Organisation.id == current_user.organisation_id)
    form.organisation.choices = choices((str(o.id), o.name) for o in organisations)
    funders = Funder.select(Funder.id, Funder.name).where(Funder.archived_at.is_null()).order_by(Funder.name)
    form.funder.choices = choices([("", "–")] + [(str(f.id), f.name) for f in funders])
    rounds = Round.select(Round, Funder).join(Funder).where(Round.active).order_by(Funder.name, Round.name)
    form.round.choices = choices([("", "–")] + [(str(r.id), f"{r.funder.name}: {r.name}") for r in rounds])
    form.owner.choices = choices([("", "–")] + [(str(u.id), u.name) for u in services.possible_owners()])
    if request.method == "GET" and application is not None:
        form.organisation.data = str(application.organisation_id)
        form.funder.data = str(application.funder_id)
        form.round.data = str(application.round_id or "")
        form.owner.data = str(application.owner_id or "")
    return form


def _form_data(form) -> dict:
    data = dict(form.data)
    organisation_id = current_user.organisation_id if current_user.is_member else parse_id(form.organisation.data)
    data["organisation"] = Organisation.get_or_none(Organisation.id == organisation_id) if organisation_id else None
    funder_id, round_id, owner_id = (parse_id(f.data) for f in (form.funder, form.round, form.owner))
    data["funder"] = Funder.get_or_none(Funder.id == funder_id) if funder_id else None
    data["round"] = Round.get_or_none(Round.id == round_id) if round_id else None
    data["owner"] = services.possible_owners().where(User.id == owner_id).first() if owner_id else None
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
        funder_id, round_id, organisation_id = arg_id("funder"), arg_id("round"), arg_id("organisation")
        if funder_id:
            form.funder.data = str(funder_id)
        if round_id:
            round_ = Round.get_or_none(Round.id == round_id)
            if round_ is not None:
                form.round.data, form.funder.data = str(round_.id), str(round_.funder_id)
        if organisation_id:
            form.organisation.data = str(organisation_id)
        if current_user.is_fundraiser:
            form.owner.data = str(current_user.id)
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
    if not services.may_change(current_user, application):
        abort(404)  # a partner's member: the form of a record they may only read (its post is refused the same way)
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


def render_page(application: Application, *, forms: dict | None = None, status: int = 200):
    """The application with every domain's section; `forms` carries a form sent back with errors to its section."""
    now, today = clock.now(), clock.today()
    forms = forms or {}
    context = {
        "application": application,
        "stages": STAGES,
        "today": today,
        "timeline": services.stage_durations(services.stage_history(application), now),
        "days_in_stage": services.days_in_stage(application, now),
        "moves": services.allowed_moves(application),
        "rejection_reasons": REJECTION_REASONS,
        "round": application.round if application.round_id else None,
        "sections": answers(events.page_sections, application, user=current_user, today=today, forms=forms),
        "history": history("application", application.id),
        "money_form": forms.get("money") or MoneyReceivedForm(formdata=None),
        "partners": partners.partners_of(application),
        "lead_share": partners.lead_share(application),
        "partner_form": _partner_form(application, forms.get("partner")),
        "share_forms": forms.get("share", {}),
        "reclaim_form": forms.get("reclaim") or ReclaimForm(formdata=None),
        "won": application.stage in WON_STAGES,
    }
    return render_template("applications/show.html", **context), status


@bp.route("/<int:application_id>")
@allow("fundraiser", "member", "viewer")
def show(application_id):
    application = (
        Application.select(Application, Organisation, Funder)
        .join(Organisation)
        .switch(Application)
        .join(Funder)
        .where(Application.id == application_id)
        .get()
    )
    return render_page(application)


def _move_page(application, form, target, status=200, missing=()):
    return render_template(
        "applications/move.html",
        application=application,
        form=form,
        target=target,
        stages=STAGES,
        moves=services.allowed_moves(application),
        missing=list(missing),
    ), status


@bp.route("/<int:application_id>/move", methods=["GET", "POST"])
@allow("fundraiser", "member")
def move(application_id):
    """Move to another stage: a plain form (no JavaScript needed) and the board's drag-and-drop both post here."""
    application = Application.get_by_id(application_id)
    if not services.may_change(current_user, application):
        abort(404)  # as for the edit form
    form = MoveForm()
    form.reason_code.choices = choices([("", "–")] + [(k, translate_label(v)) for k, v in REJECTION_REASONS.items()])
    target = request.values.get("to", "")
    if request.method == "GET":
        form.to.data = target
        if target == "granted" and current_user.is_fundraiser:  # what is asked for is the likeliest answer
            form.amount_granted_ore.data = application.amount_granted_ore or application.amount_requested_ore
        if target in ("granted", "rejected", "withdrawn"):
            form.decided_on.data = clock.today()
        return _move_page(application, form, target)
    if target == "withdrawn" and not request.form.get("confirmed"):
        if wants_json():
            return {
                "error": _("A withdrawal must be confirmed."),
                "details_url": url_for(".move", application_id=application.id, to=target),
            }, 409
        return redirect(url_for(".move", application_id=application.id, to=target))
    if not form.validate():
        if wants_json():
            return {"error": " ".join(e for errors in form.errors.values() for e in errors)}, 400
        return _move_page(application, form, target, 400)
    try:
        services.move_stage(
            application,
            target,
            actor=current_user,
            now=clock.now(),
            reason=form.reason.data or "",
            reason_code=form.reason_code.data or "",
            amount_granted_ore=form.amount_granted_ore.data if current_user.is_fundraiser else None,
            decided_on=form.decided_on.data,
            override_reason=(form.override_reason.data or "") if current_user.is_fundraiser else "",
        )
    except ValidationError as error:
        apply_errors(form, error)
        if wants_json():
            return {"error": " ".join(error_texts(error))}, 400
        return _move_page(application, form, target, 400)
    except services.StageMoveRefused as refused:
        message = (
            _(refused.message, **{k: translate_label(v) if isinstance(v, str) else v for k, v in refused.params.items()})
            if refused.params
            else _(refused.message)
        )
        if refused.missing:
            message += " " + "; ".join(item.label_da if current_language() == "da" else item.label_en for item in refused.missing)
        needs_details = (target in ("rejected", "granted") or bool(refused.missing)) and target in services.allowed_moves(
            application
        )
        if wants_json():
            body = {"error": message}
            if needs_details:
                body["details_url"] = url_for(".move", application_id=application.id, to=target)
            return body, 409
        if needs_details and request.form.get("from_board"):
            flash(message, "error")
            return redirect(url_for(".move", application_id=application.id, to=target))
        form.form_errors.append(message)
        return _move_page(application, form, target, 409, refused.missing)
    label = translate_label(STAGES[target])
    done = _("%(title)s is moved to %(stage)s.", title=application.title, stage=label)
    if target == "withdrawn":
        undo.offer("withdrawal", application.id, done, now=clock.now())
    if wants_json():
        return {"ok": True, "stage": target, "label": label}
    if target != "withdrawn":
        flash(done, "success")
    return redirect(safe_next(request.form.get("next"), url_for(".show", application_id=application.id)))


@undo.taker("withdrawal")
def _take_back_withdrawal(application_id, *, actor, now):
    application = Application.get_or_none(Application.id == application_id)
    if application is None or application.stage != "withdrawn" or not services.may_change(actor, application):
        return None
    last = application.stage_changes.order_by(StageChange.changed_at.desc(), StageChange.id.desc()).first()
    if last is None or last.actor_id != actor.id:
        return None
    services.reopen(application, actor=actor, now=now, reason=_("Withdrawal undone"))
    return url_for("applications.show", application_id=application.id)


@bp.route("/<int:application_id>/reopen", methods=["POST"])
@allow("fundraiser")
def reopen(application_id):
    """A final stage opened again (a rejection appealed, a withdrawal regretted, a closed grant with a late report)."""
    application = Application.get_by_id(application_id)
    back = url_for(".show", application_id=application.id)
    stage = translate_label(STAGES[application.stage]) if application.stage in STAGES else ""
    question = _("Reopen %(title)s, now %(stage)s? It goes back to the stage it came from.", title=application.title, stage=stage)
    if (asked := unless_confirmed(question, back)) is not None:
        return asked
    try:
        change = services.reopen(application, actor=current_user, now=clock.now(), reason=request.form.get("reason", "")[:2000])
    except services.StageMoveRefused as refused:
        flash(_(refused.message), "error")
        return redirect(back)
    flash(
        _("%(title)s is open again, in %(stage)s.", title=application.title, stage=translate_label(STAGES[change.to_stage])),
        "success",
    )
    return redirect(back)


@bp.route("/<int:application_id>/money-received", methods=["POST"])
@allow("fundraiser")
def money_received(application_id):
    application = Application.get_by_id(application_id)
    form = MoneyReceivedForm()
    if form.validate_on_submit():
        try:
            services.record_money_received(application, form.money_received_on.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The money is recorded as received."), "success")
            return redirect(url_for(".show", application_id=application.id) + "#money")
    return render_page(application, forms={"money": form}, status=400)


@bp.route("/<int:application_id>/reclaim", methods=["POST"])
@allow("fundraiser")
def reclaim(application_id):
    application = Application.get_by_id(application_id)
    form = ReclaimForm()
    if form.validate_on_submit():
        try:
            notices = services.record_reclaim(
                application,
                form.amount.data,
                form.reclaimed_on.data,
                reason=form.reason.data,
                actor=current_user,
                now=clock.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The reclaimed amount is recorded."), "success")
            for notice in notices:
                flash(explain(notice.message, notice.params), notice.category)
            return redirect(url_for(".show", application_id=application.id) + "#money")
    return render_page(application, forms={"reclaim": form}, status=400)


# Joint applications: the partner organisations and their shares.


def _partner_form(application: Application, form: PartnerForm | None = None) -> PartnerForm:
    form = form or PartnerForm(formdata=None)
    form.organisation.choices = choices([("", "–")] + [(str(o.id), o.name) for o in partners.partner_choices(application)])
    return form


def _share(form) -> int | None:
    """The share typed, in basis points; None (and the error at its field) when it is not a percentage."""
    try:
        return parse_percent(form.share.data)
    except ValueError:
        form.share.errors = [_("Write the share as a percentage, e.g. 25 or 12,5.")]
        return None


def _to_partners(application_id: int):
    return redirect(url_for(".show", application_id=application_id) + "#partners")


@bp.route("/<int:application_id>/partners", methods=["POST"])
@allow("fundraiser", "member")
def add_partner(application_id):
    application = Application.get_by_id(application_id)
    form = _partner_form(application, PartnerForm())
    if form.validate_on_submit() and not form.share.errors:
        share = _share(form)
        organisation_id = parse_id(form.organisation.data)
        organisation = Organisation.get_or_none(Organisation.id == organisation_id) if organisation_id else None
        if not form.share.errors:
            try:
                partner = partners.add_partner(application, organisation, share, actor=current_user, now=clock.now())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                flash(_("%(name)s is a partner of the application.", name=partner.organisation.name), "success")
                return _to_partners(application.id)
    return render_page(application, forms={"partner": form}, status=400)


@bp.route("/<int:application_id>/partners/<int:partner_id>", methods=["POST"])
@allow("fundraiser", "member")
def update_partner(application_id, partner_id):
    application = Application.get_by_id(application_id)
    partner = Partner.get_by_id(partner_id)
    partner.application = application
    form = ShareForm()
    if form.validate_on_submit():
        share = _share(form)
        if not form.share.errors:
            try:
                partners.update_partner(partner, share, actor=current_user, now=clock.now())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                flash(_("The share is saved."), "success")
                return _to_partners(application.id)
    return render_page(application, forms={"share": {partner.id: form}}, status=400)


@bp.route("/<int:application_id>/partners/<int:partner_id>/remove", methods=["POST"])
@allow("fundraiser", "member")
def remove_partner(application_id, partner_id):
    partner = Partner.get_by_id(partner_id)
    partner.application = Application.get_by_id(application_id)
    back = url_for(".show", application_id=application_id) + "#partners"
    if (question := unless_confirmed(_("Remove %(name)s as partner?", name=partner.organisation.name), back)) is not None:
        return question
    partners.remove_partner(partner, actor=current_user, now=clock.now())
    flash(_("%(name)s is no longer a partner.", name=partner.organisation.name), "success")
    return _to_partners(application_id)
