"""Sign-in, the second factor (TOTP) and its enrolment, sign-out, and the session's extension.

The views parse the form, call the engine, and render; lock-out, code checks and the audit events
are the engine's (engine/authentication.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from engine.actor import Actor
from engine.api import AccountLocked, SignInFailed
from web.ui import sessions, sso_sign_in
from web.ui.access import current_user, engine, login_required, safe_next

bp = Blueprint("auth", __name__)


def _home() -> str:
    return url_for("tasks.my_tasks")


def _failure_text(exc: SignInFailed) -> str:
    if isinstance(exc, AccountLocked):
        return _(
            "Zu viele Fehlversuche. Bitte warten Sie %(minutes)s Minuten und versuchen Sie es dann erneut.",
            minutes=exc.minutes,
        )
    return _("Anmeldung fehlgeschlagen. Bitte prüfen Sie Benutzername und Passwort.")


def _signed_in(actor: Actor, next_url: str | None = None) -> BaseResponse:
    target = sessions.start(actor, next_url)
    return redirect(safe_next(target) or _home())


def _render_sign_in(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("next", safe_next(request.values.get("next")) or "")
    return render_template("auth/sign_in.html", **context), status


@bp.route("/anmelden", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user() is not None:
        return redirect(safe_next(request.args.get("next")) or _home())
    if request.method == "GET":
        return _render_sign_in()
    if not current_app.extensions["schutzpfad.settings"].local_passwords:
        text = _("Die Anmeldung mit Passwort ist abgeschaltet. Bitte melden Sie sich über den Anmeldedienst an.")
        return _render_sign_in(403, failure=text)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Bitte geben Sie Ihren Benutzernamen ein.")]
    if not password:
        errors["password"] = [_("Bitte geben Sie Ihr Passwort ein.")]
    if errors:
        return _render_sign_in(422, errors=errors, values={"username": username})
    try:
        result = engine().sign_in(username, password)
    except SignInFailed as exc:
        status = 429 if isinstance(exc, AccountLocked) else 401
        return _render_sign_in(status, failure=_failure_text(exc), values={"username": username})
    next_url = safe_next(request.form.get("next"))
    if result.next_step == "done":
        assert result.actor is not None
        return _signed_in(result.actor, next_url)
    sessions.begin_pending(result.user_id, result.next_step, next_url)
    return redirect(url_for("auth.second_factor" if result.next_step == "totp" else "auth.enrol"))


def _pending_or_restart(step: str) -> int | BaseResponse:
    user_id = sessions.pending(step)
    if user_id is None:
        flash(_("Bitte melden Sie sich erneut an."), "info")
        return redirect(url_for("auth.sign_in"))
    return user_id


def _code_step(step: str, check: Callable[[int, str], Actor]) -> BaseResponse | tuple[int, dict[str, list[str]], int]:
    """What the two code views share: the pending user of `step` and, on POST, the code checked by
    `check(user_id, code)`.

    Returns the response to send as it is (sign in again, signed in, locked out), or the user, the
    form's errors and the status to render the step's page with.
    """
    user_id = _pending_or_restart(step)
    if not isinstance(user_id, int):
        return user_id
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            return _signed_in(check(user_id, request.form.get("code", "")))
        except AccountLocked as exc:
            sessions.end()
            flash(_failure_text(exc), "danger")
            return redirect(url_for("auth.sign_in"))
        except SignInFailed:
            errors["code"] = [_("Der Code ist ungültig oder abgelaufen. Bitte geben Sie den aktuellen Code ein.")]
            status = 401
    return user_id, errors, status


@bp.route("/anmelden/code", methods=["GET", "POST"])
def second_factor() -> Any:
    step = _code_step("totp", lambda user_id, code: engine().verify_second_factor(user_id, code))
    if not isinstance(step, tuple):
        return step
    _user_id, errors, status = step
    return render_template("auth/second_factor.html", errors=errors), status


@bp.route("/anmelden/einrichten", methods=["GET", "POST"])
def enrol() -> Any:
    step = _code_step("enrol", lambda user_id, code: engine().confirm_mfa_enrolment(user_id, code))
    if not isinstance(step, tuple):
        return step
    user_id, errors, status = step
    enrolment = engine().begin_mfa_enrolment(user_id)
    qr = segno.make(enrolment.uri, error="m").svg_data_uri(scale=5, border=4)
    grouped = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
    return render_template("auth/enrol.html", errors=errors, qr=qr, secret=grouped), status


@bp.post("/abmelden")
def sign_out() -> BaseResponse:
    via = sessions.signed_in_via()
    sessions.end()
    flash(_("Sie haben sich abgemeldet."), "success")
    return sso_sign_in.provider_logout(via) or redirect(url_for("auth.sign_in"))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


@bp.post("/sitzung/verlaengern")
@login_required
def extend_session() -> Response | BaseResponse:
    """One click extends the idle limit (WCAG 2.2.1): the request itself refreshed it."""
    if _wants_json():
        return jsonify({"signed_in": True, **sessions.remaining()})
    flash(_("Ihre Sitzung wurde verlängert."), "success")
    return redirect(safe_next(request.form.get("next")) or _home())


@bp.get("/sitzung/status")
def session_status() -> tuple[Response, int]:
    """How long the session lasts (for session.js); asking does not extend it."""
    if current_user() is None:
        return jsonify({"signed_in": False}), 401
    return jsonify({"signed_in": True, **sessions.remaining()}), 200
