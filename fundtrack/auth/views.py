"""Login, logout, language, own account, and the fundraiser's list of users."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from peewee import JOIN

from fundtrack import clock
from fundtrack.access import allow, public, scope
from fundtrack.audit import services as audit
from fundtrack.auth import events, services
from fundtrack.auth.forms import LanguageForm, LoginForm, PasswordForm, UserForm
from fundtrack.auth.models import ROLES, User
from fundtrack.events import answers
from fundtrack.forms import choices
from fundtrack.i18n import translate_label
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, parse_id
from fundtrack.web import apply_errors, current_settings, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        settings = current_settings().app
        try:
            user = services.authenticate(
                form.email.data,
                form.password.data,
                remote_addr=request.remote_addr or "",
                now=clock.now(),
                max_failures=settings.login_max_failures,
                lockout_minutes=settings.login_lockout_minutes,
            )
        except services.LoginRefused as refused:
            if refused.wait_seconds:
                form.form_errors.append(
                    ngettext(
                        "Too many failed attempts. Try again in %(num)d second.",
                        "Too many failed attempts. Try again in %(num)d seconds.",
                        refused.wait_seconds,
                    )
                )
                status = 429
            else:
                form.form_errors.append(_("Wrong e-mail or password."))
                status = 401
        else:
            language = session.get("language")
            session.clear()  # a fresh session on login: no fixation
            login_user(user)
            session.permanent = True
            session["started"] = session["seen"] = clock.now().timestamp()
            if language and not user.language:
                session["language"] = language
            return redirect(safe_next(form.next.data, url_for("dashboard.index")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(*ROLES)
def logout():
    services.end_sessions(current_user)  # a copy of this session's cookie stops working too
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    """Switch language: stored on the user when logged in, else in the session."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            services.set_language(current_user, form.language.data, now=clock.now())
        else:
            session["language"] = form.language.data
    return redirect(safe_next(form.next.data, url_for("dashboard.index")))


def render_account(*, forms: dict | None = None, status: int = 200):
    """The account page with the parts other domains add (the reminders); `forms` carries one sent back."""
    forms = forms or {}
    sections = answers(events.account_sections, current_user._get_current_object(), forms=forms)
    return render_template(
        "auth/account.html", form=forms.get("password") or PasswordForm(formdata=None), sections=sections
    ), status


@bp.route("/account", methods=["GET", "POST"])
@allow(*ROLES)
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        if not services.check_password(current_user, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                services.change_password(current_user, form.password.data, now=clock.now())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                login_user(current_user._get_current_object())  # the session version changed: renew this session
                flash(_("Your password is changed. Other sessions are logged out."), "success")
                return redirect(url_for("auth.account"))
    return render_account(forms={"password": form}, status=400 if form.errors else 200)


@bp.route("/users/")
@allow("fundraiser")
def users():
    rows = User.select(User, Organisation).join(Organisation, join_type=JOIN.LEFT_OUTER).order_by(User.role, User.name)
    return render_template("auth/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@allow("fundraiser")
def new_user():
    form = UserForm()
    form.role.choices = choices((key, translate_label(label)) for key, label in ROLES.items())
    form.organisation.choices = choices(
        [("", "–")]
        + [
            (str(o.id), o.name)
            for o in Organisation.select().where(Organisation.archived_at.is_null()).order_by(Organisation.name)
        ]
    )
    if form.validate_on_submit():
        chosen = form.organisation.data
        organisation = Organisation.get_or_none(Organisation.id == parse_id(chosen)) if parse_id(chosen) else None
        try:
            services.create_user(
                form.email.data,
                form.name.data,
                form.role.data,
                form.password.data,
                organisation=organisation,
                language=form.language.data,
                now=clock.now(),
                actor=current_user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The user %(email)s is created.", email=form.email.data), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form), 400 if form.errors else 200


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@allow("fundraiser")
def toggle_active(user_id):
    user = User.get_by_id(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        services.set_active(user, not user.active, actor=current_user, now=clock.now())
        flash(_("%(name)s is now %(state)s.", name=user.name, state=_("active") if user.active else _("deactivated")), "success")
    return redirect(url_for("auth.users"))


@bp.route("/users/<int:user_id>/sessions", methods=["POST"])
@allow("fundraiser")
def sign_out_everywhere(user_id):
    """Every session of the user ends on every server (a lost phone, a shared computer)."""
    user = User.get_by_id(user_id)
    services.end_sessions(user)
    audit.record_action(current_user, user, "signed_out", clock.now())
    flash(_("%(name)s is signed out everywhere.", name=user.name), "success")
    return redirect(url_for("auth.users") if user.id != current_user.id else url_for("auth.login"))


@scope(bp, "user_id")
def visible_users(user):
    """Fundraisers manage every account; others only their own."""
    return User.select() if user.is_fundraiser else User.select().where(User.id == user.id)
