"""The form validator's messages are sentences that say what to type (issue 16 item 3).

Two walks over one form with every field type, all of them with snake_case keys and plain labels:
every message the generated schema *can* give (each field's messages, marshmallow's own included,
each validator's, the schema's), and every message bad submissions *do* get (each branch of the
validator). Each must be a German sentence — capital letter, full stop — naming the field by its
label, never by its key, never showing an option's code.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from marshmallow import Schema, fields

from engine.forms import check_submission, parse_definition
from engine.forms.validation import _schema_for
from tests.support.plain_words import internal_identifiers

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
_SENTENCE = re.compile(r"[„\"]?[A-ZÄÖÜ][^\n]*[.?!]", re.S)


def _options(*pairs: str) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in zip(pairs[::2], pairs[1::2], strict=True)]


FORM = parse_definition(
    {
        "format": 1,
        "task": "alles_pruefen",
        "title": "Alles prüfen",
        "fields": [
            {"name": "kurz_text", "label": "Kurzer Text", "type": "text", "required": True, "max_length": 5},
            {"name": "lang_text", "label": "Beobachtungen", "type": "textarea", "required": True},
            {"name": "gesehen_am", "label": "Gesehen am", "type": "date", "required": True, "nicht_in_zukunft": True},
            {"name": "gemeldet_um", "label": "Gemeldet um", "type": "datetime", "required": True,
             "nicht_in_zukunft": True},
            {"name": "akute_gefahr", "label": "Akute Gefahr?", "type": "boolean", "required": True},
            {"name": "anzahl_kinder", "label": "Anzahl der Kinder", "type": "integer", "required": True},
            {"name": "quelle_info", "label": "Quelle", "type": "enum", "required": True,
             "options": _options("eigene_beobachtung", "Eigene Beobachtung", "aussage_kind", "Aussage des Kindes")},
            {"name": "bereiche_liste", "label": "Bereiche", "type": "multi", "required": True,
             "options": _options("koerperliche_gewalt", "Körperliche Gewalt", "sonstige_art", "Sonstiges")},
            {"name": "sonstiges_text", "label": "Sonstige Gefährdung", "type": "text", "required": False,
             "required_if": {"bereiche_liste": "sonstige_art"}},
            {"name": "grund_nein", "label": "Grund", "type": "textarea", "required": False,
             "required_if": {"akute_gefahr": False}},
            {"name": "fach_person", "label": "Insoweit erfahrene Fachkraft", "type": "user", "required": True},
            {"name": "massnahmen_plan", "label": "Maßnahmen", "type": "list", "required": True, "min_items": 2,
             "max_items": 3, "fields": [
                 {"name": "was_tun", "label": "Was", "type": "text", "required": True},
                 {"name": "bis_datum", "label": "Bis", "type": "date", "required": False},
             ]},
        ],
    }
)  # fmt: skip

#: Submissions that reach every branch of the validator, with the keys whose message each must give.
BAD = [
    ({}, {"kurz_text", "lang_text", "gesehen_am", "gemeldet_um", "akute_gefahr", "anzahl_kinder", "quelle_info",
          "bereiche_liste", "fach_person", "massnahmen_plan"}),
    ({"kurz_text": 5, "lang_text": ["a"], "gesehen_am": "31.02.2026", "gemeldet_um": "2026-03-02T09:00",
      "akute_gefahr": "ja", "anzahl_kinder": "drei", "quelle_info": "fax", "bereiche_liste": "koerperliche_gewalt",
      "fach_person": 17, "massnahmen_plan": "Kita"}, set()),
    ({"kurz_text": "zu lang", "lang_text": "a\x00b", "gesehen_am": "03.03.2026", "gemeldet_um": "2026-03-03T09:00Z",
      "akute_gefahr": False, "anzahl_kinder": 2**63, "quelle_info": ["aussage_kind"],
      "bereiche_liste": ["sonstige_art", "sonstige_art"], "massnahmen_plan": [{"was_tun": "a"}]},
     {"grund_nein"}),
    ({"bereiche_liste": ["sonstige_art", "unbekannt"], "massnahmen_plan": [{"was_tun": "a"}] * 4,
      "unbekannt_feld": 1}, {"unbekannt_feld"}),
    ({"bereiche_liste": ["sonstige_art"], "massnahmen_plan": [{"bis_datum": "morgen", "extra_feld": 1}, "x", None]},
     {"sonstiges_text", "massnahmen_plan.0.was_tun", "massnahmen_plan.0.bis_datum", "massnahmen_plan.0.extra_feld",
      "massnahmen_plan.1", "massnahmen_plan.2"}),
    ([], {"_schema"}),
]  # fmt: skip


def _assert_sentence(message: str, where: str) -> None:
    assert _SENTENCE.fullmatch(message), f"{where}: not a sentence: {message!r}"
    assert not internal_identifiers(message), f"{where}: internal identifier in {message!r}"
    assert not re.search(r"[A-Za-z]+ (?:is|may|must|not|Invalid|Missing|Field)\b", message), f"{where}: {message!r}"


def _schema_messages(schema: Schema, path: str = "") -> dict[str, str]:
    """Every message the generated schema can give, by where it comes from."""
    found = {f"{path}schema.{key}": str(text) for key, text in schema.error_messages.items()}
    for name, field in schema.fields.items():
        found |= {f"{path}{name}.{key}": str(text) for key, text in field.error_messages.items()}
        for number, validator in enumerate(field.validators):
            if isinstance(getattr(validator, "error", None), str):
                found[f"{path}{name}.validator{number}"] = validator.error
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            found |= {f"{path}{name}.item.{key}": str(text) for key, text in inner.error_messages.items()}
            nested = inner.schema
            assert isinstance(nested, Schema)
            found |= _schema_messages(nested, f"{path}{name}.")
    return found


def test_every_message_the_schema_can_give_is_a_sentence():
    messages = _schema_messages(_schema_for(FORM))
    assert len(messages) > 60  # every field with its own messages, the list's items too
    for where, message in messages.items():
        _assert_sentence(message, where)


def test_every_branch_of_the_validator_answers_with_a_sentence_naming_the_label():
    seen: set[str] = set()
    for data, keys in BAD:
        _clean, errors = check_submission(FORM, data, now=NOW)
        assert keys <= set(errors), f"{data!r} → {errors!r}"
        for key, messages in errors.items():
            for message in messages:
                _assert_sentence(message, key)
                seen.add(message)
    labels = [field.label for field in FORM.fields]
    for label in labels:
        assert any(f"„{label}“" in message for message in seen), f"no message names „{label}“"
    assert len(seen) >= 30, sorted(seen)  # the branches give different messages, not one catch-all


def test_the_messages_say_what_to_type():
    _clean, errors = check_submission(FORM, {"gesehen_am": "gestern", "quelle_info": "fax"}, now=NOW)
    assert errors["gesehen_am"] == ["Geben Sie „Gesehen am“ als Datum TT.MM.JJJJ an, zum Beispiel 02.03.2026."]
    assert errors["quelle_info"] == [
        "Wählen Sie bei „Quelle“ eine der Antworten „Eigene Beobachtung“ oder „Aussage des Kindes“."
    ]
    assert errors["kurz_text"] == ["Geben Sie „Kurzer Text“ an."]
    assert errors["akute_gefahr"] == ["Beantworten Sie „Akute Gefahr?“ mit Ja oder Nein."]
