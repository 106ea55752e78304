"""The invitation link (/einladung/<token>): the invited person chooses their password here, then
enrols their second factor on the sign-in's enrolment page, as at a first sign-in.

A link that cannot be used (unknown, used, expired, a deactivated user) shows one and the same page,
404, so the link's page says nothing about which is the case.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import NotFound, ValidationFailed
from web.ui import sessions
from web.ui.access import engine, no_store
from web.ui.error_pages import show_instead

bp = Blueprint("invitation", __name__)


def _render(token: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    return render_template("auth/invitation.html", invited=engine().invitation(token), token=token, **context), status


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@no_store
def accept(token: str) -> Any:
    show_instead(NotFound, lambda exc: (render_template("auth/invitation_invalid.html"), 404))
    if request.method == "GET":
        return _render(token)
    show_instead(ValidationFailed, lambda exc: _render(token, 422, errors=exc.errors))
    invited = engine().accept_invitation(
        token, request.form.get("password", ""), request.form.get("password_repeat", "")
    )
    sessions.end()
    if invited.mfa_required:
        sessions.begin_pending(invited.user_id, "enrol", None)
        flash(_("Ihr Passwort ist gesetzt. Richten Sie jetzt Ihren zweiten Faktor ein."), "success")
        return redirect(url_for("auth.enrol"))
    flash(_("Ihr Passwort ist gesetzt. Sie können sich jetzt anmelden."), "success")
    return redirect(url_for("auth.sign_in"))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
