"""Structured logging: one JSON object a line on stderr, with a request id on each request's lines."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import g, request

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """Every record as JSON: time, level, logger, message and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


JSONFormatter.converter = time.gmtime


def configure(level: str = "INFO") -> None:
    """Send fundtrack's (and the server's) logs to stderr as JSON. Safe to call twice."""
    root = logging.getLogger()
    if not any(getattr(h, "_fundtrack", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JSONFormatter())
        handler._fundtrack = True
        root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("peewee").setLevel(logging.WARNING)


access_log = logging.getLogger("fundtrack.access")


def init_app(app) -> None:
    settings = app.extensions["fundtrack.settings"]
    if not settings.testing:
        configure(settings.app.log_level)

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex[:16]

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            access_log.info(
                "request",
                extra={
                    "request_id": g.get("request_id"),
                    "method": request.method,
                    "path": logged_path(),
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    **g.get("log_fields", {}),
                },
            )
        return response


# URL variables that are secrets in themselves (a calendar's address, a task's done-by-link): never logged.
SECRET_URL_VARIABLES = ("token",)


def logged_path() -> str:
    """The request's path with every secret URL variable replaced; a view may add what it stands for instead
    (the calendar adds its subscription's id) through `g.log_fields`."""
    path = request.path
    for name in SECRET_URL_VARIABLES:
        value = (request.view_args or {}).get(name)
        if value:
            path = path.replace(str(value), "[secret]")
    return path
