"""User accounts and failed login attempts."""

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField

from fundtrack.audit.services import Choice, Flag, Ref, Tags, Text, describe
from fundtrack.clock import now
from fundtrack.db import BaseModel, ListField, UTCDateTimeField
from fundtrack.i18n_markers import N_
from fundtrack.organisations.models import Organisation

ROLES = {
    "fundraiser": N_("Fundraiser"),
    "member": N_("Member"),
    "viewer": N_("Viewer"),
}
LANGUAGES = {"da": "Dansk", "en": "English"}


class User(BaseModel):
    """A person who logs in. Members belong to one organisation and see only its records."""

    email = CharField(unique=True)
    name = CharField()
    password_hash = CharField()
    role = CharField()
    organisation = ForeignKeyField(Organisation, null=True, backref="users", on_delete="SET NULL")
    language = CharField(default="da")
    # Reminders at once ("immediate") or in one daily mail ("digest"), and the kinds not wanted at all.
    alert_mode = CharField(default="immediate")
    alert_opt_out = ListField(default=list)
    active = BooleanField(default=True)
    # Raised on every password change so that sessions opened with the old password end.
    session_version = IntegerField(default=1)
    created_at = UTCDateTimeField(default=now)
    last_login_at = UTCDateTimeField(null=True)

    def __str__(self):
        return self.name

    @property
    def is_fundraiser(self) -> bool:
        return self.role == "fundraiser"

    @property
    def is_member(self) -> bool:
        return self.role == "member"

    @property
    def is_viewer(self) -> bool:
        return self.role == "viewer"

    # Flask-Login's protocol, written out so that the model does not import Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


describe(
    User,
    N_("User"),
    {
        "email": Text(N_("E-mail")),
        "name": Text(N_("Name")),
        "role": Choice(N_("Role"), ROLES),
        "organisation": Ref(N_("Organisation"), Organisation),
        "language": Choice(N_("Language"), LANGUAGES),
        "alert_mode": Text(N_("Reminders")),
        "alert_opt_out": Tags(N_("Kinds I do not want reminders about")),
        "active": Flag(N_("Active")),
    },
    organisation=lambda user: user.organisation_id,
    secret=("password_hash", "session_version", "last_login_at"),
    actions={"password": N_("changed the password"), "signed_out": N_("signed out everywhere")},
)


class LoginFailure(BaseModel):
    """One failed login, kept for a while to lock out password guessing."""

    email = CharField(index=True)
    remote_addr = CharField(index=True, default="")
    failed_at = UTCDateTimeField(default=now, index=True)
