"""Browser sessions: start, time limits, end, and forms kept over an expired session.

Flask's signed cookie holds the session (nothing readable is secret in it: ids and instants). Limits
(BSI ORP.4, WCAG 2.2.1): 15 minutes idle — `session.js` warns at least 2 minutes before and offers a
one-click extension — and 12 hours absolute. Instants come from the engine's clock, so tests move time
instead of sleeping. At sign-in the session is cleared and gets a new random id (no fixation).

An expired session on a POST keeps what the user typed: the fields (never passwords or the CSRF token)
are stored sealed by the engine; after signing in again, the page the form lives on gets them back
with `restore_draft()`.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Flask, Response, flash, g, jsonify, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from engine.actor import Actor
from web.ui.access import current_user, engine, sign_in_redirect

IDLE_SECONDS = 15 * 60
ABSOLUTE_SECONDS = 12 * 60 * 60
#: session.js shows its warning this long before the idle limit (WCAG 2.2.1 asks for 20 s at least).
WARN_SECONDS = 3 * 60
#: Forms remembered per browser session (the oldest is forgotten first).
MAX_DRAFTS = 10
#: Between the password and the second factor.
PENDING_SECONDS = 10 * 60

#: Keys that survive the renewal at sign-in (language, where to go, which drafts wait).
_CARRIED = ("lang",)
_NOT_KEPT = re.compile(r"passw|kennwort|csrf|token|secret|geheim", re.IGNORECASE)
#: Endpoints that never refresh the idle timer (the warning's own status poll).
_PASSIVE = {"auth.session_status"}


def now_ts() -> float:
    return engine().clock.now().timestamp()


def _renew(**values: Any) -> None:
    carried = {key: session[key] for key in _CARRIED if key in session}
    session.clear()
    session.update(carried)
    session["sid"] = secrets.token_urlsafe(24)
    session.update(values)


def begin_pending(user_id: int, step: str, next_url: str | None, *, via: str | None = None) -> None:
    """The password (or the single sign-on: `via` `oidc`) was right; the second factor (`totp`) or its
    enrolment (`enrol`) comes next."""
    drafts = session.get("drafts", [])
    _renew(pending={"uid": user_id, "step": step, "at": now_ts(), "via": via}, next=next_url, drafts=drafts)


def pending(step: str) -> int | None:
    """The user id waiting for `step`, if the password step was recent enough."""
    data = session.get("pending")
    if not isinstance(data, dict) or data.get("step") != step:
        return None
    if now_ts() - float(data.get("at", 0)) > PENDING_SECONDS:
        session.pop("pending", None)
        return None
    return int(data["uid"])


def start(actor: Actor, next_url: str | None = None, *, via: str | None = None) -> str | None:
    """Signed in: a fresh session (new id, new CSRF token); returns where to go next (`next_url`, or
    the one kept since the password step). `via` (`oidc`, or kept from the pending step) tells the
    sign-out to end the provider's session too."""
    next_url = next_url or session.get("next")
    pending = session.get("pending")
    via = via or (pending.get("via") if isinstance(pending, dict) else None)
    drafts = session.get("drafts", [])
    ts = now_ts()
    _renew(uid=actor.user_id, login_at=ts, seen=ts, drafts=drafts, **({"via": via} if via else {}))
    return next_url if isinstance(next_url, str) else None


def signed_in_via() -> str | None:
    """How this session was signed in when not by password (`oidc`), else None."""
    via = session.get("via")
    return via if isinstance(via, str) else None


def end() -> None:
    _renew()


def remaining() -> dict[str, int]:
    """Seconds until the idle and the absolute limit (for the warning in session.js)."""
    ts = now_ts()
    idle = int(float(session.get("seen", 0)) + IDLE_SECONDS - ts)
    absolute = int(float(session.get("login_at", 0)) + ABSOLUTE_SECONDS - ts)
    return {"idle": max(0, idle), "absolute": max(0, absolute), "warn": WARN_SECONDS}


def _expired(ts: float) -> bool:
    seen = float(session.get("seen", 0))
    login_at = float(session.get("login_at", 0))
    return ts - seen > IDLE_SECONDS or ts - login_at > ABSOLUTE_SECONDS


def _stash_draft(user_id: int) -> bool:
    """Keep a POSTed form over the expiry — only with a valid CSRF token (no planted drafts)."""
    if request.method != "POST" or request.blueprint in {"auth", "api"} or request.endpoint is None:
        return False
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except (ValidationError, CSRFError):
        return False
    fields = {key: values for key, values in request.form.lists() if not _NOT_KEPT.search(key)}
    if not fields:
        return False
    engine().save_draft(user_id, request.path, fields)
    return True


def _load() -> Response | None:
    """before_request: load the signed-in user, or end an expired session (keeping a POSTed form)."""
    g.user = None
    if request.endpoint == "static" or request.blueprint == "api":
        return None
    user_id = session.get("uid")
    if user_id is None:
        return None
    ts = now_ts()
    user = engine().signed_in_user(int(user_id))
    if user is not None and not _expired(ts):
        g.user = user
        if request.endpoint not in _PASSIVE:
            session["seen"] = ts
        return None
    saved = _stash_draft(int(user_id)) if user is not None else False
    if user is not None:
        engine().record_logout(user.actor, reason="expired")
    drafts = session.get("drafts", [])
    _renew(drafts=[*drafts, request.path][-MAX_DRAFTS:] if saved else drafts)
    g.session_expired = True
    if request.endpoint in _PASSIVE:
        response = jsonify({"signed_in": False})
        response.status_code = 401
        return response
    if saved:
        flash(
            _(
                "Ihre Sitzung ist abgelaufen. Ihre Eingaben wurden zwischengespeichert und nach der "
                "Anmeldung wiederhergestellt."
            ),
            "warning",
        )
    else:
        flash(_("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."), "warning")
    if request.method == "POST":
        return sign_in_redirect()
    return None


def restore_draft(form_key: str | None = None) -> MultiDict[str, str] | None:
    """The fields a user had typed into the form at `form_key` (default: this request's path) when
    their session expired — once; None if there is nothing to restore.

    Call it in the GET view that shows the form and prefill from the result; the page then shows a
    notice that the input was restored and has not been sent yet."""
    user = current_user()
    key = form_key or request.path
    waiting = session.get("drafts", [])
    if user is None or key not in waiting:
        return None
    session["drafts"] = [k for k in waiting if k != key]
    fields = engine().take_draft(user.actor.user_id, key)
    if fields is None:
        return None
    g.draft_restored = True
    restored: MultiDict[str, str] = MultiDict()
    for name, values in fields.items():
        for value in values:
            restored.add(name, value)
    return restored


def register(app: Flask) -> None:
    """Must run before CSRFProtect is initialised: an expired POST is handled before the CSRF check
    (its token belonged to the session that just ended)."""
    app.before_request(_load)
