"""Mein Konto (/konto): every signed-in user sees their own browser sessions and can end the others
(a browser left signed in elsewhere, a lost device), and keeps their API tokens: issues a named one
(shown once, valid 90 days unless they choose fewer), sees when each expires, revokes one. Only the
user's own sessions and tokens are listed or ended; the engine checks that what a form names is theirs.
A Leitung (or a second administrator) also finds here the roles waiting for their confirmation, and a
user the roles they asked for or that wait for them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from engine.api import TOKEN_DAYS, TOKEN_MAX_DAYS
from engine.errors import ValidationFailed
from web.labels import role_label
from web.ui import sessions
from web.ui.access import current_actor, engine, no_store, require_login_for, safe_next
from web.ui.error_pages import show_instead

bp = require_login_for(Blueprint("account", __name__))


def _render(status: int = 200, **context: Any) -> tuple[str, int]:
    actor = current_actor()
    context.setdefault("errors", {})
    context.setdefault("values", {"days": str(TOKEN_DAYS)})
    return (
        render_template(
            "account/konto.html",
            browser_sessions=engine().sessions_of(actor.user_id, sessions.token()),
            tokens=engine().tokens(actor.username),
            to_confirm=engine().roles_to_confirm(actor),
            requested=engine().roles_requested(actor),
            max_days=TOKEN_MAX_DAYS,
            **context,
        ),
        status,
    )


@bp.get("/konto")
@no_store
def index() -> Any:
    return _render()


@bp.post("/konto/tokens")
@no_store
def issue_token() -> Any:
    """The new token is shown on this one response and never again (it is stored hashed)."""
    actor = current_actor()
    values = {"name": request.form.get("name", "").strip(), "days": request.form.get("days", "").strip()}
    if not values["days"].isdigit():
        return _render(422, errors={"days": [_("Bitte eine Zahl von Tagen angeben.")]}, values=values)
    show_instead(ValidationFailed, lambda exc: _render(422, errors=exc.errors, values=values))
    token = engine().issue_token(actor.username, operator=actor.username, name=values["name"], days=int(values["days"]))
    return _render(new_token=token)


@bp.post("/konto/tokens/<int:token_id>/widerrufen")
def revoke_token(token_id: int) -> BaseResponse:
    actor = current_actor()
    engine().revoke_token(actor.username, token_id, operator=actor.username)
    flash(_("Das Token ist widerrufen."), "success")
    return redirect(url_for("account.index"))


@bp.post("/konto/sitzungen/<int:session_id>/beenden")
def end_session(session_id: int) -> BaseResponse:
    engine().end_other_session(current_actor().user_id, session_id, sessions.token())
    flash(_("Die Sitzung ist beendet."), "success")
    return redirect(url_for("account.index"))


@bp.post("/konto/sitzungen/andere-beenden")
def end_other_sessions() -> BaseResponse:
    ended = engine().end_other_sessions(current_actor().user_id, sessions.token())
    flash(_("Andere Sitzungen beendet: %(count)s.", count=ended), "success")
    return redirect(url_for("account.index"))


@bp.post("/konto/rollen/<int:grant_id>/bestaetigen")
def confirm_role(grant_id: int) -> BaseResponse:
    """A Leitung (or, where there is none, a second administrator) confirms a role; the engine
    refuses anybody else with a 404."""
    grant = engine().decide_role(current_actor(), grant_id, confirm=True)
    names = {"role": role_label(grant["role"]), "username": grant["username"]}
    flash(_("Die Rolle %(role)s für „%(username)s“ ist bestätigt.", **names), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("account.index"))


@bp.post("/konto/rollen/<int:grant_id>/ablehnen")
def reject_role(grant_id: int) -> BaseResponse:
    grant = engine().decide_role(current_actor(), grant_id, confirm=False)
    names = {"role": role_label(grant["role"]), "username": grant["username"]}
    flash(_("Die Rolle %(role)s für „%(username)s“ ist abgelehnt.", **names), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("account.index"))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
