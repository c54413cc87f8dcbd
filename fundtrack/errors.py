"""Error pages in the user's language, and JSON errors for requests that ask for JSON."""

import logging

import peewee
from flask import render_template, request, session
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

log = logging.getLogger(__name__)


def render_error(error: HTTPException):
    code = error.code or 500
    if request.accept_mimetypes.best == "application/json":
        return {"error": error.name, "status": code}, code
    return render_template("errors/error.html", code=code, error=error), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, error=error, csrf=True), 400

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # No page can be built for a host we do not answer to: plain text only.
        return "Bad Request: untrusted host", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(error):
        return render_error(error)

    @app.errorhandler(peewee.OperationalError)
    @app.errorhandler(peewee.InterfaceError)
    def database_unavailable(error):
        """The database does not answer, or refuses to write (locked, read-only, full): 503, and a form that was
        sent comes back whole, to be sent again."""
        log.warning("database unavailable", extra={"path": request.path, "error": str(error)[:300]})
        if request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
            return {"status": "error", "database": "unreachable"}, 503, {"Retry-After": "30"}
        fields = list(request.form.items(multi=True)) if request.method == "POST" else None
        language = session.get("language") or app.extensions["fundtrack.settings"].app.default_language
        with force_locale(language):  # rendered without the context processors: they would ask the database
            template = app.jinja_env.get_template("errors/unavailable.html")
            page = template.render(fields=fields, action=request.path, language=language)
        return page, 503, {"Retry-After": "30"}

    if app.testing:
        return  # let tests see the real exception

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error", extra={"path": request.path})
        return render_error(InternalServerError())
