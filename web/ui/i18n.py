"""German first, English second (Flask-Babel); every date and time shown in Europe/Berlin.

Locale: the user's choice stored in the session > the browser's Accept-Language (de, en) > German.
Templates are written in German (the source language); English lives in web/translations/en.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel, get_locale

from engine.clock import BERLIN

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
TIMEZONE = "Europe/Berlin"

_FORMATS = {
    "de": ("%d.%m.%Y", "%d.%m.%Y, %H:%M"),
    "en": ("%d/%m/%Y", "%d/%m/%Y, %H:%M"),
}


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE) or DEFAULT_LOCALE


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LOCALES else DEFAULT_LOCALE


def to_berlin(value: Any) -> datetime | None:
    """An aware datetime, a naive one (taken as UTC, as the engine stores them) or an ISO string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {type(value).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BERLIN)


def berlin(value: Any) -> str:
    """`{{ value|berlin }}` → `21.11.2026, 14:05` (German) / `21/11/2026, 14:05` (English)."""
    moment = to_berlin(value)
    return "" if moment is None else moment.strftime(_FORMATS[current_locale()][1])


def berlin_time(value: Any) -> str:
    """`{{ value|berlin_time }}` → `06:00`: the end of a break-glass access in its banner."""
    moment = to_berlin(value)
    return "" if moment is None else moment.strftime("%H:%M")


def berlin_date(value: Any) -> str:
    """`{{ value|berlin_date }}` → `21.11.2026`; a plain date (or `YYYY-MM-DD`) is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime(_FORMATS[current_locale()][0])
    moment = to_berlin(value)
    return "" if moment is None else moment.strftime(_FORMATS[current_locale()][0])


def register(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: TIMEZONE,
        default_locale=DEFAULT_LOCALE,
        default_timezone=TIMEZONE,
    )
    app.jinja_env.filters["berlin"] = berlin
    app.jinja_env.filters["berlin_date"] = berlin_date
    app.jinja_env.filters["berlin_time"] = berlin_time
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["LOCALES"] = LOCALES
