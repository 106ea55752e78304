"""Neue Meldung: choosing the procedure, then the child's data — the built-in form
`bpmn/builtin/forms/kind.json`, rendered like a step's form (in the user's language, see
`web.ui.builtin_forms`), plus the child's address (the built-in form `kind_anschrift`) and, where
needed, the organisation and the responsible Jugendamt.

The engine validates (`engine.cases.child`); a refusal shows the form again with the values and the
messages at the fields (422). An unknown municipality offers the explicit choice of the Jugendamt.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.errors import NotAllowed, ValidationFailed
from web.ui import case_new_household, form_widgets
from web.ui.access import current_actor, engine, no_store
from web.ui.case_pages import new_case_bp, startable
from web.ui.child_fields import address_fields, child_form_in_user_language, child_from_form, child_values_shown_again
from web.ui.error_pages import show_instead
from web.ui.sessions import restore_draft

#: Fields of the child's data shown under "Weitere Angaben" (everything the form does not require).
_OPTIONAL = {"geschlecht", "sorgeberechtigte", "anschrift"}
#: Fields only a Jugendamt's own report has (a call: what is not known is marked, not guessed).
_OWN_REPORT = ("unbekannt", "alter_geschaetzt")


def _own_report(process: dict[str, Any]) -> bool:
    """A case opened by hand at a Jugendamt: its worker takes the report (the engine decides again)."""
    return any(
        ms.organisation_kind == "jugendamt" and ms.organisation_key in process["organisations"]
        for ms in current_actor().memberships
    )


def child_form_values(form: MultiDict[str, str]) -> MultiDict[str, str]:
    values = child_values_shown_again(form)
    for key in ("organisation", "jugendamt"):
        if form.get(key):
            values.add(key, form[key])
    return values


@new_case_bp.get("/faelle/neu", endpoint="index")
@no_store
def choose() -> Any:
    processes = startable(current_actor())
    if not processes:
        raise NotAllowed(_("Mit Ihrer Rolle können Sie keine Fälle anlegen."))
    if len(processes) == 1:
        return redirect(url_for("new_case.form", process_key=processes[0]["key"]))
    return render_template("cases/new_choice.html", processes=processes)


def _refused(process: dict[str, Any], exc: ValidationFailed) -> str:
    # An unknown municipality (not a missing one): the engine names close ones; or choose the office.
    unknown = "wohnort_gemeinde" in exc.errors and bool(request.form.get("wohnort_gemeinde", "").strip())
    choose_jugendamt = bool(request.form.get("jugendamt")) or unknown or "jugendamt" in exc.errors
    return _render_new(process, child_form_values(request.form), exc.errors, choose_jugendamt)


@new_case_bp.route("/faelle/neu/<process_key>", methods=["GET", "POST"])
@no_store
def form(process_key: str) -> Any:
    actor = current_actor()
    process = next((p for p in startable(actor) if p["key"] == process_key), None)
    if process is None:
        abort(404)
    if request.method == "GET":
        restored = restore_draft()
        values = restored if restored is not None else MultiDict()
        return _render_new(process, values, {}, choose_jugendamt=bool(values.get("jugendamt")))
    if _own_report(process) and case_new_household.is_household_request(request.form):
        return case_new_household.handle(process, lambda values: _render_new(process, values, {}, False))
    if request.form.get("sp_aktion") == "eintrag":  # more empty items of a list: the form again, unsaved
        return _render_new(process, child_form_values(request.form), {}, bool(request.form.get("jugendamt")))
    organisation = request.form.get("organisation") or None
    show_instead(ValidationFailed, lambda exc: _refused(process, exc))
    case = engine().open_case(
        actor,
        process_key=process_key,
        child=child_from_form(request.form),
        jugendamt_key=request.form.get("jugendamt") or None,
        organisation_key=organisation if len(process["organisations"]) > 1 else None,
    )
    flash(_("Der Fall %(reference)s ist angelegt.", reference=case.reference), "success")
    following = [t for t in case.open_tasks if t.may_complete]
    if following:
        return redirect(url_for("cases.step", case_id=case.case_id, task_id=following[0].id))
    return redirect(url_for("cases.show", case_id=case.case_id))


def _choice_fields(process: dict[str, Any], choose_jugendamt: bool) -> tuple[dict[str, Any] | None, ...]:
    """The organisation (for people of several) and the explicit Jugendamt (when asked for)."""
    organisation_field = jugendamt_field = None
    if len(process["organisations"]) > 1:
        organisation_field = {
            "name": "organisation",
            "label": _("Organisation"),
            "type": "enum",
            "required": True,
            "options": [{"value": key, "label": key} for key in process["organisations"]],
            "help": _("Sie gehören mehreren Organisationen an: Für welche legen Sie den Fall an?"),
        }
    if choose_jugendamt:
        jugendamt_field = {
            "name": "jugendamt",
            "label": _("Zuständiges Jugendamt ausdrücklich wählen"),
            "type": "enum",
            "required": False,
            "options": sorted(
                ({"value": j["key"], "label": j["name"]} for j in engine().jugendaemter()),
                key=lambda option: option["label"].lower(),
            ),
            "help": _(
                "Nur nötig, wenn die Gemeinde nicht im Verzeichnis steht oder ein anderes Jugendamt zuständig ist "
                "(§ 8a Abs. 6 SGB VIII). Die ausdrückliche Wahl wird protokolliert."
            ),
        }
    return organisation_field, jugendamt_field


def _render_new(
    process: dict[str, Any],
    values: MultiDict[str, str],
    errors: dict[str, list[str]],
    choose_jugendamt: bool,
) -> str:
    organisation_field, jugendamt_field = _choice_fields(process, choose_jugendamt)
    fields = child_form_in_user_language()["fields"]
    address = address_fields()
    labels = form_widgets.error_labels(fields, errors)
    labels.update({"organisation": _("Organisation"), "jugendamt": _("Zuständiges Jugendamt")})
    labels.update({f["name"]: str(f["label"]) for f in address})
    show_optional = any(key.partition(".")[0] in _OPTIONAL for key in errors) or any(
        value.strip() for key, value in values.items(multi=True) if key.partition(".")[0] in _OPTIONAL
    )
    own_report = _own_report(process)
    main = [f for f in fields if f["required"] or (own_report and f["name"] in _OWN_REPORT)]
    return render_template(
        "cases/new.html",
        process=process,
        own_report=own_report,
        child_fields=main,
        optional_fields=[f for f in fields if not f["required"] and f["name"] not in _OWN_REPORT],
        address_fields=address,
        organisation_field=organisation_field,
        jugendamt_field=jugendamt_field,
        values=values,
        errors=errors,
        labels=labels,
        municipalities=engine().municipalities(),
        show_optional=show_optional,
    )
