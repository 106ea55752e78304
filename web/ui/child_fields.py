"""The child's fields of the pages that enter them — Neue Meldung (one child or a household) and
Angaben ergänzen: the built-in form `kind` in the user's language, the address as three fields named
as the engine reports their errors, and the conversion of a POSTed form into the engine's JSON."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from engine.api import child_address_form, child_form, form_to_api
from web.ui import form_widgets
from web.ui.builtin_forms import in_user_language


def child_form_in_user_language() -> dict[str, Any]:
    return in_user_language(form_to_api(child_form()))


def address_fields() -> list[dict[str, Any]]:
    """The address as three fields of the page, named as the engine reports their errors."""
    address = in_user_language(form_to_api(child_address_form()))
    return [{**f, "name": f"anschrift.{f['name']}"} for f in address["fields"]]


def child_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The child's data as the engine takes it (conversions only, like `submission_from_form`)."""
    child = form_widgets.submission_from_form(child_form_in_user_language(), form)
    address = {
        f["name"].partition(".")[2]: form.get(f["name"], "").strip()
        for f in address_fields()
        if form.get(f["name"], "").strip()
    }
    if address:
        child["anschrift"] = address
    return child


def child_values_shown_again(form: MultiDict[str, str]) -> MultiDict[str, str]:
    """What was typed into the child's fields, to show the form again: list entries renumbered as the
    engine numbers them (`form_widgets.form_values`), the address fields kept."""
    values = form_widgets.form_values(child_form_in_user_language(), form)
    for field in address_fields():
        if form.get(field["name"]):
            values.add(field["name"], form[field["name"]])
    return values
