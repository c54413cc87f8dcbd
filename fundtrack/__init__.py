"""fundtrack: the pipeline tracker of a municipality's social-economy fundraising.

`create_app()` builds the web app (and, through the same factory, the scheduler and the command line):
settings, database, login, languages, security headers and every domain.

The domains sit in layers, and a module imports only from its own layer or the ones below (a test holds
this):

1. core: config, db, clock, money, periods, i18n, mail, web, access, audit, events, tags, validation,
   forms, spreadsheets, importing, storage (where uploaded files are kept), search (the index of every
   record's words), undo (taking back a removal for a while)
2. organisations, funders
3. auth, contacts (people of the organisations and funders)
4. applications
5. deadlines, instalments, fees, checklists, projects (a project's budget and funding mosaic), documents,
   tasks, comments (with @mentions)
6. relationships, feeds, calendars, alerts
7. reports, dashboard, imports
8. the command line, the scheduler, the demo data, the schema list, backups and this factory

What a lower domain's change sets going in a higher one (report deadlines and a fee when a grant is
won, the relationship of a new pair) travels up as a domain event (`fundtrack.events`, blinker signals
announced in each domain's `events.py`); so do the parts a higher domain adds to a lower one's pages.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from fundtrack.config import VERSION as __version__  # noqa: F401 - the package's version, for tools that ask
from fundtrack.config import load_settings
from fundtrack.resources import data_folder

csrf = CSRFProtect()


def create_app(overrides: dict | None = None) -> Flask:
    """The fundtrack web app, configured from defaults, config.toml, the environment and `overrides`."""
    # Imported here, not at the top: the console script loads this package before any app or settings exist.
    from fundtrack import access, clock, config, db, errors, i18n, logs, security, storage
    from fundtrack.auth import login

    settings = load_settings(overrides)
    app = Flask(
        "fundtrack",
        template_folder=str(data_folder("templates")),
        static_folder=str(data_folder("static")),
        instance_relative_config=False,
    )
    app.extensions["fundtrack.settings"] = settings
    app.config.update(
        SECRET_KEY=settings.app.secret_key or secrets.token_hex(32),
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        SESSION_COOKIE_NAME="fundtrack_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.https,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.app.session_hours),
        MAX_CONTENT_LENGTH=settings.app.max_upload_mb * 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        TRUSTED_HOSTS=list(settings.app.trusted_hosts) or None,
        PREFERRED_URL_SCHEME="https" if settings.https else "http",
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=settings.https,
    )
    clock.set_zone(settings.app.timezone)
    config.activate(settings)
    app.extensions["fundtrack.alert_rules"] = _alert_rules(settings)
    app.extensions["fundtrack.storage"] = storage.storage_for(settings.files, settings.database.url)
    logs.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    login.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    _register_commands(app)
    _template_globals(app)
    access.verify_declarations(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Every domain's views, listed here so that a reader sees the whole app at once (lower layers first:
    a domain's views connect to the events of the domains below when they are imported)."""
    # Inside the factory: the console script imports this package before any app exists.
    from fundtrack.alerts.views import bp as alerts
    from fundtrack.applications.views import bp as applications
    from fundtrack.audit.views import bp as activity
    from fundtrack.auth.views import bp as auth
    from fundtrack.calendars.views import bp as calendars
    from fundtrack.checklists.views import bp as checklists
    from fundtrack.comments.views import bp as comments
    from fundtrack.contacts.views import bp as contacts
    from fundtrack.dashboard.views import bp as dashboard
    from fundtrack.deadlines.views import bp as deadlines
    from fundtrack.documents.views import bp as documents
    from fundtrack.feeds.views import bp as feeds
    from fundtrack.feeds.views import calls_bp as calls
    from fundtrack.fees.views import bp as fees
    from fundtrack.funders.views import bp as funders
    from fundtrack.health import bp as health
    from fundtrack.imports.views import bp as imports
    from fundtrack.instalments.views import bp as instalments
    from fundtrack.organisations.views import bp as organisations
    from fundtrack.projects.views import bp as projects
    from fundtrack.relationships.views import bp as relationships
    from fundtrack.reports.views import bp as reports
    from fundtrack.search.views import bp as search
    from fundtrack.tasks.views import bp as tasks
    from fundtrack.undo import bp as undo

    app.register_blueprint(health)
    app.register_blueprint(auth)
    app.register_blueprint(dashboard)
    app.register_blueprint(organisations, url_prefix="/organisations")
    app.register_blueprint(funders, url_prefix="/funders")
    app.register_blueprint(contacts)
    app.register_blueprint(applications, url_prefix="/applications")
    app.register_blueprint(deadlines, url_prefix="/deadlines")
    app.register_blueprint(fees, url_prefix="/fees")
    app.register_blueprint(instalments, url_prefix="/instalments")
    app.register_blueprint(checklists, url_prefix="/checklists")
    app.register_blueprint(projects, url_prefix="/projects")
    app.register_blueprint(documents, url_prefix="/documents")
    app.register_blueprint(tasks, url_prefix="/tasks")
    app.register_blueprint(search, url_prefix="/search")
    app.register_blueprint(comments, url_prefix="/comments")
    app.register_blueprint(relationships, url_prefix="/relationships")
    app.register_blueprint(feeds, url_prefix="/feeds")
    app.register_blueprint(calls, url_prefix="/calls")
    app.register_blueprint(calendars, url_prefix="/calendars")
    app.register_blueprint(alerts, url_prefix="/alerts")
    app.register_blueprint(imports, url_prefix="/imports")
    app.register_blueprint(reports, url_prefix="/reports")
    app.register_blueprint(activity, url_prefix="/activity")
    app.register_blueprint(undo)


def _register_commands(app: Flask) -> None:
    """Every domain's commands (`fundtrack users`, `fundtrack feeds`, …); the core ones are in `fundtrack.cli`."""
    # Inside the factory, like the blueprints: the domains are loaded when an app is built.
    from fundtrack.alerts.cli import group as alerts
    from fundtrack.auth.cli import group as users
    from fundtrack.calendars.cli import group as calendars
    from fundtrack.documents.cli import group as files
    from fundtrack.feeds.cli import group as feeds
    from fundtrack.imports.cli import export_command, import_command
    from fundtrack.reports.cli import group as reports

    for command in (users, feeds, calendars, alerts, reports, files, import_command, export_command):
        app.cli.add_command(command)


def _template_globals(app: Flask) -> None:
    """The label tables that templates translate with the `label` filter, and the one rule of who may change an
    application."""
    # Inside the factory, like the blueprints: the domains are loaded when an app is built.
    from flask_login import current_user

    from fundtrack.applications.models import STAGES
    from fundtrack.applications.services import may_change
    from fundtrack.auth.models import ROLES
    from fundtrack.deadlines.models import DEADLINE_KINDS
    from fundtrack.funders.models import FUNDER_KINDS
    from fundtrack.organisations.models import ORGANISATION_KINDS
    from fundtrack.web import current_menu_item

    app.jinja_env.globals.update(
        current_menu_item=current_menu_item,
        STAGES=STAGES,
        roles=ROLES,
        DEADLINE_KINDS=DEADLINE_KINDS,
        FUNDER_KINDS=FUNDER_KINDS,
        ORGANISATION_KINDS=ORGANISATION_KINDS,
        # Whether the signed-in user may change an application (a partner organisation's member only reads it).
        may_change=lambda application: may_change(current_user, application),
    )


def _alert_rules(settings):
    """The alert rules, read now so that a bad rule file stops start-up with a clear message."""
    # Inside the factory, like the blueprints: the domains are loaded when an app is built.
    from fundtrack.alerts.rules import AlertRuleError, load_rules
    from fundtrack.config import ConfigError

    try:
        return load_rules(settings.alerts.rules_file or None)
    except AlertRuleError as error:
        raise ConfigError(str(error)) from None
