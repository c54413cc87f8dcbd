"""Undo for a while: after a removal or a withdrawal, the next page offers to take it back.

A removal that deletes a row keeps a copy of it here (`Removed`), so that undo can put it back exactly as it was;
a removal that only marks a row (a deadline, a document) needs no copy. The offer itself lives in the user's
signed session: what kind of thing to take back, which record, and when. Each domain registers, in its views, how
its kind is taken back; the core knows none of them. An offer runs out after `UNDO_MINUTES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import CharField, IntegerField

from fundtrack import clock
from fundtrack.access import allow
from fundtrack.db import BaseModel, JSONField, UTCDateTimeField, restore_row, row_copy
from fundtrack.web import safe_next

UNDO_MINUTES = 10
KEEP_COPIES = dt.timedelta(days=1)

bp = Blueprint("undo", __name__)

# kind -> (what takes it back: (record id, actor, now) -> the page to show afterwards)
_takers: dict[str, Callable] = {}


class Removed(BaseModel):
    """A copy of a deleted row, kept a day so that its removal can be undone."""

    table = CharField(max_length=100)
    record_id = IntegerField()
    copy = JSONField()
    removed_by = IntegerField(null=True)
    removed_at = UTCDateTimeField(index=True)


def keep_copy(instance, *, actor, now: dt.datetime) -> Removed:
    """Copy a row before it is deleted (inside the deleting transaction); older copies are let go."""
    Removed.delete().where(Removed.removed_at < now - KEEP_COPIES).execute()
    return Removed.create(
        table=instance._meta.table_name,
        record_id=instance.id,
        copy=row_copy(instance),
        removed_by=getattr(actor, "id", None),
        removed_at=now,
    )


def put_back(model, removed_id: int):
    """The row of a kept copy, back in its table; the copy is used up. None when the copy is gone or the row is
    back already."""
    removed = Removed.get_or_none(Removed.id == removed_id)
    if removed is None or removed.table != model._meta.table_name or model.get_or_none(model.id == removed.record_id):
        return None
    instance = restore_row(model, removed.copy)
    removed.delete_instance()
    return instance


def copy_kept_by(removed_id: int, actor) -> bool:
    """Whether `actor` removed the row whose copy this is (only they are offered its undo)."""
    return Removed.select().where((Removed.id == removed_id) & (Removed.removed_by == getattr(actor, "id", None))).exists()


def taker(kind: str):
    """Register how a kind of removal is taken back: the function gets the record's id, the actor and the time,
    does the work through its domain's services and answers the page to go to (None: nothing to take back)."""

    def register(function):
        _takers[kind] = function
        return function

    return register


def offer(kind: str, record_id: int, message: str, *, now: dt.datetime) -> None:
    """Say what was done, with an Undo button, on the next page."""
    session["undo"] = {"kind": kind, "id": record_id, "at": now.isoformat(), "message": message}


def current_offer() -> dict | None:
    """The offer still open for the user, if any."""
    found = session.get("undo")
    if not found or found.get("kind") not in _takers:
        return None
    if clock.now() - dt.datetime.fromisoformat(found["at"]) > dt.timedelta(minutes=UNDO_MINUTES):
        return None
    return found


@bp.route("/undo", methods=["POST"])
@allow("fundraiser", "member")
def undo():
    found = current_offer()
    session.pop("undo", None)
    back = safe_next(request.form.get("next"), url_for("dashboard.index"))
    if found is None or str(found["id"]) != request.form.get("id", ""):
        flash(_("This can no longer be undone (an undo is offered for %(minutes)d minutes).", minutes=UNDO_MINUTES), "error")
        return redirect(back)
    page = _takers[found["kind"]](found["id"], actor=current_user, now=clock.now())
    if page is None:
        flash(_("There was nothing left to undo."), "error")
        return redirect(back)
    flash(_("Undone: %(what)s", what=found["message"]), "success")
    return redirect(page)


def offer_to_show() -> dict | None:
    """The open offer, once: the page right after the removal shows its Undo button, later pages do not."""
    found = current_offer()
    if found is None or found.get("shown") or request.method != "GET":
        return None
    session["undo"] = {**found, "shown": True}
    return found


@bp.app_context_processor
def undo_globals():
    return {"undo_offer": offer_to_show}
