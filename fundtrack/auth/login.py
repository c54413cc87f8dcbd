"""Wiring login into the app: the session user, and the access check on every request."""

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, logout_user

from fundtrack import access, clock
from fundtrack.auth import services

login_manager = LoginManager()


@login_manager.user_loader
def load_user(session_id: str):
    return services.load_session_user(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    return redirect(url_for("auth.login", next=request.path))


def end_stale_sessions():
    """A session ends after `app.session_hours` from its login, or `app.session_idle_minutes` without a request."""
    if not current_user.is_authenticated:
        return None
    settings = current_app.extensions["fundtrack.settings"].app
    now = clock.now().timestamp()
    started, seen = session.get("started", now), session.get("seen", now)
    if now - started > settings.session_hours * 3600 or now - seen > settings.session_idle_minutes * 60:
        logout_user()
        session.clear()
        flash(_("Your session has ended. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.path))
    if now - seen > 60:  # the cookie is written again at most once a minute
        session["seen"] = now
    session.setdefault("started", started)
    return None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.before_request(end_stale_sessions)
    app.before_request(access.check_request)
