"""Browser sessions: start, time limits, end, and forms kept over an expired session.

The signed-in state lives on the server (engine: `start_session`, `resume_session`, `end_session`):
the cookie's only proof of a sign-in is `sid`, a random token naming a server-side row, so sign-out,
deactivation or a new password end it for good — a copied cookie then opens nothing. Flask's signed
cookie still carries what belongs to the browser before and beside a sign-in (language, CSRF token,
the pending second factor, flashed messages). Limits (BSI ORP.4, WCAG 2.2.1): 15 minutes idle —
`session.js` warns at least 2 minutes before and offers a one-click extension — and 12 hours absolute,
kept by the engine. At sign-in the cookie is cleared and gets the new token (no fixation).

An expired session on a POST keeps what the user typed: the fields (never passwords or the CSRF token)
are stored sealed by the engine; after signing in again, the page the form lives on gets them back
with `restore_draft()`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, flash, g, jsonify, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from engine.actor import Actor
from engine.api import SESSION_ABSOLUTE
from web.ui.access import current_user, engine, sign_in_redirect

ABSOLUTE_SECONDS = int(SESSION_ABSOLUTE.total_seconds())
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
    """Signed in: a new server-side session and a fresh cookie (new token, new CSRF token); returns
    where to go next (`next_url`, or the one kept since the password step). `via` (`oidc`, or kept
    from the pending step) tells the sign-out to end the provider's session too."""
    next_url = next_url or session.get("next")
    pending = session.get("pending")
    via = via or (pending.get("via") if isinstance(pending, dict) else None)
    drafts = session.get("drafts", [])
    token = engine().start_session(actor.user_id, request.user_agent.string)
    _renew(sid=token, drafts=drafts, **({"via": via} if via else {}))
    return next_url if isinstance(next_url, str) else None


def signed_in_via() -> str | None:
    """How this session was signed in when not by password (`oidc`), else None."""
    via = session.get("via")
    return via if isinstance(via, str) else None


def end() -> None:
    """Sign-out: the server-side session ends (`auth.logout`), the cookie is cleared."""
    token = session.get("sid")
    if isinstance(token, str):
        engine().end_session(token)
    _renew()


def token() -> str:
    """The signed-in session's token (views behind `login_required` only)."""
    return str(session["sid"])


def remaining() -> dict[str, int]:
    """Seconds until the idle and the absolute limit (for the warning in session.js)."""
    times = g.get("session_times")
    idle, absolute = (times.idle_left, times.absolute_left) if times is not None else (0, 0)
    return {"idle": idle, "absolute": absolute, "warn": WARN_SECONDS}


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
    """before_request: load the signed-in user of the cookie's session, or end an expired session
    (keeping a POSTed form); a session ended elsewhere (sign-out, deactivation) counts as expired."""
    g.user = None
    if request.endpoint == "static" or request.blueprint == "api":
        return None
    sid = session.get("sid")
    if not isinstance(sid, str):
        return None
    found = engine().resume_session(sid, activity=request.endpoint not in _PASSIVE)
    if found is not None and not found.times.expired:
        g.user, g.session_times = found.user, found.times
        return None
    saved = _stash_draft(found.user.actor.user_id) if found is not None else False
    if found is not None:
        engine().end_session(sid, reason="expired")
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
