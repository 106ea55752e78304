"""Angaben zum Kind ergänzen (issue 16 item 2): what a caller did not know — names, birth date, sex,
address — added later from the case page by the Jugendamt holding the case.

`GET /faelle/<id>/angaben` shows the child's fields with what is known, the Sorgeberechtigte included;
`POST` hands what was typed to the engine (`complete_details`), which merges, checks and audits it: only
changed fields count, what is given is no longer "unbekannt", a birth date replaces the approximate age,
the Sorgeberechtigte sent replace the list (all emptied: the list stays as it was). "Weitere Einträge
anzeigen" shows the form again with more empty entries, unsaved. A refusal shows the form again with the
messages at the fields (422). The Wohnort is not here: a move is an Abgabe.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.errors import Conflict, NotAllowed, ValidationFailed
from web.ui import form_widgets
from web.ui.access import current_actor, engine, no_store
from web.ui.case_pages import JUGENDAMT_ROLES, cases_bp
from web.ui.case_view import render_case
from web.ui.child_fields import (
    address_fields,
    child_form_in_user_language,
    child_from_form,
    child_values_shown_again,
)
from web.ui.error_pages import show_instead

#: The child's fields of the page (the engine's `COMPLETABLE`; the address is the three fields of
#: `address_fields`).
FIELDS = ("vorname", "nachname", "geburtsdatum", "geschlecht", "sorgeberechtigte")


def _fields() -> list[dict[str, Any]]:
    """The page's fields: none is required — what is left empty stays as it is."""
    return [{**f, "required": False} for f in child_form_in_user_language()["fields"] if f["name"] in FIELDS]


def _known(child: dict[str, Any]) -> MultiDict[str, str]:
    values = form_widgets.values_from_data(_fields(), child)
    for name, value in (child.get("anschrift") or {}).items():
        values.add(f"anschrift.{name}", str(value))
    return values


def _form(case_id: int, values: MultiDict[str, str] | None, errors: dict[str, list[str]], status: int = 200) -> Any:
    actor = current_actor()
    case = engine().case(actor, case_id)  # a case the user may not see: the plain 404
    office = case["organisation"]["key"]
    if not any(ms.organisation_key == office and ms.role in JUGENDAMT_ROLES for ms in actor.memberships):
        abort(403)  # the engine decides again on saving
    if "child" not in case:  # shredded: nothing to complete
        abort(404)
    fields, address = _fields(), address_fields()
    labels = form_widgets.error_labels(fields, errors)
    labels.update({f["name"]: str(f["label"]) for f in address})
    body = render_template(
        "cases/angaben.html",
        case=case,
        fields=fields,
        address_fields=address,
        values=_known(case["child"]) if values is None else values,
        errors=errors,
        labels=labels,
        unknown=[str(f["label"]) for f in fields if f["name"] in case["child"].get("unbekannt", [])],
    )
    return body, status


@cases_bp.get("/faelle/<int:case_id>/angaben")
@no_store
def details_form(case_id: int) -> Any:
    return _form(case_id, None, {})


@cases_bp.post("/faelle/<int:case_id>/angaben")
@no_store
def complete_details(case_id: int) -> Any:
    sent = MultiDict((k, v) for k, v in request.form.items(multi=True) if k != "csrf_token")
    if request.form.get("sp_aktion") == "eintrag":  # more empty Sorgeberechtigte: the form again, unsaved
        return _form(case_id, child_values_shown_again(sent), {})
    show_instead(ValidationFailed, lambda exc: _form(case_id, sent, exc.errors, 422))
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail))
    show_instead(Conflict, lambda exc: render_case(case_id, refusal=exc.detail))
    changes = {k: v for k, v in child_from_form(request.form).items() if k in (*FIELDS, "anschrift")}
    changed = engine().complete_details(current_actor(), case_id, changes)
    labels = {f["name"]: str(f["label"]) for f in child_form_in_user_language()["fields"]}
    labels["anschrift"] = _("Anschrift")
    # the approximate age that gave way to the birth date is not something the user entered
    names = ", ".join(labels.get(name, name) for name in changed if name != "alter_geschaetzt")
    flash(_("Angaben zum Kind ergänzt: %(fields)s.", fields=names), "success")
    return redirect(url_for("cases.show", case_id=case_id))
