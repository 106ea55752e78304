"""Verwaltung: the Fristen profile of a network (role `admin`), one Frist changed at a time.

Each Frist is shown by its name and in words and changed by a number and a unit (web/frist_words.py),
so nobody needs the ISO 8601 notation or the profile keys the engine stores.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import ValidationFailed
from web.frist_words import as_number_and_unit, frist_name, in_words, stored_value, unit_choices
from web.labels import by_name
from web.ui.access import engine, role_required
from web.ui.admin_pages import ADMIN, bp, operator
from web.ui.error_pages import show_instead


def _render_fristen(network: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    profile = None
    if network:
        try:
            profile = engine().fristen(network)
        except ValidationFailed:  # an unknown network (an old link): the choice again
            context["errors"] = {**context["errors"], "netzwerk": [_("Bitte wählen Sie ein Netzwerk aus der Liste.")]}
            status = 422
    networks = by_name((n["key"], n["name"]) for n in engine().networks())
    return (
        render_template(
            "admin/fristen.html",
            networks=networks,
            network=network,
            network_name=dict(networks).get(network, network),
            rows=_rows(profile or {}),
            units=unit_choices(),
            field_labels=_field_labels(profile or {}),
            **context,
        ),
        status,
    )


def _rows(profile: dict[str, str]) -> list[dict[str, Any]]:
    """One row per Frist, sorted by name: what it is called, what it is now, the editor's prefill."""
    rows = []
    for key, value in profile.items():
        number, unit = as_number_and_unit(value) or ("", "")
        rows.append({"key": key, "name": frist_name(key), "words": in_words(value), "number": number, "unit": unit})
    return sorted(rows, key=lambda row: row["name"].lower())


def _field_labels(profile: dict[str, str]) -> dict[str, str]:
    labels = {"netzwerk": _("Netzwerk")}
    for key in profile:
        labels[f"anzahl.{key}"] = _("Anzahl für „%(name)s“", name=frist_name(key))
        labels[f"einheit.{key}"] = _("Einheit für „%(name)s“", name=frist_name(key))
    return labels


@bp.get("/verwaltung/fristen")
@role_required(ADMIN)
def fristen() -> Any:
    return _render_fristen(request.args.get("netzwerk", "").strip())


def _refused(network: str, key: str, values: dict[str, str], exc: ValidationFailed) -> tuple[str, int]:
    """The profile again with the typed values and a sentence at the field that has to change."""
    errors: dict[str, list[str]] = {}
    for field, messages in exc.errors.items():
        if field == "netzwerk":
            continue  # _render_fristen names the problem with the network itself
        if field in ("anzahl", "einheit"):
            errors[f"{field}.{key}"] = messages
        elif field == "value":  # the number and unit were well-formed, so the engine found it too long
            errors[f"anzahl.{key}"] = [_("Diese Frist ist zu lang. Bitte geben Sie höchstens 100 Jahre an.")]
        else:  # a key that is not in the profile: only a stale or altered page sends one
            errors[f"anzahl.{key}"] = [_("Diese Frist gibt es im Profil nicht. Bitte laden Sie die Seite neu.")]
    return _render_fristen(network, errors=errors, values=values)


@bp.post("/verwaltung/fristen/<network>")
@role_required(ADMIN)
def set_frist(network: str) -> Any:
    key = request.form.get("key", "")
    values = {
        f"anzahl.{key}": request.form.get(f"anzahl.{key}", ""),
        f"einheit.{key}": request.form.get(f"einheit.{key}", ""),
    }
    show_instead(ValidationFailed, lambda exc: _refused(network, key, values, exc))
    value = stored_value(values[f"anzahl.{key}"], values[f"einheit.{key}"])
    profile = engine().set_frist(network, key, value, operator=operator())
    words = in_words(profile.get(key, value))
    flash(_("Die Frist „%(name)s“ beträgt jetzt %(words)s.", name=frist_name(key), words=words), "success")
    return redirect(url_for("admin.fristen", netzwerk=network))
