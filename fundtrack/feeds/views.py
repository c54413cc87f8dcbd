"""Feed sources (fundraisers) and the calls inbox (everyone, members see the calls passed on to them)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from fundtrack import clock
from fundtrack.access import allow, scope
from fundtrack.audit.views import history
from fundtrack.events import Section
from fundtrack.feeds import jobs, matching, services
from fundtrack.feeds.deadlines import OTHER_KINDS
from fundtrack.feeds.forms import ConvertForm, CorrectionForm, SourceForm
from fundtrack.feeds.models import CALL_STATUSES, Call, CallChange, CallDeadline, CallMatch, FeedSource
from fundtrack.feeds.text import clean_html, safe_link
from fundtrack.feeds.transfer import EXPORT_COLUMNS, export_calls
from fundtrack.forms import Form, choices
from fundtrack.funders.models import Funder
from fundtrack.i18n import explain
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.tags import UN_GOALS, parse_tags
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import (
    apply_errors,
    arg_choice,
    arg_id,
    arg_text,
    current_settings,
    export_response,
    form_status,
    paginate,
    safe_next,
    unless_confirmed,
)

bp = Blueprint("feeds", __name__)
calls_bp = Blueprint("calls", __name__)
scope(calls_bp, "call_id")(services.visible_calls)
SECTION_ROWS = 20


@scope(bp, "source_id")
def visible_sources(user):
    return FeedSource.select() if user.is_fundraiser else FeedSource.select().where(FeedSource.id == 0)


@organisation_events.page_sections.connect
def organisation_calls(organisation, **rest):
    calls = services.calls_for_organisation(organisation, SECTION_ROWS)
    return Section("calls/_section.html", order=40, data={"calls": calls})


@bp.app_template_filter("feed_html")
def feed_html(text, base=""):
    """Feed HTML, cleaned: the only way feed content reaches a page as markup (relative links resolved
    against `base`)."""
    return Markup(clean_html(text, base))


@bp.app_template_filter("safe_link")
def safe_link_filter(url):
    return safe_link(url)


# Sources.


@bp.route("/", methods=["GET", "POST"])
@allow("fundraiser")
def index():
    form = SourceForm()
    if form.validate_on_submit():
        try:
            source = services.add_source(form.data, settings=current_settings().feeds, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("%(name)s is added; it is fetched within a minute, or now with “Fetch now”.", name=source.name), "success")
            return redirect(url_for(".index"))
    sources = list(FeedSource.select().order_by(FeedSource.name))
    return render_template("feeds/index.html", form=form, sources=sources, counts=services.calls_per_source()), form_status(form)


@bp.route("/<int:source_id>/edit", methods=["GET", "POST"])
@allow("fundraiser")
def edit(source_id):
    source = FeedSource.get_by_id(source_id)
    form = SourceForm(obj=source if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_source(source, form.data, settings=current_settings().feeds, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".index"))
    return render_template("feeds/edit.html", form=form, source=source), form_status(form)


@bp.route("/<int:source_id>/active", methods=["POST"])
@allow("fundraiser")
def toggle(source_id):
    source = FeedSource.get_by_id(source_id)
    services.set_active(source, not source.active, actor=current_user, now=clock.now())
    flash(
        _("%(name)s is fetched again.", name=source.name) if source.active else _("%(name)s is paused.", name=source.name),
        "success",
    )
    return redirect(url_for(".index"))


@bp.route("/<int:source_id>/delete", methods=["POST"])
@allow("fundraiser")
def delete(source_id):
    source = FeedSource.get_by_id(source_id)
    if (question := unless_confirmed(_("Remove the feed %(name)s?", name=source.name), url_for(".index"))) is not None:
        return question
    services.remove_source(source, actor=current_user, now=clock.now())
    flash(_("%(name)s is removed; its calls are kept.", name=source.name), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:source_id>/fetch", methods=["POST"])
@allow("fundraiser")
def fetch_now(source_id):
    settings = current_settings()
    source = FeedSource.get_by_id(source_id)
    report = services.fetch_source(source, settings.feeds, now=clock.now(), user_agent=jobs.user_agent(settings))
    if report.failed:
        flash(
            _(
                "Fetching %(name)s failed: %(error)s",
                name=source.name,
                error=explain(report.error["message"], report.error["params"]),
            ),
            "error",
        )
    else:
        flash(
            _(
                "%(name)s: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.",
                name=source.name,
                new=report.new,
                updated=report.updated,
                unchanged=report.unchanged,
            ),
            "success",
        )
    return redirect(url_for(".index"))


# Calls.


def _call_filters() -> services.CallFilters:
    return services.CallFilters(
        status=arg_choice("status", {*CALL_STATUSES, "all"}, "new" if not current_user.is_member else ""),
        text=arg_text("q"),
        source_id=arg_id("source"),
        organisation_id=arg_id("organisation"),
        window=arg_choice("window", services.DEADLINE_WINDOWS),
    )


@calls_bp.route("/")
@allow("fundraiser", "member", "viewer")
def inbox():
    filters = _call_filters()
    today = clock.today()
    counts = services.status_counts(services.visible_calls(current_user))
    page = paginate(services.inbox_order(services.filtered_calls(current_user, filters, today)))
    ids = [call.id for call in page.rows]
    matches: dict[int, list] = {}
    for match in services.matches_visible_to(current_user, ids):
        matches.setdefault(match.call_id, []).append(match)
    return render_template(
        "calls/index.html",
        page=page,
        status=filters.status,
        statuses=CALL_STATUSES,
        counts=counts,
        deadlines=services.deadlines_by_call(ids),
        matches=matches,
        today=today,
        sources=list(FeedSource.select().order_by(FeedSource.name)) if current_user.is_fundraiser else [],
        organisations=[]
        if current_user.is_member
        else list(Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)),
    )


@calls_bp.route("/export.<any(csv, xlsx, json):fmt>")
@allow("fundraiser", "member", "viewer", unscoped=("fmt",))
def export(fmt):
    query = services.filtered_calls(current_user, _call_filters(), clock.today())
    own = current_user.organisation_id if current_user.is_member else None
    return export_response(export_calls(query.order_by(Call.id), own), EXPORT_COLUMNS, fmt, "calls")


@calls_bp.route("/goals", methods=["GET", "POST"])
@allow("fundraiser")
def goal_words():
    """The words by which a call shows that it serves each UN goal, in Danish and English."""
    form = Form()
    words = matching.goal_words()
    typed = {name: request.form[name] for name in request.form if name.startswith(("da_", "en_"))}
    if form.validate_on_submit() and (too_long := matching.too_long_goal_words(typed)):
        form.form_errors.append(
            _(
                "A goal's words may hold %(limit)d characters, and each word %(word)d: see goal %(goals)s.",
                limit=matching.GOAL_WORDS_LIMIT,
                word=matching.WORD_LIMIT,
                goals=", ".join(too_long),
            )
        )
    elif form.validate_on_submit():
        edited = {
            goal: (parse_tags(request.form.get(f"da_{goal}", "")), parse_tags(request.form.get(f"en_{goal}", "")))
            for goal in UN_GOALS
            if f"da_{goal}" in request.form or f"en_{goal}" in request.form
        }
        changed = matching.save_goal_words(edited, actor=current_user, now=clock.now())
        flash(
            _("The goal words are saved, and the open calls are matched again (%(count)d new matches).", count=changed), "success"
        )
        return redirect(url_for(".goal_words"))
    return render_template(
        "calls/goals.html", form=form, goals=UN_GOALS, words=words, defaults=matching.DEFAULT_GOAL_WORDS, typed=typed
    ), form_status(form)


def _convert_form(call):
    form = ConvertForm()
    organisations = Organisation.select().where(Organisation.archived_at.is_null()).order_by(Organisation.name)
    if current_user.is_member:
        organisations = Organisation.select().where(Organisation.id == current_user.organisation_id)
    form.organisation.choices = choices((str(o.id), o.name) for o in organisations)
    funders = Funder.select(Funder.id, Funder.name).where(Funder.archived_at.is_null()).order_by(Funder.name)
    form.funder.choices = choices([("", "–")] + [(str(f.id), f.name) for f in funders])
    if request.method == "GET":
        suggested = services.funder_for(call)
        form.funder.data = str(suggested.id) if suggested else ""
        first_match = call.matches.order_by(CallMatch.id).first()
        if first_match and not current_user.is_member:
            form.organisation.data = str(first_match.organisation_id)
    return form


def _correction_form(call, deadlines):
    """The correction form, filled with the call's deadlines as they stand."""
    form = CorrectionForm(formdata=None)
    for (day_field, time_field), deadline in zip(form.rows(), deadlines, strict=False):
        day_field.data = deadline.due_on
        time_field.data = clock.to_local(deadline.due_at).time() if deadline.due_at else None
    form.rolling.data = call.rolling
    return form


@calls_bp.route("/<int:call_id>")
@allow("fundraiser", "member", "viewer")
def show(call_id, convert_form=None, correction_form=None, status=200):
    call = Call.get_by_id(call_id)
    matches = services.matches_visible_to(current_user, [call.id])
    deadlines = list(call.deadlines.order_by(CallDeadline.due_on))
    return render_template(
        "calls/show.html",
        call=call,
        statuses=CALL_STATUSES,
        other_kinds=OTHER_KINDS,
        today=clock.today(),
        deadlines=deadlines,
        sources=services.sources_by_call([call.id]).get(call.id, []),
        changes=list(call.changes.order_by(CallChange.changed_at.desc(), CallChange.id.desc())),
        matches=list(matches),
        convert_form=convert_form or _convert_form(call),
        correction_form=correction_form or _correction_form(call, deadlines),
        history=history("call", call.id),
    ), status


@calls_bp.route("/<int:call_id>/deadlines", methods=["POST"])
@allow("fundraiser")
def correct_deadlines(call_id):
    """The fundraiser's own reading of the call's deadlines."""
    call = Call.get_by_id(call_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        deadlines = [services.CorrectedDeadline(day.data, at.data) for day, at in form.rows() if day.data is not None]
        try:
            services.correct_deadlines(call, deadlines, rolling=form.rolling.data, actor=current_user, now=clock.now())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The deadlines are corrected; later fetches keep them."), "success")
            return redirect(url_for(".show", call_id=call.id))
    return show(call_id, correction_form=form, status=400)


@calls_bp.route("/<int:call_id>/deadlines/keep", methods=["POST"])
@allow("fundraiser")
def keep_correction(call_id):
    call = Call.get_by_id(call_id)
    services.keep_correction(call, actor=current_user, now=clock.now())
    flash(_("Your correction stays."), "success")
    return redirect(url_for(".show", call_id=call.id))


@calls_bp.route("/<int:call_id>/deadlines/feed", methods=["POST"])
@allow("fundraiser")
def use_feed_deadlines(call_id):
    call = Call.get_by_id(call_id)
    services.use_feed_deadlines(call, actor=current_user, now=clock.now())
    flash(_("The deadlines are read from the feed again."), "success")
    return redirect(url_for(".show", call_id=call.id))


@calls_bp.route("/<int:call_id>/status", methods=["POST"])
@allow("fundraiser")
def set_status(call_id):
    call = Call.get_by_id(call_id)
    try:
        services.set_status(call, request.form.get("status", ""), actor=current_user, now=clock.now())
    except ValidationError as error:
        for message, params in error.errors.values():
            flash(_(message, **params), "error")
    else:
        flash(_("The call is marked %(status)s.", status=_(CALL_STATUSES[call.status]).lower()), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".show", call_id=call_id)))


@calls_bp.route("/<int:call_id>/set-aside", methods=["POST"])
@allow("member")
def set_aside(call_id):
    """A member has looked at a call passed on to its organisation: off its "my work" list."""
    services.set_aside_match(Call.get_by_id(call_id), current_user.organisation_id, actor=current_user, now=clock.now())
    flash(_("The call is set aside; it stays in the list of calls."), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".show", call_id=call_id)))


@calls_bp.route("/<int:call_id>/convert", methods=["POST"])
@allow("fundraiser", "member")
def convert(call_id):
    call = Call.get_by_id(call_id)
    form = _convert_form(call)
    if form.validate_on_submit():
        organisation_id = current_user.organisation_id if current_user.is_member else parse_id(form.organisation.data)
        organisation = Organisation.get_or_none(Organisation.id == organisation_id) if organisation_id else None
        funder_id = parse_id(form.funder.data)
        funder = Funder.get_or_none(Funder.id == funder_id) if funder_id else None
        if organisation is None:
            form.organisation.errors = [_("Choose the organisation.")]
        else:
            try:
                application = services.convert_to_application(
                    call, organisation=organisation, funder=funder, actor=current_user, now=clock.now()
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                flash(_("The call is now an application."), "success")
                return redirect(url_for("applications.show", application_id=application.id))
    return show(call_id, convert_form=form, status=400)
