"""`/notfallzugriffe`: break-glass access (R35). The Jugendamt's Bereitschaftsdienst asks here for one
case by Aktenzeichen with a reason and a duration, and finds its running accesses again; the
Jugendamt's Leitung and Revision / Datenschutz review the ended ones with a comment.

One page for both, its sections by role; the engine decides who may do what (anyone else: its
NotAllowed, a 403 page). After an access is granted the case page opens, with its end in a banner.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from engine.api import BREAK_GLASS_REVIEW_ROLES, BREAK_GLASS_ROLES
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from web.ui.access import current_actor, engine, no_store, require_login_for
from web.ui.error_pages import show_instead
from web.ui.navigation import add_nav_item

bp = require_login_for(Blueprint("break_glass", __name__))


def _max_hours() -> int:
    return int(current_app.extensions["schutzpfad.settings"].break_glass_max_hours)


def _page(
    values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None, refusal: str | None = None
) -> str:
    actor = current_actor()
    max_hours = _max_hours()
    return render_template(
        "notfallzugriff/index.html",
        entries=engine().break_glass_accesses(actor),
        may_ask=any(actor.has_role(role) for role in BREAK_GLASS_ROLES),
        hour_options=[(str(h), _hours(h)) for h in range(1, max_hours + 1)],
        values=values or {"stunden": str(max_hours)},
        errors=errors or {},
        refusal=refusal,
    )


def _hours(count: int) -> str:
    return _("1 Stunde") if count == 1 else _("%(num)d Stunden", num=count)


@bp.get("/notfallzugriffe")
@no_store
def index() -> str:
    return _page()


@bp.post("/notfallzugriffe")
def ask() -> BaseResponse:
    """Ask for an access; granted, the case page opens. Refused: this page with the reason."""
    values = {name: request.form.get(name, "") for name in ("aktenzeichen", "grund", "stunden")}
    show_instead(ValidationFailed, lambda exc: _page(values, exc.errors))
    show_instead(NotFound, lambda exc: _page(values, refusal=exc.detail))
    show_instead(Conflict, lambda exc: _page(values, refusal=exc.detail))
    grant = engine().request_break_glass(current_actor(), values, max_hours=_max_hours())
    flash(
        _("Notfallzugriff auf den Fall %(ref)s: Er wird protokolliert und nachträglich geprüft.", ref=grant.reference),
        "warning",
    )
    return redirect(url_for("cases.show", case_id=grant.case_id))


@bp.post("/notfallzugriffe/<int:access_id>/pruefung")
def review(access_id: int) -> BaseResponse:
    """Mark an ended access reviewed with a comment (each entry's field is `kommentar_<id>`)."""
    field = f"kommentar_{access_id}"
    values = {field: request.form.get(field, "")}
    show_instead(ValidationFailed, lambda exc: _page(values, {field: exc.errors["kommentar"]}))
    show_instead(NotAllowed, lambda exc: _page(refusal=exc.detail))
    show_instead(Conflict, lambda exc: _page(refusal=exc.detail))
    engine().review_break_glass(current_actor(), access_id, {"kommentar": values[field]})
    flash(_("Der Notfallzugriff ist als geprüft vermerkt."), "success")
    return redirect(url_for("break_glass.index"))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    roles = BREAK_GLASS_ROLES | BREAK_GLASS_REVIEW_ROLES
    add_nav_item(app, "break_glass.index", _l("Notfallzugriffe"), roles=roles, order=75)
