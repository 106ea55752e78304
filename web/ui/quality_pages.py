"""LKSG § 8 quality review (issue 15 item 2): the samples (`/qualitaet`), drawing one, a sample with
its results, the results per quarter or year across samples (`/qualitaet/ergebnisse`), a sampled
case for its reviewer with the review form — and the case page's release of a closed case's free
texts for review and its withdrawal.

Which samples a person sees and what of them is the engine's decision (engine/quality/samples.py):
a sample the user may not see is its NotFound → the plain 404. The draw form takes dates as
TT.MM.JJJJ (web/dates.py) and hands the engine ISO days.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from engine.api import QUALITY_CRITERIA, comment_field
from engine.errors import Conflict, NotAllowed, ValidationFailed
from web import quality_period_view
from web.dates import parse_day
from web.ui.access import current_actor, engine, no_store, require_login_for
from web.ui.case_view import render_case
from web.ui.error_pages import show_instead
from web.ui.navigation import add_nav_item

bp = require_login_for(Blueprint("quality", __name__))

DRAW_FIELDS = (
    "bereich",
    "schluessel_jugendamt",
    "schluessel_netzwerk",
    "von",
    "bis",
    "anzahl",
    "anteil",
    "pruefer",
    "seed",
)
#: who reaches the samples from the navigation: the Leitung who draws, the reviewer
ROLES = {"ja_leitung", "qualitaet"}


@bp.get("/qualitaet", endpoint="index")
def samples() -> str:
    actor = current_actor()
    return render_template(
        "qualitaet/index.html",
        samples=engine().quality_samples(actor),
        may_draw=actor.has_role("ja_leitung"),
        may_read_results=any(actor.has_role(role) for role in ROLES),
    )


@bp.get("/qualitaet/neu")
@no_store
def draw_form() -> tuple[str, int]:
    _leitung_only()
    return _draw_form({"bereich": "jugendamt"}, {})


@bp.post("/qualitaet/neu")
@no_store
def draw() -> Any:
    _leitung_only()
    values = {name: request.form.get(name, "").strip() for name in DRAW_FIELDS}
    show_instead(ValidationFailed, lambda exc: _draw_form(values, exc.errors, 422))
    show_instead(NotAllowed, lambda exc: _draw_form(values, {"bereich": [exc.detail]}, 403))
    scope = values["bereich"]
    data = {
        "bereich": scope,
        "schluessel": values["schluessel_netzwerk" if scope == "netzwerk" else "schluessel_jugendamt"],
        "von": _iso(values["von"]),
        "bis": _iso(values["bis"]),
        "anzahl": values["anzahl"] or None,
        "anteil": values["anteil"] or None,
        "pruefer": values["pruefer"],
        "seed": values["seed"] or None,
    }
    sample_id = engine().draw_quality_sample(current_actor(), data)
    flash(_("Die Stichprobe wurde gezogen und protokolliert."), "success")
    return redirect(url_for("quality.sample", sample_id=sample_id))


def _leitung_only() -> None:
    """Drawing is for the Leitung of a Jugendamt: to anyone else the form does not exist (the engine
    decides again which Jugendamt or network the Leitung may draw from)."""
    if not current_actor().has_role("ja_leitung"):
        abort(404)


def _iso(text: str) -> str:
    day = parse_day(text)
    return day.isoformat() if day else text


def _draw_form(values: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> tuple[str, int]:
    options = engine().quality_draw_options(current_actor())
    if "schluessel" in errors:  # the engine's key is one of the two selects on the page
        errors = dict(errors)
        errors[f"schluessel_{values.get('bereich') or 'jugendamt'}"] = errors.pop("schluessel")
    labels = {
        "bereich": _("Auswahl aus"),
        "schluessel_jugendamt": _("Jugendamt"),
        "schluessel_netzwerk": _("Netzwerk"),
        "von": _("Abgeschlossen ab"),
        "bis": _("Abgeschlossen bis"),
        "anzahl": _("Anzahl der Fälle"),
        "anteil": _("Anteil in Prozent"),
        "pruefer": _("Prüfende Person"),
        "seed": _("Startwert einer früheren Ziehung"),
    }
    body = render_template("qualitaet/neu.html", options=options, values=values, errors=errors, labels=labels)
    return body, status


@bp.get("/qualitaet/ergebnisse")
def period_results() -> str:
    """The results of a quarter or year across the samples of a Jugendamt or a network (small counts of
    others' samples suppressed, R34); area and period are chosen by a GET form (no script)."""
    scope, _sep, key = (request.args.get("auswahl") or "").partition(":")
    found = engine().quality_period_results(
        current_actor(), scope or None, key or None, request.args.get("zeitraum") or None
    )
    return render_template("qualitaet/ergebnisse.html", found=found, view=quality_period_view.page(found))


@bp.get("/qualitaet/<int:sample_id>")
def sample(sample_id: int) -> str:
    results = engine().quality_results(current_actor(), sample_id)
    return render_template("qualitaet/stichprobe.html", results=results)


@bp.get("/qualitaet/<int:sample_id>/faelle/<int:position>")
@no_store
def case(sample_id: int, position: int) -> tuple[str, int]:
    return _case_page(sample_id, position, None, {})


@bp.post("/qualitaet/<int:sample_id>/faelle/<int:position>")
@no_store
def review(sample_id: int, position: int) -> Any:
    values = dict(request.form)
    values.pop("csrf_token", None)
    show_instead(ValidationFailed, lambda exc: _case_page(sample_id, position, values, exc.errors, 422))
    engine().save_quality_review(current_actor(), sample_id, position, values)
    flash(_("Die Bewertung wurde gespeichert."), "success")
    following = position + 1
    total = engine().quality_results(current_actor(), sample_id).sample.cases
    if following <= len(total):
        return redirect(url_for("quality.case", sample_id=sample_id, position=following))
    return redirect(url_for("quality.sample", sample_id=sample_id))


def _case_page(
    sample_id: int, position: int, values: dict[str, str] | None, errors: dict[str, list[str]], status: int = 200
) -> tuple[str, int]:
    found = engine().quality_case(current_actor(), sample_id, position)
    if values is None:
        values = {**found.answers, **{comment_field(k): v for k, v in found.comments.items()}}
    labels = {c.key: c.label for c in QUALITY_CRITERIA}
    body = render_template(
        "qualitaet/fall.html",
        found=found,
        criteria=QUALITY_CRITERIA,
        comment_field=comment_field,
        values=values,
        errors=errors,
        labels=labels,
    )
    return body, status


@bp.post("/faelle/<int:case_id>/qualitaet-freigabe")
def release(case_id: int) -> BaseResponse:
    """The owning organisation's Leitung releases a closed case's free texts for the quality review."""
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail))
    show_instead(Conflict, lambda exc: render_case(case_id, refusal=exc.detail))
    engine().release_for_review(current_actor(), case_id)
    flash(_("Die Freitexte dieses Falls sind zur Qualitätsprüfung freigegeben."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/faelle/<int:case_id>/qualitaet-freigabe/zuruecknehmen")
def withdraw_release(case_id: int) -> BaseResponse:
    """The same Leitung takes the release back; the reviewer's next reading is without free texts."""
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail))
    show_instead(Conflict, lambda exc: render_case(case_id, refusal=exc.detail))
    engine().withdraw_review_release(current_actor(), case_id)
    flash(_("Die Freigabe der Freitexte zur Qualitätsprüfung ist zurückgenommen."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "quality.index", _l("Qualitätsprüfung"), roles=ROLES, order=62)
