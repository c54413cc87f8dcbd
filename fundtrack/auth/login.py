"""Wiring login into the app: the session user, and the access check on every request."""

from flask import redirect, request, url_for
from flask_login import LoginManager

from fundtrack import access
from fundtrack.auth import services

login_manager = LoginManager()


@login_manager.user_loader
def load_user(session_id: str):
    return services.load_session_user(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    return redirect(url_for("auth.login", next=request.path))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.before_request(access.check_request)
