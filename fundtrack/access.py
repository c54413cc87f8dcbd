"""Who may open which page: decided here, for every request, before any view runs.

Each view declares its roles with `allow(...)`. A view without a declaration is refused (and the app
will not start with one). Every record id in a URL is checked against what the user may see, by the
scope its blueprint registered for that URL variable with `scope(bp, "contact_id")`: a member who
guesses another organisation's record id gets 404, exactly as for an id that does not exist. A scope may
name narrower records for writing (a partner organisation reads a joint application but changes nothing of
it): any request that is not a read is checked against those. Scopes belong to their blueprint, so two
blueprints may both have a `contact_id` without one overriding the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from fundtrack.validation import LARGEST_ID  # both databases keep ids in 64 bits; anything larger names no record

ROLES = ("fundraiser", "member", "viewer")
PUBLIC = frozenset({"public"})
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class ScopeError(RuntimeError):
    """A scope registered twice, or a URL variable without one: the app does not start."""


@dataclass(frozen=True)
class Scope:
    """The records a user may see behind one URL variable, and the parent in the URL they must belong to."""

    visible: Callable
    within: tuple[str, str] | None = None  # (the parent's URL variable, the record's field that names it)
    writable: Callable | None = None  # the records the user may change, when fewer than those they see


_scopes: dict[tuple[str, str], Scope] = {}


def allow(*roles: str, readers: tuple[str, ...] = (), unscoped: tuple[str, ...] = ()):
    """Declare that `roles` may use a view, and `readers` may only read it (GET/HEAD).

    `unscoped` names URL variables that are not record ids (a format, a period, a calendar token).
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


def scope(blueprint, url_variable: str, *, within: tuple[str, str] | None = None, writable: Callable | None = None):
    """Register `fn(user) -> query of the records that user may see` for `<url_variable>` in `blueprint`'s URLs.

    `within=("funder_id", "funder")` also requires the record's `funder` to be the one named in the URL;
    `writable(user)` gives the records a request that writes may name (404 for the others).
    Registering the same blueprint and variable twice is an error, never a silent override.
    """
    key = (blueprint.name, url_variable)

    def register(fn):
        if key in _scopes:
            raise ScopeError(f"<{url_variable}> of the blueprint {blueprint.name!r} has two scopes; keep one")
        _scopes[key] = Scope(fn, within, writable)
        return fn

    return register


def visible(blueprint_name: str, url_variable: str, user):
    """The query of the records named by `url_variable` in `blueprint_name`'s URLs that `user` may see."""
    return _scopes[(blueprint_name, url_variable)].visible(user)


def scope_of(blueprint_name: str, url_variable: str) -> Scope:
    return _scopes[(blueprint_name, url_variable)]


def _blueprint_of(endpoint: str) -> str:
    return endpoint.rpartition(".")[0]


def record_exists(blueprint_name: str, url_variable: str, user, value, view_args: dict, *, writing: bool = False) -> bool:
    """True when `user` may see the record `value` names, or with `writing` change it (and it belongs to its
    parent in the URL)."""
    if not isinstance(value, int) or not 0 < value <= LARGEST_ID:
        return False
    found = _scopes[(blueprint_name, url_variable)]
    query = found.visible(user)
    query = query.where(query.model.id == value)
    if writing and found.writable is not None:  # narrower still: what the user may see and change
        changeable = found.writable(user)
        query = query.where(query.model.id.in_(changeable.select(changeable.model.id)))
    if found.within is not None:
        parent, field = found.within
        parent_value = view_args.get(parent)
        if not isinstance(parent_value, int) or not 0 < parent_value <= LARGEST_ID:
            return False
        query = query.where(getattr(query.model, field) == parent_value)
    return query.exists()


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
    blueprint = _blueprint_of(request.endpoint)
    view_args = request.view_args or {}
    writing = request.method not in READ_METHODS
    for name, value in view_args.items():
        if name in view.access_unscoped:
            continue
        if not record_exists(blueprint, name, current_user, value, view_args, writing=writing):
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
        blueprint = _blueprint_of(rule.endpoint)
        for argument in rule.arguments:
            if argument in view.access_unscoped:
                continue
            found = _scopes.get((blueprint, argument))
            if found is None:
                problems.append(f"{rule.endpoint} ({rule.rule}): <{argument}> has no scope in the blueprint {blueprint!r}")
            elif found.within is not None and found.within[0] not in rule.arguments:
                problems.append(f"{rule.endpoint} ({rule.rule}): <{argument}> must sit under <{found.within[0]}>")
    if problems:
        raise ScopeError("access declarations missing:\n" + "\n".join(problems))
