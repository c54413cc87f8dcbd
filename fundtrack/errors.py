"""Error pages in the user's language, and JSON errors for requests that ask for JSON."""

import logging

from flask import render_template, request
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

    if app.testing:
        return  # let tests see the real exception

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error", extra={"path": request.path})
        return render_error(InternalServerError())
