"""Settings: defaults, then the TOML file, then the environment, then test overrides.

Flask's own config only keeps upper-case top-level keys, so fundtrack reads its TOML
into a typed, frozen settings object and maps the few Flask keys from it explicitly.
A misspelt key or a wrong type stops start-up with a message that names the key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

VERSION = "0.1.0"  # also in pyproject.toml


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the source."""


@dataclass(frozen=True)
class AppSettings:
    secret_key: str = ""
    base_url: str = "http://localhost:5000"
    default_language: str = "da"
    timezone: str = "Europe/Copenhagen"
    trusted_hosts: tuple[str, ...] = ()
    behind_proxy: bool = False
    max_upload_mb: int = 16
    session_hours: int = 12  # a session's absolute lifetime, from the login
    session_idle_minutes: int = 120  # ... and how long it lasts without a request
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    log_level: str = "INFO"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///instance/fundtrack.sqlite3"
    busy_timeout_seconds: float = 5.0
    backup_folder: str = ""  # where the nightly job writes its dated backups; "" for none
    backup_keep: int = 7  # ... and how many of them it keeps


@dataclass(frozen=True)
class MailSettings:
    host: str = "localhost"
    port: int = 25
    username: str = ""
    password: str = ""
    security: str = "none"
    sender: str = "fundtrack@localhost"
    timeout_seconds: float = 20.0


@dataclass(frozen=True)
class FeedSettings:
    allow_private_networks: bool = False
    timeout_seconds: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    default_interval_minutes: int = 360
    # Link parameters that say who clicked or which session, not which call: left out of a call's identity.
    # A name ending in "*" stands for every name that starts so.
    tracking_parameters: tuple[str, ...] = (
        "utm_*",
        "mc_*",
        "_hs*",
        "session",
        "sessid",
        "sid",
        "sessionid",
        "session_id",
        "phpsessid",
        "jsessionid",
        "aspsessionid*",
        "cfid",
        "cftoken",
        "token",
        "s",
        "ref",
        "referrer",
        "source",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "_ga",
    )


@dataclass(frozen=True)
class RelationshipSettings:
    golden_min_years: int = 3
    lapsing_after_cycles: float = 1.0
    lapsed_after_cycles: float = 2.0
    default_cycle_months: int = 12
    fiscal_year_start_month: int = 1
    ask_again_days: int = 60


@dataclass(frozen=True)
class AlertSettings:
    rules_file: str = ""
    digest_hour: int = 7
    claim_timeout_minutes: int = 10
    retry_minutes: int = 5


@dataclass(frozen=True)
class ReportSettings:
    probability_idea: float = 0.1
    probability_drafting: float = 0.25
    probability_submitted: float = 0.4
    forecast_quarters: int = 4
    decision_months_after_submission: int = 3
    unit_cost_per_year: int = 0  # whole kroner; a quarter costs a fourth, unless its own cost is entered
    # The committee's overview, sent by itself (a schedule kept from the configuration): Q, H or Y; "" for none.
    committee_period: str = ""
    committee_days_after: int = 10
    committee_to_viewers: bool = True
    committee_addresses: tuple[str, ...] = ()
    committee_language: str = "da"
    committee_with_fees: bool = False

    def probability(self, stage: str) -> float:
        """The chance that an open application in `stage` ends in a grant: the forecast's weight."""
        return getattr(self, f"probability_{stage}")


@dataclass(frozen=True)
class FeeSettings:
    warn_above_percent: float = 20.0


@dataclass(frozen=True)
class FileSettings:
    storage: str = "folder"
    folder: str = ""
    max_mb: int = 10
    allowed_types: tuple[str, ...] = (
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "text/plain",
        "text/csv",
    )
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""


@dataclass(frozen=True)
class SchedulerSettings:
    embedded: bool = True
    lease_seconds: int = 90


@dataclass(frozen=True)
class Settings:
    app: AppSettings = field(default_factory=AppSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    relationships: RelationshipSettings = field(default_factory=RelationshipSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    fees: FeeSettings = field(default_factory=FeeSettings)
    files: FileSettings = field(default_factory=FileSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    # Not file keys: set by the test suite and by `fundtrack serve --demo`.
    testing: bool = False
    demo: bool = False

    @property
    def https(self) -> bool:
        return self.app.base_url.startswith("https://")


SECTIONS: dict[str, type] = {
    f.name: typing.get_type_hints(Settings)[f.name]
    for f in dataclasses.fields(Settings)
    if dataclasses.is_dataclass(typing.get_type_hints(Settings)[f.name])
}
FLAGS = ("testing", "demo")
ENV_PREFIX = "FUNDTRACK_"
ENV_SHORTCUTS = {"FUNDTRACK_SECRET_KEY": ("app", "secret_key")}


_active: Settings | None = None


def activate(settings: Settings) -> None:
    """Make `settings` the running installation's (called once by the app factory, like the clock's zone)."""
    global _active
    _active = settings


def active() -> Settings:
    """The running installation's settings, for the few write-time rules that depend on them (the fiscal
    year of a gift); the defaults outside an app."""
    return _active or Settings()


def load_settings(overrides: dict | None = None, environ: typing.Mapping[str, str] | None = None) -> Settings:
    """Build the settings from every layer; raise ConfigError naming the first bad key."""
    environ = os.environ if environ is None else environ
    layers: list[tuple[str, dict]] = []
    path = _config_path(environ)
    if path is not None:
        layers.append((str(path), _read_toml(path)))
    layers.append(("environment", _environment_layer(environ)))
    if overrides:
        layers.append(("overrides", overrides))

    values: dict[str, dict] = {name: {} for name in SECTIONS}
    flags: dict[str, bool] = {}
    for source, layer in layers:
        for section, table in layer.items():
            if section in FLAGS and source == "overrides":
                flags[section] = _check_type(bool, table, section, source)
                continue
            if section not in SECTIONS:
                raise ConfigError(f"unknown section [{section}] in {source}")
            if not isinstance(table, dict):
                raise ConfigError(f"[{section}] in {source} must be a table")
            hints = typing.get_type_hints(SECTIONS[section])
            for key, value in table.items():
                name = f"{section}.{key}"
                if key not in hints:
                    raise ConfigError(f"unknown key '{name}' in {source}")
                values[section][key] = _check_type(hints[key], value, name, source)

    settings = Settings(**{name: cls(**values[name]) for name, cls in SECTIONS.items()}, **flags)
    _check_values(settings)
    return settings


def _config_path(environ) -> Path | None:
    named = environ.get("FUNDTRACK_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"FUNDTRACK_CONFIG names {named}, which is not a file")
        return path
    default = Path("config.toml")
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None


def _environment_layer(environ) -> dict:
    """FUNDTRACK_<SECTION>_<KEY> sets one key; variables for other sections are left alone."""
    layer: dict[str, dict] = {}
    for variable, raw in environ.items():
        if variable in ENV_SHORTCUTS:
            section, key = ENV_SHORTCUTS[variable]
        elif variable.startswith(ENV_PREFIX):
            rest = variable[len(ENV_PREFIX) :].lower()
            section, _, key = rest.partition("_")
            if section not in SECTIONS or not key:
                continue
            if key not in typing.get_type_hints(SECTIONS[section]):
                raise ConfigError(f"unknown key '{section}.{key}' in the environment variable {variable}")
        else:
            continue
        kind = typing.get_type_hints(SECTIONS[section])[key]
        layer.setdefault(section, {})[key] = _from_text(kind, raw, variable)
    return layer


def _from_text(kind, raw: str, variable: str):
    """Environment values are text: turn them into the key's type before the common check."""
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{variable} must be true or false, not {raw!r}")
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            raise ConfigError(f"{variable} must be a number, not {raw!r}") from None
    if typing.get_origin(kind) is tuple:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _check_type(kind, value, name: str, source: str):
    wrong = ConfigError(f"'{name}' in {source} must be {_describe(kind)}, not {type(value).__name__} {value!r}")
    if kind is bool:
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise wrong
        return value
    if typing.get_origin(kind) is tuple:
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
            raise wrong
        return tuple(value)
    raise TypeError(f"settings type {kind} of {name} is not supported")


def _describe(kind) -> str:
    if typing.get_origin(kind) is tuple:
        return "a list of strings"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}[kind]


def _check_values(settings: Settings) -> None:
    """Checks beyond types: choices, ranges and the keys that must be set."""
    app = settings.app
    if app.default_language not in ("da", "en"):
        raise ConfigError(f'\'app.default_language\' must be "da" or "en", not {app.default_language!r}')
    try:
        ZoneInfo(app.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"'app.timezone' is not a known time zone: {app.timezone!r}") from None
    if not app.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"'app.base_url' must start with http:// or https://, not {app.base_url!r}")
    if app.max_upload_mb < 1:
        raise ConfigError("'app.max_upload_mb' must be at least 1")
    if app.session_hours < 1:
        raise ConfigError("'app.session_hours' must be at least 1")
    if not 5 <= app.session_idle_minutes <= app.session_hours * 60:
        raise ConfigError("'app.session_idle_minutes' must be at least 5 and at most app.session_hours in minutes")
    if app.login_max_failures < 1 or app.login_lockout_minutes < 1:
        raise ConfigError("'app.login_max_failures' and 'app.login_lockout_minutes' must be at least 1")
    if app.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"'app.log_level' must be DEBUG, INFO, WARNING or ERROR, not {app.log_level!r}")
    if not (settings.testing or settings.demo):
        if len(app.secret_key) < 16:
            raise ConfigError(
                "'app.secret_key' must be set to a long random string (at least 16 characters); "
                'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
            )
    if not settings.database.url.startswith(("sqlite://", "postgresql://", "postgres://")):
        raise ConfigError(f"'database.url' must start with sqlite:// or postgresql://, not {settings.database.url!r}")
    if settings.mail.security not in ("none", "starttls", "tls"):
        raise ConfigError(f'\'mail.security\' must be "none", "starttls" or "tls", not {settings.mail.security!r}')
    reports = settings.reports
    for stage in ("idea", "drafting", "submitted"):
        if not 0 <= getattr(reports, f"probability_{stage}") <= 1:
            raise ConfigError(f"'reports.probability_{stage}' must be between 0 and 1")
    if reports.committee_period not in ("", "Q", "H", "Y"):
        raise ConfigError(f'\'reports.committee_period\' must be "Q", "H", "Y" or "", not {reports.committee_period!r}')
    if not 0 <= reports.committee_days_after <= 120:
        raise ConfigError("'reports.committee_days_after' must be between 0 and 120")
    if reports.committee_language not in ("da", "en"):
        raise ConfigError('\'reports.committee_language\' must be "da" or "en"')
    if not 0 <= reports.unit_cost_per_year <= 10**9:
        raise ConfigError("'reports.unit_cost_per_year' must be a whole number of kroner from 0 to 1,000,000,000")
    if not 1 <= settings.database.backup_keep <= 1000:
        raise ConfigError("'database.backup_keep' must be between 1 and 1000")
    if not 1 <= reports.forecast_quarters <= 12:
        raise ConfigError("'reports.forecast_quarters' must be between 1 and 12")
    if not 0 <= reports.decision_months_after_submission <= 24:
        raise ConfigError("'reports.decision_months_after_submission' must be between 0 and 24")
    if not 0 <= settings.fees.warn_above_percent <= 100:
        raise ConfigError("'fees.warn_above_percent' must be between 0 and 100 (0: no warning)")
    if not 0 < settings.mail.port < 65536:
        raise ConfigError("'mail.port' must be between 1 and 65535")
    rel = settings.relationships
    if rel.golden_min_years < 2:
        raise ConfigError("'relationships.golden_min_years' must be at least 2")
    if not 0 < rel.lapsing_after_cycles < rel.lapsed_after_cycles:
        raise ConfigError("'relationships.lapsing_after_cycles' must be above 0 and below 'relationships.lapsed_after_cycles'")
    if not 1 <= rel.default_cycle_months <= 120:
        raise ConfigError("'relationships.default_cycle_months' must be between 1 and 120")
    if not 1 <= rel.fiscal_year_start_month <= 12:
        raise ConfigError("'relationships.fiscal_year_start_month' must be a month from 1 to 12")
    if rel.ask_again_days < 1:
        raise ConfigError("'relationships.ask_again_days' must be at least 1")
    if not 0 <= settings.alerts.digest_hour <= 23:
        raise ConfigError("'alerts.digest_hour' must be an hour from 0 to 23")
    if settings.alerts.claim_timeout_minutes < 1 or settings.alerts.retry_minutes < 1:
        raise ConfigError("'alerts.claim_timeout_minutes' and 'alerts.retry_minutes' must be at least 1")
    files = settings.files
    if files.storage not in ("folder", "s3"):
        raise ConfigError(f'\'files.storage\' must be "folder" or "s3", not {files.storage!r}')
    if files.storage == "s3" and not files.s3_bucket:
        raise ConfigError("'files.s3_bucket' must be set when 'files.storage' is \"s3\"")
    if files.max_mb < 1:
        raise ConfigError("'files.max_mb' must be at least 1")
    if settings.scheduler.lease_seconds < 10:
        raise ConfigError("'scheduler.lease_seconds' must be at least 10")
    if settings.feeds.timeout_seconds <= 0 or settings.feeds.max_bytes < 1024:
        raise ConfigError("'feeds.timeout_seconds' must be positive and 'feeds.max_bytes' at least 1024")
    if not 0 <= settings.feeds.max_redirects <= 20:
        raise ConfigError("'feeds.max_redirects' must be between 0 and 20")
    if settings.feeds.default_interval_minutes < 5:
        raise ConfigError("'feeds.default_interval_minutes' must be at least 5")
