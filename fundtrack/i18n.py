"""Danish and English: the language of each request, and filters for dates and money.

Danish is the default. A logged-in user's own choice wins; before login the choice made
with the language switch (kept in the session) is used.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, session
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale, gettext
from flask_login import current_user

from fundtrack import clock
from fundtrack.money import format_dkk
from fundtrack.resources import PACKAGE_DIR

LANGUAGES = ("da", "en")
babel = Babel()


def select_language() -> str:
    """The request's language: the user's, else the session's, else the configured default."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return current_app.extensions["fundtrack.settings"].app.default_language


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "da"


def money(ore: int | None, empty: str = "–") -> str:
    return format_dkk(ore, current_language(), empty)


def date(value: dt.date | dt.datetime | None, style: str = "medium") -> str:
    """A date the local way: `1. mar. 2027` in Danish, `Mar 1, 2027` in English."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):  # a date computed in SQL comes back as text from SQLite
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = clock.to_local(value).date()
    return format_date(value, style)


def moment(value: dt.datetime | None, style: str = "medium") -> str:
    """A moment shown in local time (Europe/Copenhagen), e.g. `1. mar. 2027 12.00`."""
    if value is None:
        return "–"
    local = clock.to_local(value)
    return f"{format_date(local.date(), style)} {local.strftime('%H.%M' if current_language() == 'da' else '%H:%M')}"


def clock_time(value: dt.datetime | None) -> str:
    """The local time of day of a moment: `kl. 12.00` in Danish, `12:00` in English."""
    if value is None:
        return ""
    local = clock.to_local(value)
    return f"kl. {local:%H.%M}" if current_language() == "da" else f"{local:%H:%M}"


def local_date(value: dt.datetime) -> dt.date:
    """The local (Europe/Copenhagen) day of a stored moment, to compare with a deadline's local date."""
    return clock.to_local(value).date()


def number(value) -> str:
    """A number the local way, without needless decimals: `12,5` in Danish, `12.5` in English."""
    return "–" if value is None else format_decimal(value, format="#,##0.##")


def percent(basis_points: int | None) -> str:
    """Basis points as a percentage: `8,5 %` in Danish, `8.5%` in English."""
    if basis_points is None:
        return "–"
    text = f"{basis_points / 100:g}"
    return f"{text.replace('.', ',')} %" if current_language() == "da" else f"{text}%"


def rate(fraction: float | None) -> str:
    """A share as a percentage with one decimal: `42,5 %` in Danish, `42.5%` in English."""
    if fraction is None:
        return "–"
    text = f"{round(fraction * 100, 1):g}"
    return f"{text.replace('.', ',')} %" if current_language() == "da" else f"{text}%"


def translate_label(text: str) -> str:
    """Translate a label marked with N_ in a model (e.g. a stage name)."""
    return gettext(text) if text else ""


def explain(text: str, params: dict | None = None) -> str:
    """Translate a reason given by a service, showing its ISO dates and its amounts (`*_ore`) the local way."""
    params = dict(params or {})
    for key, value in params.items():
        if key.endswith("_ore") and isinstance(value, int):
            params[key] = money(value)
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            params[key] = date(dt.date.fromisoformat(value), "long")
    return gettext(text, **params) if params else gettext(text)


def translated(labels: dict) -> dict:
    """A label table translated once (for templates that repeat labels many times)."""
    return {key: gettext(text) for key, text in labels.items()}


def init_app(app) -> None:
    settings = app.extensions["fundtrack.settings"]
    app.config["BABEL_DEFAULT_LOCALE"] = settings.app.default_language
    app.config["BABEL_DEFAULT_TIMEZONE"] = settings.app.timezone
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PACKAGE_DIR / "translations")
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.filters.update(
        money=money,
        date=date,
        moment=moment,
        time=clock_time,
        percent=percent,
        number=number,
        rate=rate,
        local_date=local_date,
        label=translate_label,
    )
    app.jinja_env.globals.update(
        current_language=current_language,
        LANGUAGES=LANGUAGES,
        format_datetime=format_datetime,
        translated=translated,
        explain=explain,
    )
