"""Single sign-on (OpenID Connect): the way to the provider, the way back, and the provider's logout.

The protocol is `web.oidc_client`; who the subject is, and the audit events, are the engine's. This
module keeps what lies between: each sign-in's state, nonce and PKCE verifier in the browser's session
(signed, HttpOnly) for `STATE_SECONDS`, used once — a second return with the same state, or one after
the time, is refused and audited. After the provider, the sign-in goes on as after a password: done
when the provider's second factor counts (configured acr/amr), else our TOTP step or its enrolment.

Without `SCHUTZPFAD_OIDC_ISSUER` the routes answer 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from engine.api import SsoRefused
from web.config import OidcSettings, Settings
from web.oidc_client import OidcClient, OidcRefused, OidcUnavailable
from web.ui import sessions
from web.ui.access import current_user, engine, safe_next

bp = Blueprint("sso", __name__)

#: How long a sign-in at the provider may take before its return is refused.
STATE_SECONDS = 10 * 60
#: Sign-ins begun in other tabs that are kept waiting (the oldest is forgotten first).
MAX_FLOWS = 3
_FLOWS = "sso_flows"


def _settings() -> Settings:
    settings: Settings = current_app.extensions["schutzpfad.settings"]
    return settings


def _client() -> OidcClient:
    client: OidcClient | None = current_app.extensions.get("schutzpfad.oidc")
    if client is None:
        abort(404)
    return client


def _external(endpoint: str) -> str:
    """An absolute address of this app: below the configured redirect URL's origin when one is set
    (behind a proxy the request may not show the public address), else as the request reached us."""
    oidc = _settings().oidc
    if oidc is not None and oidc.redirect_url:
        return urljoin(oidc.redirect_url, url_for(endpoint))
    return url_for(endpoint, _external=True)


def _redirect_uri(oidc: OidcSettings) -> str:
    return oidc.redirect_url or url_for("sso.callback", _external=True)


def _home() -> str:
    return url_for("tasks.my_tasks")


def _refused(status: int, text: str) -> tuple[str, int]:
    """The sign-in page with `text` as its failure, and nothing typed yet."""
    return render_template("auth/sign_in.html", failure=text, errors={}, values={}, next=""), status


def _unavailable(exc: OidcUnavailable) -> tuple[str, int]:
    current_app.logger.warning("OpenID provider unavailable: %s", exc)
    text = _("Der Anmeldedienst ist zurzeit nicht erreichbar. Bitte versuchen Sie es später erneut.")
    return _refused(503, text)


@bp.get("/anmelden/sso")
def start() -> Any:
    """Off to the provider, with a fresh state, nonce and PKCE verifier kept for the way back."""
    client = _client()
    if current_user() is not None:
        return redirect(safe_next(request.args.get("next")) or _home())
    try:
        authorization = client.begin(_redirect_uri(client.settings))
    except OidcUnavailable as exc:
        return _unavailable(exc)
    flows = dict(session.get(_FLOWS, {}))
    flows[authorization.state] = {
        "nonce": authorization.nonce,
        "verifier": authorization.code_verifier,
        "at": sessions.now_ts(),
        "next": safe_next(request.args.get("next")),
    }
    session[_FLOWS] = dict(list(flows.items())[-MAX_FLOWS:])
    return redirect(authorization.url)


def _take_flow(state: str) -> dict[str, Any] | None:
    """The waiting sign-in of `state`, removed: a state is good for one return only."""
    flows = dict(session.get(_FLOWS, {}))
    flow = flows.pop(state, None)
    session[_FLOWS] = flows
    return flow if isinstance(flow, dict) else None


_TEXTS = {
    "state_unknown": (
        400,
        _l("Diese Anmeldung ist nicht gültig oder wurde bereits verwendet. Bitte melden Sie sich erneut an."),
    ),
    "state_expired": (400, _l("Die Anmeldung hat zu lange gedauert. Bitte melden Sie sich erneut an.")),
    "provider_error": (401, _l("Der Anmeldedienst hat die Anmeldung nicht bestätigt.")),
    "token_invalid": (401, _l("Die Antwort des Anmeldedienstes ist ungültig. Bitte melden Sie sich erneut an.")),
    "audience": (401, _l("Die Antwort des Anmeldedienstes ist nicht für Schutzpfad bestimmt.")),
    "acr_missing": (
        401,
        _l(
            "Der Anmeldedienst bestätigt keinen zweiten Faktor. Bitte melden Sie sich dort mit Ihrem zweiten Faktor an."
        ),
    ),
}


def _refuse(reason: str, subject: str | None = None) -> tuple[str, int]:
    engine().record_sso_refusal(reason, _client().settings.issuer, subject)
    status, text = _TEXTS[reason]
    return _refused(status, str(text))


@bp.get("/anmelden/sso/rueckkehr")
def callback() -> Any:
    """Back from the provider: the state checked and used up, the code redeemed, the token checked,
    then the engine finds the linked user."""
    client = _client()
    flow = _take_flow(request.args.get("state", ""))
    if flow is None:
        return _refuse("state_unknown")
    if sessions.now_ts() - float(flow.get("at", 0)) > STATE_SECONDS:
        return _refuse("state_expired")
    code = request.args.get("code")
    if "error" in request.args or not code:
        return _refuse("provider_error")
    oidc = client.settings
    try:
        login = client.finish(_redirect_uri(oidc), code, code_verifier=flow["verifier"], nonce=flow["nonce"])
        result = engine().sso_sign_in(oidc.issuer, login.subject, provider_mfa=oidc.provider_mfa)
    except OidcRefused as exc:
        return _refuse(exc.reason, exc.subject)
    except OidcUnavailable as exc:
        return _unavailable(exc)
    except SsoRefused as exc:
        text = _(
            "Ihr Konto beim Anmeldedienst ist noch nicht mit Schutzpfad verknüpft. Bitte wenden Sie sich an "
            "die Administration Ihrer Organisation und nennen Sie diese Kennung: %(subject)s",
            subject=exc.subject,
        )
        return _refused(403, text)
    next_url = flow.get("next")
    if result.next_step == "done":
        assert result.actor is not None
        target = sessions.start(result.actor, next_url, via="oidc")
        return redirect(safe_next(target) or _home())
    sessions.begin_pending(result.user_id, result.next_step, next_url, via="oidc")
    return redirect(url_for("auth.second_factor" if result.next_step == "totp" else "auth.enrol"))


def provider_logout(via: str | None) -> BaseResponse | None:
    """After our sign-out: on to the provider's logout (RP-initiated) when this session came from it
    and the installation wants that; None otherwise."""
    client: OidcClient | None = current_app.extensions.get("schutzpfad.oidc")
    if client is None or via != "oidc":
        return None
    try:
        url = client.logout_url(_external("auth.sign_in"))
    except OidcUnavailable as exc:
        current_app.logger.warning("OpenID provider unavailable for logout: %s", exc)
        return None
    return redirect(url) if url else None


def _template_flags() -> dict[str, bool]:
    settings = _settings()
    return {"sso_sign_in": settings.oidc is not None, "password_sign_in": settings.local_passwords}


def register(app: Flask) -> None:
    settings: Settings = app.extensions["schutzpfad.settings"]
    if settings.oidc is not None:
        app.extensions["schutzpfad.oidc"] = OidcClient(settings.oidc)
    app.register_blueprint(bp)
    app.context_processor(_template_flags)
