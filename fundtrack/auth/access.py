"""Who may open which page: decided here, for every request, before any view runs.

Each view declares its roles with `allow(...)`. A view without a declaration is refused
(and the app will not start with one). Every id in a URL whose name is registered with
`scope(...)` is checked against what the user may see: a member who guesses another
organisation's record id gets 404, exactly as for an id that does not exist.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

ROLES = ("fundraiser", "member", "viewer")
PUBLIC = frozenset({"public"})
READ_METHODS = ("GET", "HEAD", "OPTIONS")

_scopes: dict[str, Callable] = {}


def allow(*roles: str, readers: tuple[str, ...] = (), unscoped: tuple[str, ...] = ()):
    """Declare that `roles` may use a view, and `readers` may only read it (GET/HEAD).

    `unscoped` names URL variables that are not record ids (e.g. a calendar token).
    """
    unknown = set(roles) | set(readers)
    unknown -= set(ROLES) | {"public"}
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def mark(view):
        view.access_roles = frozenset(roles)
        view.access_readers = frozenset(readers)
        view.access_unscoped = frozenset(unscoped)
        return view

    return mark


def public(view):
    """A view anybody may open without logging in (login page, health check, calendar feeds)."""
    view.access_roles = PUBLIC
    view.access_readers = frozenset()
    view.access_unscoped = frozenset(getattr(view, "access_unscoped", ()))
    return view


def scope(url_variable: str):
    """Register `fn(user) -> query of the records that user may see` for a URL variable."""

    def register(fn):
        _scopes[url_variable] = fn
        return fn

    return register


def visible(url_variable: str, user):
    """The query of records named by `url_variable` that `user` may see."""
    return _scopes[url_variable](user)


def check_request():
    """The before-request hook: login, role, then every record id in the URL."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    roles = getattr(view, "access_roles", None)
    if roles is None:
        abort(403)
    if roles is PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    role = current_user.role
    may_write = role in roles
    may_read = may_write or role in view.access_readers
    if not may_read or (request.method not in READ_METHODS and not may_write):
        abort(403)
    for name, value in (request.view_args or {}).items():
        if name in view.access_unscoped:
            continue
        query = _scopes[name](current_user)
        if not query.where(query.model.id == value).exists():
            abort(404)
    return None


def verify_declarations(app) -> None:
    """Refuse to start when a view has no access declaration or an unchecked id in its URL."""
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access_roles", None) is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) has no access declaration")
            continue
        if view.access_roles is PUBLIC:
            continue  # public views check their own arguments (a calendar token is its own key)
        for argument in rule.arguments:
            if argument not in _scopes and argument not in view.access_unscoped:
                problems.append(f"{rule.endpoint} ({rule.rule}): <{argument}> is not a registered scope")
    if problems:
        raise RuntimeError("access declarations missing:\n" + "\n".join(problems))


def can_write(user) -> bool:
    """Viewers read only; everyone else may change what they can see."""
    return user.is_authenticated and user.role in ("fundraiser", "member")
