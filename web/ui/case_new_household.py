"""Neue Meldung with several children of one household (a Jugendamt's own report, issue 16 item 2).

Works without JavaScript: "Weiteres Kind desselben Haushalts" and "Dieses Kind entfernen" are submit
buttons that show the form again with one block more or less (nothing is saved). With two or more
children the page has three parts: the household (Wohnort, Anschrift, Sorgeberechtigte — once), one
block per child (its fields named `kinder.<n>.<field>`, as the engine keys its errors, so each error
stands in its block), and the call (the first step's fields, `eingang.<field>`, once for all). The
engine opens the cases together or not at all (`engine.cases.household`).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.api import form_to_api
from engine.errors import ValidationFailed
from web.ui import form_widgets
from web.ui.access import current_actor, engine
from web.ui.builtin_forms import in_user_language
from web.ui.bundle_texts import german_messages
from web.ui.child_fields import address_fields, child_form_in_user_language, child_from_form

#: A child's own fields (the rest of the child form is the household's, entered once).
OWN = ("vorname", "nachname", "geburtsdatum", "unbekannt", "alter_geschaetzt", "geschlecht")
COUNT, ADD, REMOVE = "kinder", "kind_hinzufuegen", "kind_entfernen-"
MAX_CHILDREN = 10


def children_count(form: MultiDict[str, str]) -> int:
    """How many child blocks the page shows (1: the ordinary one-child form)."""
    text = form.get(COUNT, "1")
    return min(max(int(text), 1), MAX_CHILDREN) if text.isdigit() else 1


def is_household_request(form: MultiDict[str, str]) -> bool:
    action = form.get("sp_aktion", "")
    return action == ADD or action.startswith(REMOVE) or children_count(form) > 1


def _prefix(n: int) -> str:
    return f"{COUNT}.{n}."


def _moved(values: MultiDict[str, str], rename: Any) -> MultiDict[str, str]:
    """The values with each key renamed by `rename` (None: dropped)."""
    out: MultiDict[str, str] = MultiDict()
    for key, value in values.items(multi=True):
        new = rename(key)
        if new is not None:
            out.add(new, value)
    return out


def _added(values: MultiDict[str, str], count: int) -> tuple[MultiDict[str, str], int]:
    if count == 1:  # the one-child form's own fields become the first block
        values = _moved(values, lambda k: _prefix(0) + k if k.partition(".")[0] in OWN else k)
    return values, min(count + 1, MAX_CHILDREN)


def _removed(values: MultiDict[str, str], count: int, gone: int) -> tuple[MultiDict[str, str], int]:
    def rename(key: str) -> str | None:
        head, _sep, rest = key.partition(".")
        index, _sep, name = rest.partition(".")
        if head != COUNT or not index.isdigit():
            return key
        n = int(index)
        if n == gone:
            return None
        n -= n > gone
        return name if count == 2 else f"{_prefix(n)}{name}"  # one child left: the ordinary form

    return _moved(values, rename), max(count - 1, 1)


def _sub(values: MultiDict[str, str], prefix: str) -> MultiDict[str, str]:
    return _moved(values, lambda k: k[len(prefix) :] if k.startswith(prefix) else None)


def _sent_values() -> MultiDict[str, str]:
    return MultiDict((k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "sp_aktion", COUNT))


def handle(process: dict[str, Any], render_single: Any) -> Any:
    """A POST of Neue Meldung in household mode: add or remove a block, show more list items, or open."""
    values, count = _sent_values(), children_count(request.form)
    action = request.form.get("sp_aktion", "")
    if action == ADD:
        values, count = _added(values, count)
    elif action.startswith(REMOVE) and action[len(REMOVE) :].isdigit():
        values, count = _removed(values, count, int(action[len(REMOVE) :]))
    if count == 1:
        return render_single(values)
    if action:  # ADD, REMOVE, or more empty items of a list: the form again, unsaved
        return render_household(process, values, {}, count)
    return _open(process, values, count)


def _open(process: dict[str, Any], values: MultiDict[str, str], count: int) -> Any:
    child_form = child_form_in_user_language()
    shared = {k: v for k, v in child_from_form(values).items() if k not in OWN}
    children = [form_widgets.submission_from_form(child_form, _sub(values, _prefix(n))) for n in range(count)]
    first = engine().first_step_form(process["key"])
    call = form_widgets.submission_from_form(form_to_api(first), _sub(values, "eingang.")) if first else None
    try:
        opened = engine().open_household(
            current_actor(), process_key=process["key"], household=shared, children=children, first_step=call
        )
    except ValidationFailed as exc:
        return render_household(process, values, german_messages(exc.errors), count), 422
    references = ", ".join(case.reference for case in opened)
    message = _("%(count)s Fälle angelegt, je Kind einer: %(references)s.", count=len(opened), references=references)
    flash(message, "success")
    return redirect(url_for("cases.show", case_id=opened[0].case_id))


def render_household(
    process: dict[str, Any], values: MultiDict[str, str], errors: dict[str, list[str]], count: int
) -> str:
    fields = child_form_in_user_language()["fields"]
    own = [f for f in fields if f["name"] in OWN]
    shared = [f for f in fields if f["name"] not in OWN]
    address = address_fields()
    first = engine().first_step_form(process["key"])
    call = in_user_language(form_to_api(first))["fields"] if first else []
    labels = form_widgets.error_labels(shared, errors)
    labels.update({f["name"]: str(f["label"]) for f in address})
    for n in range(count):
        block = _("%(number)s. Kind", number=n + 1)
        labels.update({f"{_prefix(n)}{f['name']}": f"{block}: {f['label']}" for f in own})
    labels.update({f"eingang.{f['name']}": f"{_('Eingang')}: {f['label']}" for f in call})
    return render_template(
        "cases/new_household.html",
        process=process,
        count=count,
        max_children=MAX_CHILDREN,
        own_fields=own,
        shared_fields=shared,
        address_fields=address,
        call_fields=call,
        values=values,
        errors=errors,
        labels=labels,
        municipalities=engine().municipalities(),
    )
