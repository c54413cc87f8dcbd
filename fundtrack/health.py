"""`GET /healthz`: 200 when the database answers, 503 when it does not."""

import logging

from flask import Blueprint, jsonify

from fundtrack.access import public
from fundtrack.db import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
@public
def healthz():
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health check failed", extra={"error": str(error)})
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
