"""Accounts and login: hashing, creating users, checking passwords with a lock-out."""

from __future__ import annotations

import datetime as dt
import gzip
import math
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from fundtrack.audit import services as audit
from fundtrack.auth import events
from fundtrack.auth.models import LANGUAGES, ROLES, LoginFailure, User
from fundtrack.db import db
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation
from fundtrack.validation import ValidationError, valid_email

MIN_PASSWORD_LENGTH = 8
# A real hash to check against when the e-mail is unknown, so that timing does not tell which accounts exist.
_DUMMY_HASH = generate_password_hash("not a password")


class LoginRefused(Exception):
    """Login failed; `wait_seconds` is set when too many failures ask the next try to wait."""

    def __init__(self, wait_seconds: int | None = None):
        self.wait_seconds = wait_seconds
        super().__init__(f"wait {wait_seconds} s" if wait_seconds else "wrong e-mail or password")


# Throttling, not a lock-out: after the allowed failures each further try waits twice as long as the one
# before, up to a minute, so that a guesser gets a handful of tries an hour while the person who knows the
# password is kept waiting a minute at most; an address (many users behind one proxy) waits the same way,
# never longer.
LONGEST_WAIT_SECONDS = 60
ADDRESS_FACTOR = 4  # an address may fail this many times more often than one account


def _wait(failures: int, allowed: int) -> int:
    return 0 if failures < allowed else min(2 ** (failures - allowed), LONGEST_WAIT_SECONDS)


def hash_password(password: str) -> str:
    """A salted scrypt hash (werkzeug's default), never the password itself."""
    return generate_password_hash(password)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


MAX_PASSWORD_LENGTH = 128
SIMILARITY = 0.7  # as Django's UserAttributeSimilarityValidator


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """Django's list of 20,000 common passwords (see common-passwords.LICENSE)."""
    with gzip.open(Path(__file__).with_name("common-passwords.txt.gz"), "rt", encoding="utf-8") as listed:
        return frozenset(line.strip() for line in listed if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "", min_length: int = MIN_PASSWORD_LENGTH):
    """What is wrong with a new password, as a message and its parameters, or None: too short or too long,
    among the common passwords, only digits, or too like the user's e-mail address or name."""
    if len(password) < min_length:
        return N_("The password must be at least %(count)d characters."), {"count": min_length}
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("The password may be at most %(count)d characters."), {"count": MAX_PASSWORD_LENGTH}
    if password.isdigit():
        return N_("The password cannot be only digits."), {}
    if password.lower().strip() in _common_passwords():
        return N_("This password is among the most common ones; choose another."), {}
    folded = password.lower()
    parts = {email.lower(), email.lower().partition("@")[0], name.lower(), *name.lower().split()}
    for part in (p for p in parts if len(p) >= 3):
        found = SequenceMatcher(a=folded, b=part)
        if found.quick_ratio() >= SIMILARITY and found.ratio() >= SIMILARITY:
            return N_("The password is too like your e-mail address or name."), {}
    return None


def create_user(
    email: str,
    name: str,
    role: str,
    password: str,
    *,
    organisation: Organisation | None = None,
    language: str = "da",
    now: dt.datetime,
    min_password_length: int = MIN_PASSWORD_LENGTH,
    check_strength: bool = True,
    actor=None,
) -> User:
    """Create an account after checking every field; members must belong to an organisation."""
    email = normalise_email(email)
    errors: dict = {}
    if not valid_email(email):
        errors["email"] = N_("Enter a valid e-mail address.")
    elif User.select().where(User.email == email).exists():
        errors["email"] = N_("There is already a user with this e-mail address.")
    if not name.strip():
        errors["name"] = N_("This field is required.")
    if role not in ROLES:
        errors["role"] = (N_("Role must be one of: %(roles)s."), {"roles": ", ".join(ROLES)})
    if role == "member" and organisation is None:
        errors["organisation"] = N_("A member must belong to an organisation.")
    if role != "member" and organisation is not None:
        errors["organisation"] = N_("Only members belong to an organisation.")
    if check_strength and (problem := password_problem(password, email=email, name=name, min_length=min_password_length)):
        errors["password"] = problem
    if language not in LANGUAGES:
        errors["language"] = N_("Choose Danish or English.")
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        user = User.create(
            email=email,
            name=name.strip(),
            role=role,
            organisation=organisation,
            password_hash=hash_password(password),
            language=language,
            created_at=now,
        )
        audit.record_create(actor, user, now)
    return user


def authenticate(
    email: str, password: str, *, remote_addr: str, now: dt.datetime, max_failures: int, lockout_minutes: int
) -> User:
    """The user with this e-mail and password, or LoginRefused.

    Failures within the last `lockout_minutes` count: from `max_failures` for one e-mail (or four times as
    many from one address) the next try must wait, 1, 2, 4 ... up to 60 seconds after the last failure. A try
    within the wait is refused without looking at the password, and does not count.
    """
    email = normalise_email(email)
    recent = LoginFailure.select().where(LoginFailure.failed_at > now - dt.timedelta(minutes=lockout_minutes))
    for condition, allowed in (
        (LoginFailure.email == email, max_failures),
        (LoginFailure.remote_addr == remote_addr, max_failures * ADDRESS_FACTOR) if remote_addr else (None, 0),
    ):
        if condition is None:
            continue
        failures = recent.where(condition)
        wait = _wait(failures.count(), allowed)
        latest = failures.order_by(LoginFailure.failed_at.desc()).first() if wait else None
        if latest is not None:
            left = wait - (now - latest.failed_at).total_seconds()
            if left > 0:
                raise LoginRefused(wait_seconds=math.ceil(left))

    user = User.get_or_none(User.email == email)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and valid and user.active):
        LoginFailure.create(email=email, remote_addr=remote_addr or "", failed_at=now)
        raise LoginRefused()
    LoginFailure.delete().where(LoginFailure.email == email).execute()
    user.last_login_at = now
    user.save(only=[User.last_login_at])
    return user


def change_password(user: User, password: str, *, now: dt.datetime, min_password_length: int = MIN_PASSWORD_LENGTH) -> None:
    """Set a new password and end every session opened with the old one (on the record, without the password)."""
    if problem := password_problem(password, email=user.email, name=user.name, min_length=min_password_length):
        raise ValidationError({"password": problem})
    with db.atomic():
        user.password_hash = hash_password(password)
        user.session_version += 1
        user.save(only=[User.password_hash, User.session_version])
        audit.record_action(user, user, "password", now)


def set_language(user: User, language: str, *, now: dt.datetime) -> None:
    """The user's own choice of language."""
    if language not in LANGUAGES:
        raise ValidationError({"language": N_("Choose Danish or English.")})
    with db.atomic():
        audit.save_changes(user, {"language": language}, actor=user, now=now)


def load_session_user(session_id: str) -> User | None:
    """The active user for a session id of the form `<id>:<session version>`, if it is still valid."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = User.get_or_none(User.id == int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def purge_login_failures(before: dt.datetime) -> int:
    """Forget failures older than the lock-out window (run by the scheduler)."""
    return LoginFailure.delete().where(LoginFailure.failed_at < before).execute()


def check_password(user: User, password: str) -> bool:
    """True when `password` is the user's (for a password change, which asks for the current one)."""
    return check_password_hash(user.password_hash, password)


def set_active(user: User, active: bool, *, actor, now: dt.datetime) -> None:
    """Deactivate or reactivate an account; a deactivated user's sessions end at once, and the domains above
    end what else they gave the user (their calendar addresses)."""
    with db.atomic():
        user.session_version += 1
        audit.save_changes(user, {"active": active}, actor=actor, now=now)
        if not active:
            events.deactivated.send(user, actor=actor, now=now)


def end_sessions(user: User) -> None:
    """Every session of the user ends, on every server: the version their cookies carry no longer matches
    (logging out, "sign out everywhere")."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()


ALERT_MODES = ("immediate", "digest")


def set_reminder_preferences(user: User, *, language: str, alert_mode: str, opted_out, known_kinds, now: dt.datetime) -> None:
    """How and in which language a user gets reminders, and which kinds not at all."""
    errors: dict = {}
    if language not in LANGUAGES:
        errors["language"] = N_("Choose Danish or English.")
    if alert_mode not in ALERT_MODES:
        errors["alert_mode"] = N_("Choose a way to get reminders.")
    unknown = [kind for kind in opted_out if kind not in known_kinds]
    if unknown:
        errors["alert_opt_out"] = N_("Choose kinds from the list.")
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        audit.save_changes(
            user, {"language": language, "alert_mode": alert_mode, "alert_opt_out": sorted(set(opted_out))}, actor=user, now=now
        )
