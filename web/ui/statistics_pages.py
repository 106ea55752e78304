"""`/statistik`: the Jugendamt's Leitung reviews a year of § 99 Abs. 6 SGB VIII records (R23) — the
summary as published, the cases to fix with links, the CSV — and locks it, or unlocks it for a
correction with a reason. Both actions need a ticked confirmation first.

The area is for holders of `ja_leitung` (anyone else: 403); which Jugendamt's year a Leitung may see is
the engine's decision (another Jugendamt's: its NotAllowed, a 403 page that shows nothing of it).
Without `jugendamt` the page is the Jugendamt where the user is Leitung; without `jahr` the last
completed year — the one due for review.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from engine.api import STATISTICS_FIRST_YEAR, STATISTICS_ROLE
from engine.clock import BERLIN
from engine.errors import Conflict, ValidationFailed
from web.ui.access import current_actor, engine, no_store, role_required
from web.ui.error_pages import show_instead
from web.ui.navigation import add_nav_item

#: The summary's breakdowns, in the order of the published tables.
BREAKDOWNS = (
    ("ergebnis", _l("Ergebnis der Gefährdungseinschätzung")),
    ("meldende_stelle", _l("Meldende Stelle")),
    ("altersgruppe", _l("Alter des Kindes")),
)

bp = Blueprint("statistics", __name__)


def _jugendamt() -> str:
    """The asked-for Jugendamt, else the (first) one where the user is Leitung."""
    asked = request.values.get("jugendamt")
    if asked:
        return asked
    own = sorted(m.organisation_key for m in current_actor().memberships if m.role == STATISTICS_ROLE)
    return own[0] if own else ""


def _year() -> int | None:
    raw = request.values.get("jahr", "")
    if not raw:
        return engine().clock.now().astimezone(BERLIN).year - 1
    return int(raw) if raw.isdigit() else None


def _page(errors: dict[str, list[str]] | None = None, refusal: str | None = None) -> str:
    stats = engine().statistics_99(current_actor(), _jugendamt(), _year())
    now = engine().clock.now().astimezone(BERLIN)
    return render_template(
        "statistik/index.html",
        stats=stats,
        year_options=[(year, year) for year in range(now.year, STATISTICS_FIRST_YEAR - 1, -1)],
        year_over=stats.year < now.year,
        breakdowns=BREAKDOWNS,
        errors=errors or {},
        values=request.form,
        refusal=refusal,
    )


def _refusals() -> None:
    """A refused lock or unlock shows the page again with the engine's reasons."""
    show_instead(ValidationFailed, lambda exc: _page(errors=exc.errors))
    show_instead(Conflict, lambda exc: _page(refusal=exc.detail))


def _back() -> BaseResponse:
    return redirect(url_for("statistics.index", jugendamt=_jugendamt(), jahr=_year()))


@bp.get("/statistik")
@role_required(STATISTICS_ROLE)
@no_store
def index() -> str:
    return _page()


@bp.get("/statistik/datensaetze.csv")
@role_required(STATISTICS_ROLE)
@no_store
def download() -> Any:
    """The year's records as CSV (`teil=uebersicht`: the summary); not while a record needs fixing."""
    stats = engine().statistics_99(current_actor(), _jugendamt(), _year())
    if stats.problems:
        flash(_("Die Datei gibt es erst, wenn keine Angabe mehr zu korrigieren ist."), "error")
        return _back()
    summary = request.args.get("teil") == "uebersicht"
    name = f"statistik-99-{stats.jugendamt_key}-{stats.year}{'-uebersicht' if summary else ''}.csv"
    return Response(
        stats.summary_csv if summary else stats.csv,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/statistik/abschliessen")
@role_required(STATISTICS_ROLE)
def lock() -> BaseResponse | tuple[str, int]:
    _refusals()
    if request.form.get("bestaetigt") != "true":
        return _confirmation_missing(_("Bestätigen Sie, dass Sie die Zahlen geprüft haben."))
    stats = engine().lock_statistics_99(current_actor(), _jugendamt(), _year())
    flash(_("Die Statistik %(year)s ist abgeschlossen: Sie ändert sich nicht mehr.", year=stats.year), "success")
    return _back()


@bp.post("/statistik/aufheben")
@role_required(STATISTICS_ROLE)
def unlock() -> BaseResponse | tuple[str, int]:
    _refusals()
    if request.form.get("bestaetigt") != "true":
        return _confirmation_missing(_("Bestätigen Sie, dass der Abschluss aufgehoben werden soll."))
    year = _year()
    engine().unlock_statistics_99(current_actor(), _jugendamt(), year, request.form.get("grund", ""))
    flash(
        _("Der Abschluss %(year)s ist aufgehoben: Korrigieren Sie die Fälle und schließen Sie erneut ab.", year=year),
        "info",
    )
    return _back()


def _confirmation_missing(message: str) -> tuple[str, int]:
    return _page(errors={"bestaetigt": [message]}), 422


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "statistics.index", _l("Statistik"), roles={STATISTICS_ROLE}, order=70)
