"""The server-rendered UI: sessions, CSRF, i18n, security headers, error pages and the blueprints.

`register_ui(app)` is called once by `web.create_app`. Other UI areas build on these helpers:
`web.ui.access` (login_required, require_login_for, role_required, current_actor, current_user,
engine, no_store), `web.ui.sessions.restore_draft`, `web.ui.navigation.add_nav_item`, the macros in
templates/macros/forms.html and the blocks of templates/base.html.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, cast

from flask import Flask, g, get_flashed_messages, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from web.ui import error_pages, i18n, security_headers, sessions
from web.ui.access import current_user
from web.ui.navigation import add_nav_item, is_current, nav_items

_FIELD_ID = re.compile(r"[^A-Za-z0-9_-]")


class _CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the Secure flag whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (has_request_context() and request.is_secure)


def field_id(name: str) -> str:
    """The id of a form field's input (`anschrift.plz` → `f-anschrift-plz`); errors link to it."""
    return "f-" + _FIELD_ID.sub("-", name)


def _flashes() -> list[tuple[str, str]]:
    """Flashed messages as (KERN alert kind, text); kinds: info, success, warning, danger."""
    kinds = {"message": "info", "error": "danger"}
    messages = cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))
    return [(kinds.get(kind, kind), text) for kind, text in messages]


def _template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        field_id=field_id,
        nav_items=nav_items,
        nav_is_current=is_current,
        flashes=_flashes,
    )

    @app.context_processor
    def _context() -> dict[str, Any]:
        user = current_user()
        return {
            "user": user,
            "session_times": sessions.remaining() if user is not None else None,
            "draft_restored": bool(g.get("draft_restored")),
        }


def register_ui(app: Flask) -> None:
    settings = app.extensions["schutzpfad.settings"]
    app.config.update(
        SESSION_COOKIE_NAME="schutzpfad_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The signature's own age limit backs the 12-hour absolute limit of the session handling.
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=sessions.ABSOLUTE_SECONDS),
        # The CSRF token lives as long as the session, whose limits are stricter than a token's hour.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = _CookieSessions()
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    i18n.register(app)
    sessions.register(app)  # before CSRFProtect: an expired POST goes to sign-in, not to a CSRF error
    csrf = CSRFProtect(app)
    from web.api.views import bp as api_bp

    csrf.exempt(api_bp)  # the JSON API authenticates with bearer tokens, never with the cookie
    security_headers.register(app)
    error_pages.register(app)
    _template_helpers(app)

    from web.ui import auth, invitation_pages, pages, sso_sign_in, tasks

    app.register_blueprint(auth.bp)
    sso_sign_in.register(app)  # /anmelden/sso (404 unless single sign-on is configured)
    invitation_pages.register(app)  # /einladung/<token>
    app.register_blueprint(pages.bp)
    app.register_blueprint(tasks.bp)
    add_nav_item(app, "tasks.my_tasks", _l("Meine Aufgaben"), order=10)
    from web.ui import account_pages, admin_pages, audit_pages

    account_pages.register(app)  # Mein Konto: /konto

    audit_pages.register(app)  # Revision / Datenschutz: /revision
    admin_pages.register(app)  # Verwaltung: /verwaltung
    from web.ui import case_pages

    case_pages.register(app)  # Fälle, Neue Meldung, Eingang, Beratungen
    from web.ui import network_pages

    network_pages.register(app)  # Ablaufplan des Netzwerks: /netzwerk/ablaufplan
    from web.ui import statistics_pages

    statistics_pages.register(app)  # Statistik nach § 99 Abs. 6 SGB VIII: /statistik
    from web.ui import quality_pages

    quality_pages.register(app)  # Qualitätsprüfung nach LKSG § 8: /qualitaet
    from web.ui import break_glass_pages

    break_glass_pages.register(app)  # Notfallzugriffe (R35): /notfallzugriffe
    from web.ui import auskunft_pages

    auskunft_pages.register(app)  # Auskunft über gespeicherte Daten (Art. 15 DSGVO): /auskunft
