"""Abgabe an ein anderes Jugendamt (R37): the Fachkraft names the receiving Jugendamt and writes the
Übergabevermerk, checks on a confirm page what is sent, to whom and what stays, then hands over.

`GET /faelle/<id>/abgabe` shows the form; `POST` with `sp_aktion=pruefen` shows the confirm page (the
engine's `preview_transfer`: the same refusals as the transfer itself, nothing written), `senden`
transfers and returns to the now closed case, `zurueck` shows the form with the values. The values
travel back as the form's own fields: they are the user's own text, and the engine checks them again
when they are sent. Who may transfer is the engine's decision (the case's Jugendamt only).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.api import transfer_form
from engine.errors import Conflict, NotAllowed, ValidationFailed
from web.ui.access import current_actor, engine, no_store
from web.ui.case_pages import JUGENDAMT_ROLES, cases_bp
from web.ui.case_view import render_case
from web.ui.error_pages import show_instead

FIELDS = ("jugendamt", "anlass", "uebergabevermerk")


def _form(case_id: int, values: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> tuple[str, int]:
    actor = current_actor()
    case = engine().case_map(actor, case_id)  # a case the user may not see: the plain 404
    if not any(ms.role in JUGENDAMT_ROLES for ms in actor.memberships):
        abort(403)  # who sees the case and works at a Jugendamt works at its Jugendamt
    own = {ms.organisation_key for ms in actor.memberships}
    offices = [(j["key"], j["name"]) for j in engine().jugendaemter() if j["key"] not in own]
    form = {f.name: f for f in transfer_form().fields}
    labels = {"jugendamt": _("Übernehmendes Jugendamt"), **{name: form[name].label for name in form}}
    body = render_template(
        "cases/abgabe.html",
        case=case,
        case_id=case_id,
        offices=offices,
        reasons=[(o.value, o.label) for o in form["anlass"].options],
        note_hint=form["uebergabevermerk"].help,
        values=values,
        errors=errors,
        labels=labels,
    )
    return body, status


@cases_bp.get("/faelle/<int:case_id>/abgabe")
@no_store
def transfer_form_page(case_id: int) -> tuple[str, int]:
    return _form(case_id, {}, {})


@cases_bp.post("/faelle/<int:case_id>/abgabe")
@no_store
def transfer(case_id: int) -> Any:
    values = {name: request.form.get(name, "") for name in FIELDS}
    show_instead(ValidationFailed, lambda exc: _form(case_id, values, exc.errors, 422))
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail))
    show_instead(Conflict, lambda exc: render_case(case_id, refusal=exc.detail))
    action = request.form.get("sp_aktion", "pruefen")
    if action == "zurueck":
        return _form(case_id, values, {})
    if action != "senden":
        preview = engine().preview_transfer(current_actor(), case_id, values)
        case = engine().case_map(current_actor(), case_id)
        return render_template("cases/abgabe_pruefen.html", case=case, case_id=case_id, preview=preview, values=values)
    done = engine().transfer(current_actor(), case_id, values)
    flash(
        _(
            "Der Fall wurde an %(office)s abgegeben (dort %(reference)s) und ist bei Ihnen abgeschlossen.",
            office=done.to_jugendamt_name,
            reference=done.new_reference,
        ),
        "success",
    )
    return redirect(url_for("cases.show", case_id=case_id))
