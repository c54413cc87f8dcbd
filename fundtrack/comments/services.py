"""Comments and @mentions. A mention names a user by the part of their e-mail address before the @
(`@mette` for mette@kommune.dk) or, when it is unique, their first name; only users who may read the record
are told, and the comment says whom it could not tell.
"""

from __future__ import annotations

import datetime as dt
import re

from fundtrack.audit import services as audit
from fundtrack.auth.models import User
from fundtrack.comments import events
from fundtrack.comments.models import Comment
from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.search.index import fold
from fundtrack.validation import ValidationError

BODY_LIMIT = 5000
MENTION = re.compile(r"(?<![\w@])@([\w][\w.\-]*\w|\w)", re.UNICODE)


def visible_comments(user):
    """Members read their own organisation's comments; fundraisers and viewers all."""
    query = Comment.select().where(Comment.removed_at.is_null())
    if user.is_member:
        query = query.where(Comment.organisation == user.organisation_id)
    return query


def comments_on(kind: str, record_id: int) -> list[Comment]:
    column = {"application": Comment.application, "funder": Comment.funder, "organisation": Comment.about}[kind]
    return list(
        Comment.select().where((column == record_id) & Comment.removed_at.is_null()).order_by(Comment.created_at, Comment.id)
    )


def handle_of(user: User) -> str:
    """What to type after @ to mention a user: their e-mail address before the @."""
    return user.email.split("@", 1)[0]


def readers_of(organisation_id: int | None):
    """The users who may read a record of `organisation_id` (None: a funder, which members do not see)."""
    query = User.select().where(User.active & (User.role.in_(["fundraiser", "viewer"])))
    if organisation_id is not None:
        query = User.select().where(
            User.active & (User.role.in_(["fundraiser", "viewer"]) | (User.organisation == organisation_id))
        )
    return query


def find_mentions(body: str, candidates: list[User]) -> tuple[list[User], list[str]]:
    """(users the body mentions among `candidates`, the names after @ that name none of them)."""
    by_handle = {fold(handle_of(u)): u for u in candidates}
    first_names: dict[str, list[User]] = {}
    for user in candidates:
        first = fold(user.name.split()[0]) if user.name.split() else ""
        first_names.setdefault(first, []).append(user)
    found, unknown = [], []
    for name in MENTION.findall(body or ""):
        key = fold(name)
        user = by_handle.get(key) or (first_names[key][0] if len(first_names.get(key, [])) == 1 else None)
        if user is None:
            unknown.append(name)
        elif user not in found:
            found.append(user)
    return found, unknown


def add_comment(record, body: str, *, actor, now: dt.datetime, link: str) -> tuple[Comment, list[str]]:
    """A comment on an application, funder or organisation; the users it mentions are told. Returns the
    comment and the names after @ that reached nobody (unknown, or not allowed to read the record)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": N_("Write a comment first.")})
    if len(body) > BODY_LIMIT:
        raise ValidationError({"body": (N_("At most %(count)d characters."), {"count": BODY_LIMIT})})
    table = record._meta.table_name
    values = {
        "application": {"application": record.id, "organisation": getattr(record, "organisation_id", None)},
        "funder": {"funder": record.id, "organisation": None},
        "organisation": {"about": record.id, "organisation": record.id},
    }[table]
    mentioned, unknown = find_mentions(body, list(readers_of(values["organisation"])))
    mentioned = [user for user in mentioned if user.id != getattr(actor, "id", None)]
    with db.atomic():
        comment = Comment.create(
            **values,
            author=getattr(actor, "id", None),
            author_name=getattr(actor, "name", "") or "",
            body=body,
            mentioned=[user.id for user in mentioned],
            created_at=now,
        )
        audit.record_create(actor, comment, now)
        if mentioned:
            events.mentioned.send(comment, users=mentioned, link=f"{link}#comment-{comment.id}", now=now)
    return comment, unknown


def remove_comment(comment: Comment, *, actor, now: dt.datetime) -> None:
    with db.atomic():
        audit.save_changes(comment, {"removed_at": now}, actor=actor, now=now, action="remove")


def may_remove(user, comment: Comment) -> bool:
    return user.is_fundraiser or (comment.author_id is not None and comment.author_id == user.id)
