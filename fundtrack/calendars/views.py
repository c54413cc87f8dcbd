"""Serving calendars to calendar clients, and issuing, rotating and revoking their addresses."""

from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import fn
from wtforms import BooleanField, SelectField, StringField

from fundtrack import clock
from fundtrack.access import allow, public, scope
from fundtrack.auth.models import User
from fundtrack.calendars import services
from fundtrack.calendars.models import Subscription
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import changeable_deadlines, visible_deadlines
from fundtrack.feeds.models import Call, CallDeadline
from fundtrack.feeds.services import visible_calls
from fundtrack.forms import Form, choices
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import apply_errors, current_settings, form_status

bp = Blueprint("calendars", __name__)
scope(bp, "subscription_id")(services.subscriptions_for)
scope(bp, "deadline_id", writable=changeable_deadlines)(visible_deadlines)
scope(bp, "call_id")(
    lambda user: visible_calls(user).where(fn.EXISTS(CallDeadline.select(CallDeadline.id).where(CallDeadline.call == Call.id)))
)  # a call file needs a date
CACHE_CONTROL = "private, max-age=900, must-revalidate"
REMINDER_LABELS = {
    2 * services.WEEK: _l("2 weeks"),
    services.WEEK: _l("1 week"),
    3 * services.DAY: _l("3 days"),
    services.DAY: _l("1 day"),
    120: _l("2 hours"),
}
SHOWN_ADDRESSES = 5  # addresses kept in the session to show again on reload, newest last


class SettingsForm(Form):
    name = StringField(_l("Name (as it shows in the calendar program)"))
    language = SelectField(_l("Language"), choices=choices([("da", "Dansk"), ("en", "English")]))
    include_deadlines = BooleanField(_l("Application deadlines (submission, internal drafts, decisions, reports)"), default=True)
    include_rounds = BooleanField(_l("The next dates of funders' rounds"), default=True)
    include_calls = BooleanField(_l("Open calls passed on"), default=True)
    reminders = BooleanField(_l("Reminders in the calendar"), default=True)

    def reminder_minutes(self) -> dict[str, list[int]]:
        """The reminders ticked per kind (`r_<kind>` boxes of the form)."""
        return {
            kind: [m for m in (parse_id(v) for v in request.form.getlist(f"r_{kind}")) if m in REMINDER_LABELS]
            for kind in services.REMINDER_KINDS
        }


class IssueForm(SettingsForm):
    owner = SelectField(_l("Calendar for"), choices=[], validate_choice=False)


def _base_url() -> str:
    return current_settings().app.base_url.rstrip("/")


def subscription_links(token: str, name: str) -> dict:
    """The address in every form a calendar program wants: https, webcal, Google and Outlook."""
    https = f"{_base_url()}{url_for('calendars.feed', token=token)}"
    webcal = "webcal://" + https.split("://", 1)[1]
    return {
        "https": https,
        "webcal": webcal,
        "google": f"https://calendar.google.com/calendar/r?cid={quote(webcal, safe='')}",
        "outlook": f"https://outlook.live.com/calendar/0/addfromweb?url={quote(https, safe='')}&name={quote(name, safe='')}",
        "office": f"https://outlook.office.com/calendar/0/addfromweb?url={quote(https, safe='')}&name={quote(name, safe='')}",
    }


@bp.route("/<token>.ics", methods=["GET", "HEAD"])
@public
def feed(token):
    """A subscription's calendar; an unknown or revoked address is a bare 404."""
    subscription = services.find(token)
    if subscription is None:
        return Response(status=404)
    g.log_fields = {"subscription": subscription.id}  # the access log names the subscription, never its secret
    now = clock.now()
    built = services.calendar_for(subscription, clock.today(), now, _base_url())
    headers = {
        "ETag": built.etag,
        "Last-Modified": format_datetime(built.last_modified, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Content-Disposition": 'inline; filename="fundtrack.ics"',
    }
    if _not_modified(built):
        return Response(status=304, headers=headers)
    return Response(built.body, status=200, headers=headers, content_type="text/calendar; charset=utf-8")


def _not_modified(built) -> bool:
    """If-None-Match decides when sent; else If-Modified-Since, only when nothing changed since that time."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return built.etag in tags or "*" in tags
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return moment is not None and moment.tzinfo is not None and built.last_modified <= moment
    return False


def _owners():
    """Who a new calendar may be for: the user, and the organisations the user may issue for."""
    options = [(f"user:{current_user.id}", _("Me (%(name)s)", name=current_user.name))]
    if current_user.is_fundraiser:
        organisations = Organisation.select().where(Organisation.archived_at.is_null()).order_by(Organisation.name)
    elif current_user.is_member:
        organisations = Organisation.select().where(Organisation.id == current_user.organisation_id)
    else:
        organisations = []
    return options + [(f"organisation:{o.id}", o.name) for o in organisations]


@bp.route("/", methods=["GET", "POST"])
@allow("fundraiser", "member", "viewer")
def index():
    form = IssueForm()
    owners = _owners()
    form.owner.choices = choices(owners)
    if request.method == "GET":
        form.language.data = current_user.language
    if form.validate_on_submit():
        kind, _sep, owner_id = (form.owner.data or "").partition(":")
        if (form.owner.data or "") not in {value for value, _label in owners}:
            abort(404)
        try:
            subscription, token = services.issue(
                organisation=Organisation.get_by_id(int(owner_id)) if kind == "organisation" else None,
                user=User.get_by_id(int(owner_id)) if kind == "user" else None,
                name=form.name.data,
                language=form.language.data,
                include_deadlines=form.include_deadlines.data,
                include_rounds=form.include_rounds.data,
                include_calls=form.include_calls.data,
                reminders=form.reminders.data,
                reminder_minutes=form.reminder_minutes(),
                actor=current_user,
                now=clock.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _to_address(subscription, token)
    subscriptions = list(services.listed_for(current_user))
    return render_template(
        "calendars/index.html",
        form=form,
        subscriptions=subscriptions,
        call_limit=services.CALL_LIMIT,
        **_reminder_grid(None, form),
    ), form_status(form)


def _reminder_grid(subscription, form) -> dict:
    """What the reminder boxes show: what was just ticked, else the subscription's choice, else the defaults."""
    if request.method == "POST":
        chosen = form.reminder_minutes()
    else:
        own = subscription.reminder_minutes if subscription is not None else {}
        chosen = {kind: list(own.get(kind, default)) for kind, default in services.DEFAULT_REMINDERS.items()}
    return {"reminder_kinds": services.REMINDER_KINDS, "reminder_labels": REMINDER_LABELS, "chosen": chosen}


def _to_address(subscription, token):
    """Post, redirect, get: the new address is kept in the session for its page, which may be reloaded."""
    shown = dict(session.get("calendar_addresses", {}))
    shown.pop(str(subscription.id), None)
    shown[str(subscription.id)] = token
    session["calendar_addresses"] = dict(list(shown.items())[-SHOWN_ADDRESSES:])
    return redirect(url_for(".address", subscription_id=subscription.id))


@bp.route("/<int:subscription_id>/address")
@allow("fundraiser", "member", "viewer")
def address(subscription_id):
    """The address just made, with a copy button and links for each calendar program; only for the browser
    that made it, and gone with its session."""
    subscription = Subscription.get_by_id(subscription_id)
    token = session.get("calendar_addresses", {}).get(str(subscription.id))
    name = services.calendar_name(subscription)
    found = services.find(token) if token else None
    links = subscription_links(token, name) if found is not None and found.id == subscription.id else None
    return render_template("calendars/address.html", subscription=subscription, name=name, links=links)


@bp.route("/<int:subscription_id>/edit", methods=["GET", "POST"])
@allow("fundraiser", "member", "viewer")
def edit(subscription_id):
    """What the calendar holds, its name, language and reminders: changed without changing its address."""
    subscription = Subscription.get_by_id(subscription_id)
    form = SettingsForm(obj=subscription if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_settings(
                subscription,
                {**form.data, "reminder_minutes": form.reminder_minutes()},
                actor=current_user,
                now=clock.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The calendar is changed; calendar programs see it at their next update."), "success")
            return redirect(url_for(".index"))
    return render_template(
        "calendars/edit.html", form=form, subscription=subscription, **_reminder_grid(subscription, form)
    ), form_status(form)


@bp.route("/<int:subscription_id>/rotate", methods=["POST"])
@allow("fundraiser", "member", "viewer")
def rotate(subscription_id):
    subscription = Subscription.get_by_id(subscription_id)
    token = services.rotate(subscription, actor=current_user, now=clock.now())
    flash(_("The calendar has a new address. The old one no longer works: subscribe again with the new one."), "warning")
    return _to_address(subscription, token)


@bp.route("/<int:subscription_id>/revoke", methods=["POST"])
@allow("fundraiser", "member", "viewer")
def revoke(subscription_id):
    subscription = Subscription.get_by_id(subscription_id)
    services.revoke(subscription, actor=current_user, now=clock.now())
    flash(_("The calendar address is revoked; calendar programs that use it get nothing more."), "success")
    return redirect(url_for(".index"))


def _single(item, filename: str) -> Response:
    body = services.render([item], name=item.summary, uid=item.uid, language=current_user.language)
    return Response(
        body, content_type="text/calendar; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/deadline/<int:deadline_id>.ics")
@allow("fundraiser", "member", "viewer")
def deadline_file(deadline_id):
    """One deadline as a calendar file, to open in any calendar program."""
    deadline = Deadline.get_by_id(deadline_id)
    return _single(services.deadline_item(deadline, current_user.language, _base_url()), f"deadline-{deadline.id}.ics")


@bp.route("/call/<int:call_id>.ics")
@allow("fundraiser", "member", "viewer")
def call_file(call_id):
    """A call's first coming deadline (or its last one) as a calendar file."""
    call = Call.get_by_id(call_id)
    deadline = (
        call.deadlines.where(CallDeadline.due_on >= clock.today()).order_by(CallDeadline.due_on).first()
        or call.deadlines.order_by(CallDeadline.due_on.desc()).first()
    )
    item = services.call_item(call, deadline, current_user.language, _base_url())
    return _single(item, f"call-{call.id}.ics")
