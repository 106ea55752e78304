"""The form as the HTTP API and the UI get it (interfaces.md, `GET /api/v1/tasks/{id}`)."""

from __future__ import annotations

from typing import Any

from engine.forms import limits
from engine.forms.builtin import sibling_form
from engine.forms.definition import LIST_TYPES, TEXT_TYPES, FormDefinition, FormField, Option


def form_to_api(form: FormDefinition) -> dict[str, Any]:
    """The form as the API and the UI get it (interfaces.md): what to render, nothing server-internal
    (`prefill` names a case variable, `pool` is checked by the server)."""
    out: dict[str, Any] = {
        "title": form.title,
        "description": form.description,
        "fields": [_field_to_api(f) for f in form.fields],
    }
    _add_english(out, title_en=form.title_en, description_en=form.description_en)
    return out


def _add_english(out: dict[str, Any], **texts: str | None) -> None:
    """The English texts a bundle gives (`label_en` …), only those: a missing one means „German“."""
    out.update((key, text) for key, text in texts.items() if text is not None)


def _field_to_api(field: FormField) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": field.name,
        "label": field.label,
        "type": field.type,
        "required": field.required,
    }
    if field.required_if is not None:
        # Copied (lists too): a caller adding to the answer must not change the cached definition.
        out["required_if"] = {k: list(v) if isinstance(v, list) else v for k, v in field.required_if.items()}
    if field.options:
        out["options"] = [_option_to_api(o) for o in field.options]
    if field.help is not None:
        out["help"] = field.help
    if field.rechtsgrundlage is not None:
        out["rechtsgrundlage"] = field.rechtsgrundlage
    if field.zweck is not None:
        out["zweck"] = field.zweck
    _add_english(
        out,
        label_en=field.label_en,
        help_en=field.help_en,
        rechtsgrundlage_en=field.rechtsgrundlage_en,
        zweck_en=field.zweck_en,
    )
    if field.nicht_in_zukunft:
        out["nicht_in_zukunft"] = True
    if field.ohne_personendaten:
        out["ohne_personendaten"] = True
    if field.type in TEXT_TYPES:
        out["max_length"] = limits.max_length(field)  # a client can stop typing where the server refuses
    # A `kinder` entry has the engine's child fields; its `anschrift` (type `object`) has the address's.
    entry_fields = sibling_form().fields if field.type == "kinder" else field.fields
    if field.type in (*LIST_TYPES, "object"):
        out["fields"] = [_field_to_api(f) for f in entry_fields]
    if field.type in LIST_TYPES:
        if field.min_items is not None:
            out["min_items"] = field.min_items
        out["max_items"] = limits.max_items(field)
    return out


def _option_to_api(option: Option) -> dict[str, Any]:
    out: dict[str, Any] = {"value": option.value, "label": option.label}
    _add_english(out, label_en=option.label_en)
    return out
