"""Form definitions and the server-side validation of completions (engine/forms).

The forms here follow procedures.md sections 5–7 (`sofortmeldung_jugendamt`, `beteiligung_familie`,
`schutzplan_vereinbaren`, `gefaehrdungseinschaetzung`), so a test failing names a contract rule.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from engine.cases.child import validate_child
from engine.errors import DefinitionInvalid, ValidationFailed
from engine.forms import (
    FormDefinition,
    FormField,
    Option,
    check_definition,
    check_submission,
    form_to_api,
    parse_definition,
    validate_submission,
)
from engine.forms.builtin import BUILTIN, child_form
from engine.forms.messages import NOT_AN_OBJECT, UNKNOWN

# --- helpers -------------------------------------------------------------------------------------------


def _opts(*values: str) -> list[dict[str, str]]:
    return [{"value": v, "label": v.replace("_", " ").capitalize()} for v in values]


def _form(*fields: dict[str, Any], task: str = "aufgabe") -> FormDefinition:
    return parse_definition({"format": 1, "task": task, "title": "Titel", "fields": list(fields)})


def _field(name: str, type_: str, *, required: bool = True, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": name.replace("_", " ").capitalize(), "type": type_, "required": required, **extra}


def _errors(form: FormDefinition, data: object, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        validate_submission(form, data, **kwargs)
    return caught.value.errors


SOFORTMELDUNG: dict[str, Any] = {
    "format": 1,
    "task": "sofortmeldung_jugendamt",
    "title": "Sofortmeldung an das Jugendamt",
    "description": "Akute Gefahr: das Jugendamt sofort informieren.",
    "fields": [
        {"name": "gemeldet_am", "label": "Gemeldet am", "type": "datetime", "required": True},
        {
            "name": "kanal",
            "label": "Kanal",
            "type": "enum",
            "required": True,
            "options": [
                {"value": "telefon", "label": "Telefon"},
                {"value": "persoenlich", "label": "Persönlich"},
                {"value": "polizei", "label": "Über die Polizei"},
            ],
        },
        {"name": "polizei_informiert", "label": "Polizei informiert", "type": "boolean", "required": True},
        {
            "name": "eltern_informiert",
            "label": "Eltern informiert",
            "type": "boolean",
            "required": True,
            "help": "§ 8a Abs. 4 S. 2 SGB VIII",
        },
        {
            "name": "grund_eltern_nicht_informiert",
            "label": "Grund",
            "type": "textarea",
            "required": False,
            "required_if": {"eltern_informiert": False},
        },
        {"name": "zusammenfassung", "label": "Zusammenfassung", "type": "textarea", "required": True},
    ],
}

BETEILIGUNG: dict[str, Any] = {
    "format": 1,
    "task": "beteiligung_familie",
    "title": "Eltern und Kind beteiligen",
    "fields": [
        {"name": "eltern_einbezogen", "label": "Eltern einbezogen", "type": "boolean", "required": True},
        {"name": "kind_einbezogen", "label": "Kind einbezogen", "type": "boolean", "required": True},
        {
            "name": "grund_keine_beteiligung",
            "label": "Grund der fehlenden Beteiligung",
            "type": "enum",
            "required": False,
            "required_if": {"eltern_einbezogen": False, "kind_einbezogen": False},
            "options": [
                {"value": "gefaehrdung_des_schutzes", "label": "Gefährdung des Schutzes"},
                {"value": "nicht_erreichbar", "label": "Nicht erreichbar"},
                {"value": "alter_reife", "label": "Alter und Reife"},
                {"value": "sonstiges", "label": "Sonstiges"},
            ],
        },
        {
            "name": "grund_text",
            "label": "Grund (Freitext)",
            "type": "text",
            "required": False,
            "required_if": {"grund_keine_beteiligung": "sonstiges"},
        },
        {"name": "gespraech_am", "label": "Gespräch am", "type": "date", "required": False},
        {
            "name": "ergebnis",
            "label": "Ergebnis",
            "type": "enum",
            "required": True,
            "options": _opts("hilfe_angenommen", "hilfe_abgelehnt", "nicht_erreicht"),
        },
    ],
}

SCHUTZPLAN: dict[str, Any] = {
    "format": 1,
    "task": "schutzplan_vereinbaren",
    "title": "Schutzplan vereinbaren",
    "fields": [
        {
            "name": "massnahmen",
            "label": "Maßnahmen",
            "type": "list",
            "required": True,
            "min_items": 1,
            "fields": [
                {"name": "was", "label": "Was", "type": "text", "required": True},
                {"name": "wer", "label": "Wer", "type": "text", "required": True},
                {"name": "bis", "label": "Bis", "type": "date", "required": True},
            ],
        },
        {"name": "ueberpruefung_am", "label": "Überprüfung am", "type": "date", "required": True},
    ],
}

EINSCHAETZUNG: dict[str, Any] = {
    "format": 1,
    "task": "gefaehrdungseinschaetzung",
    "title": "Gefährdungseinschätzung",
    "fields": [
        {
            "name": "ergebnis",
            "label": "Ergebnis",
            "type": "enum",
            "required": True,
            "options": [
                {"value": "akute_kwg", "label": "Akute Kindeswohlgefährdung"},
                {"value": "latente_kwg", "label": "Latente Kindeswohlgefährdung"},
                {"value": "keine_kwg_hilfebedarf", "label": "Keine KWG, Hilfebedarf"},
                {"value": "keine_kwg_kein_hilfebedarf", "label": "Keine KWG, kein Hilfebedarf"},
            ],
        },
        {
            "name": "gefaehrdungsarten",
            "label": "Gefährdungsarten",
            "type": "multi",
            "required": False,
            "options": _opts(
                "vernachlaessigung",
                "koerperliche_misshandlung",
                "psychische_misshandlung",
                "sexuelle_gewalt",
                "sonstiges",
            ),
            "required_if": {"ergebnis": ["akute_kwg", "latente_kwg"]},
        },
        {
            "name": "sonstiges_text",
            "label": "Sonstige Gefährdung",
            "type": "text",
            "required": False,
            "required_if": {"gefaehrdungsarten": "sonstiges"},
        },
        {"name": "tatsachen", "label": "Tatsachen", "type": "textarea", "required": True},
    ],
}


def _sofortmeldung(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "gemeldet_am": "2024-10-27T02:30:00+01:00",
        "kanal": "telefon",
        "polizei_informiert": False,
        "eltern_informiert": True,
        "zusammenfassung": "Kurze Zusammenfassung",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


# --- each type: valid and invalid ---------------------------------------------------------------------

VALID = [
    ("text", {}, "  Hallo Welt \n", "Hallo Welt"),
    ("textarea", {}, "Zeile 1\nZeile 2", "Zeile 1\nZeile 2"),
    ("boolean", {}, True, True),
    ("boolean", {}, False, False),
    ("integer", {}, 0, 0),
    ("integer", {}, -12, -12),
    ("date", {}, "2024-02-29", "2024-02-29"),
    ("date", {}, "31.01.2024", "2024-01-31"),  # as the message asks for it
    ("datetime", {}, "02.03.2026 14:30", "2026-03-02T13:30:00+00:00"),  # Berlin's wall time
    ("datetime", {}, "2024-05-01T12:00:00Z", "2024-05-01T12:00:00+00:00"),
    ("datetime", {}, "2024-05-01T14:00:00.250+02:00", "2024-05-01T12:00:00.250000+00:00"),
    ("enum", {"options": _opts("telefon", "polizei")}, "polizei", "polizei"),
    ("multi", {"options": _opts("a", "b", "c")}, ["c", "a"], ["a", "c"]),  # in the order of the options
    ("multi", {"options": _opts("a", "b", "c")}, ["b"], ["b"]),
    ("user", {"pool": "insofa"}, " i.fachkraft ", "i.fachkraft"),
]


@pytest.mark.parametrize(("type_", "extra", "value", "clean"), VALID)
def test_valid_value_of_each_type_is_cleaned_to_json(
    type_: str, extra: dict[str, Any], value: object, clean: object
) -> None:
    form = _form(_field("feld", type_, **extra))
    assert validate_submission(form, {"feld": value}) == {"feld": clean}


DAY = "Geben Sie „Feld“ als Datum TT.MM.JJJJ an, zum Beispiel 02.03.2026."
MINUTE = "Geben Sie „Feld“ mit Datum und Uhrzeit an, zum Beispiel 02.03.2026 14:30."

INVALID = [
    ("text", {}, 5, "Geben Sie „Feld“ als Text an."),
    ("text", {}, ["a"], "Geben Sie „Feld“ als Text an."),
    ("textarea", {}, {"a": 1}, "Geben Sie „Feld“ als Text an."),
    ("boolean", {}, "true", "Beantworten Sie „Feld“ mit Ja oder Nein."),
    ("boolean", {}, 1, "Beantworten Sie „Feld“ mit Ja oder Nein."),
    ("boolean", {}, 0, "Beantworten Sie „Feld“ mit Ja oder Nein."),
    ("boolean", {}, "ja", "Beantworten Sie „Feld“ mit Ja oder Nein."),
    ("integer", {}, "3", "Geben Sie „Feld“ als ganze Zahl an, zum Beispiel 3."),
    ("integer", {}, 3.0, "Geben Sie „Feld“ als ganze Zahl an, zum Beispiel 3."),
    ("integer", {}, 2.5, "Geben Sie „Feld“ als ganze Zahl an, zum Beispiel 3."),
    ("integer", {}, True, "Geben Sie „Feld“ als ganze Zahl an, zum Beispiel 3."),
    ("date", {}, "2023-02-29", DAY),
    ("date", {}, "20240131", DAY),
    ("date", {}, "2024-W05-3", DAY),
    ("date", {}, "2024-01-31T10:00:00+01:00", DAY),
    ("date", {}, 20240131, DAY),
    ("datetime", {}, "2024-10-27T02:30:00", MINUTE),
    ("datetime", {}, "2024-10-27", MINUTE),
    ("datetime", {}, "gestern abend", MINUTE),
    ("datetime", {}, 1714560000, MINUTE),
    ("datetime", {}, "0001-01-01T00:00:00+01:00", MINUTE),
    (
        "enum",
        {"options": _opts("telefon", "persoenlich", "polizei")},
        "fax",
        "Wählen Sie bei „Feld“ eine der Antworten „Telefon“, „Persoenlich“ oder „Polizei“.",
    ),
    (
        "enum",
        {"options": _opts("telefon", "persoenlich", "polizei")},
        "Telefon",
        "Wählen Sie bei „Feld“ eine der Antworten „Telefon“, „Persoenlich“ oder „Polizei“.",
    ),
    (
        "enum",
        {"options": _opts("telefon", "persoenlich", "polizei")},
        ["telefon"],
        "Wählen Sie bei „Feld“ eine der Antworten „Telefon“, „Persoenlich“ oder „Polizei“.",
    ),
    (
        "multi",
        {"options": _opts("a", "b")},
        "a",
        "Wählen Sie bei „Feld“ eine oder mehrere Antworten aus der Liste aus.",
    ),
    (
        "multi",
        {"options": _opts("a", "b")},
        ["a", "x"],
        "Wählen Sie bei „Feld“ eine oder mehrere der Antworten „A“ oder „B“.",
    ),
    ("multi", {"options": _opts("a", "b")}, [1], "Wählen Sie bei „Feld“ eine oder mehrere der Antworten „A“ oder „B“."),
    ("multi", {"options": _opts("a", "b")}, ["a", "a"], "Wählen Sie bei „Feld“ jede Antwort nur einmal."),
    ("user", {}, 17, "Geben Sie bei „Feld“ den Benutzernamen einer Person an."),
]


@pytest.mark.parametrize(("type_", "extra", "value", "message"), INVALID)
def test_invalid_value_of_each_type_is_refused_with_a_german_message(
    type_: str, extra: dict[str, Any], value: object, message: str
) -> None:
    form = _form(_field("feld", type_, **extra))
    assert _errors(form, {"feld": value}) == {"feld": [message]}


def test_sofortmeldung_enum_message_lists_the_allowed_values() -> None:
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, _sofortmeldung(kanal="fax"))
    assert errors == {
        "kanal": ["Wählen Sie bei „Kanal“ eine der Antworten „Telefon“, „Persönlich“ oder „Über die Polizei“."]
    }


def test_messages_never_echo_the_submitted_value() -> None:
    """Submitted values may be personal data; messages go to logs and other people's screens."""
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, _sofortmeldung(kanal="Max Mustermann", gemeldet_am="Max Mustermann"))
    assert "Mustermann" not in repr(errors)


# --- required, absent, unknown --------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_empty_values_count_as_missing_for_a_required_field(empty: object) -> None:
    form = _form(_field("text", "text"), _field("wahl", "multi", options=_opts("a")), _field("ja", "boolean"))
    errors = _errors(form, {"text": empty, "wahl": empty, "ja": empty})
    assert errors == {
        "text": ["Geben Sie „Text“ an."],
        "wahl": ["Wählen Sie bei „Wahl“ mindestens eine Antwort aus."],
        "ja": ["Beantworten Sie „Ja“ mit Ja oder Nein."],
    }


def test_every_missing_required_field_is_reported_at_once() -> None:
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, {})
    assert errors == {
        "gemeldet_am": ["Geben Sie „Gemeldet am“ mit Datum und Uhrzeit an, zum Beispiel 02.03.2026 14:30."],
        "kanal": ["Wählen Sie bei „Kanal“ eine Antwort aus."],
        "polizei_informiert": ["Beantworten Sie „Polizei informiert“ mit Ja oder Nein."],
        "eltern_informiert": ["Beantworten Sie „Eltern informiert“ mit Ja oder Nein."],
        "zusammenfassung": ["Geben Sie „Zusammenfassung“ an."],
    }


@pytest.mark.parametrize("empty", [..., None, "", " "])
def test_optional_field_left_out_or_empty_is_absent_from_the_result(empty: object) -> None:
    form = _form(_field("pflicht", "text"), _field("frei", "text", required=False))
    data = {"pflicht": "x"} if empty is ... else {"pflicht": "x", "frei": empty}
    assert validate_submission(form, data) == {"pflicht": "x"}


def test_unknown_fields_are_refused() -> None:
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, _sofortmeldung(geheimer_zusatz="x", leer=None))
    assert errors == {"geheimer_zusatz": [UNKNOWN], "leer": [UNKNOWN]}


@pytest.mark.parametrize("data", [None, [], ["kanal"], "kanal=telefon", 5])
def test_data_that_is_not_an_object_is_refused(data: object) -> None:
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, data)
    assert list(errors) == ["_schema"]
    assert errors["_schema"] == [NOT_AN_OBJECT]


def test_valid_sofortmeldung_returns_clean_json_values() -> None:
    form = parse_definition(SOFORTMELDUNG)
    clean = validate_submission(form, _sofortmeldung(zusammenfassung="  Bericht  "))
    assert clean == {
        "gemeldet_am": "2024-10-27T01:30:00+00:00",
        "kanal": "telefon",
        "polizei_informiert": False,
        "eltern_informiert": True,
        "zusammenfassung": "Bericht",
    }


# --- datetime: offset required, normalised to UTC -------------------------------------------------------


def test_datetime_without_offset_is_refused_because_it_is_ambiguous_at_the_dst_change() -> None:
    # 2024-10-27 02:30 happened twice in Germany; only an offset says which one is meant.
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, _sofortmeldung(gemeldet_am="2024-10-27T02:30:00"))
    assert errors == {
        "gemeldet_am": ["Geben Sie „Gemeldet am“ mit Datum und Uhrzeit an, zum Beispiel 02.03.2026 14:30."]
    }


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2024-10-27T02:30:00+02:00", "2024-10-27T00:30:00+00:00"),  # the first 02:30 (CEST)
        ("2024-10-27T02:30:00+01:00", "2024-10-27T01:30:00+00:00"),  # the second 02:30 (CET)
        ("2024-10-27T01:30:00Z", "2024-10-27T01:30:00+00:00"),
        ("2024-12-31T23:30:00-05:00", "2025-01-01T04:30:00+00:00"),
    ],
)
def test_datetime_with_offset_is_normalised_to_utc(sent: str, stored: str) -> None:
    form = parse_definition(SOFORTMELDUNG)
    assert validate_submission(form, _sofortmeldung(gemeldet_am=sent))["gemeldet_am"] == stored


# --- required_if ----------------------------------------------------------------------------------------


def test_required_if_boolean_false_names_the_condition_with_the_label() -> None:
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, _sofortmeldung(eltern_informiert=False))
    assert errors == {
        "grund_eltern_nicht_informiert": ["Geben Sie „Grund“ an, weil „Eltern informiert“ mit Nein beantwortet wurde."]
    }
    clean = validate_submission(
        form, _sofortmeldung(eltern_informiert=False, grund_eltern_nicht_informiert="Schutz des Kindes")
    )
    assert clean["grund_eltern_nicht_informiert"] == "Schutz des Kindes"


def test_required_if_is_not_required_when_the_condition_does_not_hold() -> None:
    form = parse_definition(SOFORTMELDUNG)
    assert "grund_eltern_nicht_informiert" not in validate_submission(form, _sofortmeldung())


def test_required_if_boolean_true() -> None:
    form = _form(_field("gefahr", "boolean"), _field("massnahme", "text", required=False, required_if={"gefahr": True}))
    assert _errors(form, {"gefahr": True}) == {
        "massnahme": ["Geben Sie „Massnahme“ an, weil „Gefahr“ mit Ja beantwortet wurde."]
    }
    assert validate_submission(form, {"gefahr": False}) == {"gefahr": False}


def test_required_if_condition_field_missing_or_invalid_decides_nothing() -> None:
    """The invalid condition field has its own error; a second, guessed one would only confuse."""
    form = parse_definition(SOFORTMELDUNG)
    assert _errors(form, _sofortmeldung(eltern_informiert=...)) == {
        "eltern_informiert": ["Beantworten Sie „Eltern informiert“ mit Ja oder Nein."]
    }
    assert _errors(form, _sofortmeldung(eltern_informiert="nein")) == {
        "eltern_informiert": ["Beantworten Sie „Eltern informiert“ mit Ja oder Nein."]
    }


def test_required_if_field_given_but_invalid_reports_only_the_type_error() -> None:
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, _sofortmeldung(eltern_informiert=False, grund_eltern_nicht_informiert=42))
    assert errors == {"grund_eltern_nicht_informiert": ["Geben Sie „Grund“ als Text an."]}


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_required_if_counts_empty_as_missing(empty: object) -> None:
    form = parse_definition(SOFORTMELDUNG)
    errors = _errors(form, _sofortmeldung(eltern_informiert=False, grund_eltern_nicht_informiert=empty))
    assert list(errors) == ["grund_eltern_nicht_informiert"]


@pytest.mark.parametrize(
    ("eltern", "kind", "reason"),
    [
        (False, True, "„Eltern einbezogen“ mit Nein beantwortet wurde"),
        (True, False, "„Kind einbezogen“ mit Nein beantwortet wurde"),
        (
            False,
            False,
            "„Eltern einbezogen“ mit Nein beantwortet wurde und „Kind einbezogen“ mit Nein beantwortet wurde",
        ),
    ],
)
def test_beteiligung_familie_grund_required_if_any_participation_is_skipped(
    eltern: bool, kind: bool, reason: str
) -> None:
    """procedures.md 5 / 8: a reason is required wherever a participation is skipped."""
    form = parse_definition(BETEILIGUNG)
    data = {"eltern_einbezogen": eltern, "kind_einbezogen": kind, "ergebnis": "hilfe_abgelehnt"}
    errors = _errors(form, data)
    assert errors == {
        "grund_keine_beteiligung": [
            f"Wählen Sie bei „Grund der fehlenden Beteiligung“ eine Antwort aus, weil {reason}."
        ]
    }


def test_beteiligung_familie_no_grund_needed_when_both_took_part() -> None:
    form = parse_definition(BETEILIGUNG)
    data = {
        "eltern_einbezogen": True,
        "kind_einbezogen": True,
        "ergebnis": "hilfe_angenommen",
        "gespraech_am": "2024-03-04",
    }
    assert validate_submission(form, data) == data


def test_beteiligung_familie_grund_text_required_if_sonstiges() -> None:
    form = parse_definition(BETEILIGUNG)
    data = {
        "eltern_einbezogen": False,
        "kind_einbezogen": True,
        "grund_keine_beteiligung": "sonstiges",
        "ergebnis": "nicht_erreicht",
    }
    assert _errors(form, data) == {
        "grund_text": [
            "Geben Sie „Grund (Freitext)“ an, weil bei „Grund der fehlenden Beteiligung“ „Sonstiges“ gewählt wurde."
        ]
    }
    assert validate_submission(form, {**data, "grund_text": "Umzug"})["grund_text"] == "Umzug"
    # Another reason: no free text needed.
    assert "grund_text" not in validate_submission(form, {**data, "grund_keine_beteiligung": "alter_reife"})


@pytest.mark.parametrize("ergebnis", ["akute_kwg", "latente_kwg"])
def test_required_if_list_value_means_one_of_these(ergebnis: str) -> None:
    form = parse_definition(EINSCHAETZUNG)
    errors = _errors(form, {"ergebnis": ergebnis, "tatsachen": "…"})
    assert errors == {
        "gefaehrdungsarten": [
            "Wählen Sie bei „Gefährdungsarten“ mindestens eine Antwort aus, weil bei „Ergebnis“"
            " „Akute Kindeswohlgefährdung“ oder „Latente Kindeswohlgefährdung“ gewählt wurde."
        ]
    }


@pytest.mark.parametrize("ergebnis", ["keine_kwg_hilfebedarf", "keine_kwg_kein_hilfebedarf"])
def test_required_if_list_value_other_values_do_not_require(ergebnis: str) -> None:
    form = parse_definition(EINSCHAETZUNG)
    assert validate_submission(form, {"ergebnis": ergebnis, "tatsachen": "…"}) == {
        "ergebnis": ergebnis,
        "tatsachen": "…",
    }


def test_required_if_on_a_multi_field_holds_when_the_value_is_among_the_chosen() -> None:
    form = parse_definition(EINSCHAETZUNG)
    data = {"ergebnis": "latente_kwg", "tatsachen": "…", "gefaehrdungsarten": ["vernachlaessigung", "sonstiges"]}
    assert _errors(form, data) == {
        "sonstiges_text": ["Geben Sie „Sonstige Gefährdung“ an, weil bei „Gefährdungsarten“ „Sonstiges“ gewählt wurde."]
    }
    other = {**data, "gefaehrdungsarten": ["sexuelle_gewalt"]}
    assert "sonstiges_text" not in validate_submission(form, other)


def test_cache_does_not_confuse_forms_that_differ_only_in_required_if() -> None:
    """`required_if` is left out of the hash; equality must still tell the two forms apart."""
    when_false = _form(_field("ja", "boolean"), _field("grund", "text", required=False, required_if={"ja": False}))
    when_true = _form(_field("ja", "boolean"), _field("grund", "text", required=False, required_if={"ja": True}))
    assert hash(when_false) == hash(when_true) and when_false != when_true
    assert list(_errors(when_false, {"ja": False})) == ["grund"]
    assert validate_submission(when_true, {"ja": False}) == {"ja": False}
    assert list(_errors(when_true, {"ja": True})) == ["grund"]


# --- list ------------------------------------------------------------------------------------------------


def test_list_with_valid_items_returns_list_of_dicts() -> None:
    form = parse_definition(SCHUTZPLAN)
    data = {
        "massnahmen": [{"was": " Kita täglich ", "wer": "Mutter", "bis": "2024-06-30"}],
        "ueberpruefung_am": "2024-07-01",
    }
    assert validate_submission(form, data) == {
        "massnahmen": [{"was": "Kita täglich", "wer": "Mutter", "bis": "2024-06-30"}],
        "ueberpruefung_am": "2024-07-01",
    }


@pytest.mark.parametrize("massnahmen", [..., None, []])
def test_list_required_with_min_items_one_refuses_no_items(massnahmen: object) -> None:
    form = parse_definition(SCHUTZPLAN)
    data = {"ueberpruefung_am": "2024-07-01"}
    if massnahmen is not ...:
        data["massnahmen"] = massnahmen  # type: ignore[assignment]
    assert _errors(form, data) == {"massnahmen": ["Geben Sie bei „Maßnahmen“ mindestens einen Eintrag an."]}


def test_list_item_errors_are_keyed_by_index_and_field() -> None:
    form = parse_definition(SCHUTZPLAN)
    data = {
        "ueberpruefung_am": "2024-07-01",
        "massnahmen": [
            {"was": "Kita", "wer": "", "bis": "2024-06-30"},
            {"was": "Beratung", "wer": "Vater", "bis": "30.6.24", "kosten": 5},
            "Hausbesuch",
        ],
    }
    assert _errors(form, data) == {
        "massnahmen.0.wer": ["Geben Sie „Wer“ an."],
        "massnahmen.1.bis": ["Geben Sie „Bis“ als Datum TT.MM.JJJJ an, zum Beispiel 02.03.2026."],
        "massnahmen.1.kosten": [UNKNOWN],
        "massnahmen.2": ["Senden Sie jeden Eintrag als JSON-Objekt mit den Feldern des Eintrags."],
    }


def test_list_that_is_not_a_list_is_refused() -> None:
    form = parse_definition(SCHUTZPLAN)
    errors = _errors(form, {"ueberpruefung_am": "2024-07-01", "massnahmen": {"was": "Kita"}})
    assert errors == {"massnahmen": ["Geben Sie „Maßnahmen“ als Liste von Einträgen an."]}


def test_list_min_items_counts_items() -> None:
    item = [_field("was", "text")]
    form = _form(_field("schritte", "list", fields=item, min_items=2))
    assert _errors(form, {"schritte": [{"was": "a"}]}) == {
        "schritte": ["Geben Sie bei „Schritte“ mindestens 2 Einträge an."]
    }
    assert validate_submission(form, {"schritte": [{"was": "a"}, {"was": "b"}]}) == {
        "schritte": [{"was": "a"}, {"was": "b"}]
    }


def test_required_if_inside_list_items_refers_to_sibling_item_fields() -> None:
    item = [_field("erledigt", "boolean"), _field("grund", "text", required=False, required_if={"erledigt": False})]
    form = _form(_field("schritte", "list", fields=item))
    errors = _errors(form, {"schritte": [{"erledigt": True}, {"erledigt": False}]})
    assert errors == {"schritte.1.grund": ["Geben Sie „Grund“ an, weil „Erledigt“ mit Nein beantwortet wurde."]}


# --- prefilled -------------------------------------------------------------------------------------------


def _meldung_form() -> FormDefinition:
    return _form(
        _field("zusammenfassung", "text"),
        _field("insofa_beteiligt", "boolean", prefill="insofa_beteiligt"),
        task="meldung_jugendamt",
    )


@pytest.mark.parametrize("left_out", [..., None])
def test_prefilled_value_is_kept_when_the_submission_leaves_it_out(left_out: object) -> None:
    data: dict[str, Any] = {"zusammenfassung": "x"}
    if left_out is not ...:
        data["insofa_beteiligt"] = left_out
    clean = validate_submission(_meldung_form(), data, prefilled={"insofa_beteiligt": True})
    assert clean == {"zusammenfassung": "x", "insofa_beteiligt": True}


def test_submitted_value_wins_over_prefilled() -> None:
    clean = validate_submission(
        _meldung_form(), {"zusammenfassung": "x", "insofa_beteiligt": False}, prefilled={"insofa_beteiligt": True}
    )
    assert clean["insofa_beteiligt"] is False


def test_prefilled_values_are_validated_and_unrelated_ones_ignored() -> None:
    errors = _errors(
        _meldung_form(), {"zusammenfassung": "x"}, prefilled={"insofa_beteiligt": "ja", "case_reference": "2024-000001"}
    )
    assert errors == {"insofa_beteiligt": ["Beantworten Sie „Insofa beteiligt“ mit Ja oder Nein."]}


def test_without_prefill_the_field_is_still_required() -> None:
    assert _errors(_meldung_form(), {"zusammenfassung": "x"}) == {
        "insofa_beteiligt": ["Beantworten Sie „Insofa beteiligt“ mit Ja oder Nein."]
    }


# --- definitions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [SOFORTMELDUNG, BETEILIGUNG, SCHUTZPLAN, EINSCHAETZUNG])
def test_valid_definitions_have_no_problems(raw: dict[str, Any]) -> None:
    assert check_definition(raw) == []


def _broken(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(SOFORTMELDUNG)
    change(raw)
    return raw


def _kanal(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["fields"][1]


def _grund(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["fields"][4]


KANAL = "field 'kanal':"

BROKEN = [
    ("format missing", lambda r: r.pop("format"), "'format' is missing (must be 1)"),
    ("format 2", lambda r: r.update(format=2), "'format' must be 1, not 2"),
    ("format true", lambda r: r.update(format=True), "'format' must be 1, not True"),
    ("unknown top key", lambda r: r.update(layout="wide"), "unknown key 'layout' in form definition"),
    ("task missing", lambda r: r.pop("task"), "'task' must be a non-empty string"),
    ("title blank", lambda r: r.update(title=" "), "'title' must be a non-empty string"),
    ("description not text", lambda r: r.update(description=5), "'description' must be a string"),
    ("no fields", lambda r: r.update(fields=[]), "'fields' must be a non-empty list"),
    ("fields not a list", lambda r: r.update(fields={"kanal": {}}), "'fields' must be a non-empty list"),
    ("field not an object", lambda r: r["fields"].append("kanal"), "form: field #7 must be a JSON object"),
    ("name missing", lambda r: _kanal(r).pop("name"), "form: field #2 needs a 'name'"),
    ("name upper case", lambda r: _kanal(r).update(name="Kanal"), "form: field #2 needs a 'name'"),
    ("name with dot", lambda r: _kanal(r).update(name="kanal.x"), "form: field #2 needs a 'name'"),
    ("name a keyword", lambda r: _kanal(r).update(name="class"), "form: field #2 needs a 'name'"),
    ("duplicate name", lambda r: _kanal(r).update(name="gemeldet_am"), "duplicate field name 'gemeldet_am'"),
    ("label missing", lambda r: _kanal(r).pop("label"), f"{KANAL} 'label' must be a non-empty string"),
    ("required missing", lambda r: _kanal(r).pop("required"), f"{KANAL} 'required' must be true or false"),
    ("required text", lambda r: _kanal(r).update(required="ja"), f"{KANAL} 'required' must be true or false"),
    ("help not text", lambda r: _kanal(r).update(help=["a"]), f"{KANAL} 'help' must be a string"),
    (
        "rechtsgrundlage not text",
        lambda r: _kanal(r).update(rechtsgrundlage=1),
        f"{KANAL} 'rechtsgrundlage' must be a string",
    ),
    ("unknown type", lambda r: _kanal(r).update(type="select"), f"{KANAL} unknown type 'select'"),
    ("unknown field key", lambda r: _kanal(r).update(placeholder="…"), f"{KANAL} unknown key 'placeholder'"),
    ("enum without options", lambda r: _kanal(r).pop("options"), f"{KANAL} type 'enum' needs options"),
    ("enum empty options", lambda r: _kanal(r).update(options=[]), f"{KANAL} type 'enum' needs options"),
    (
        "option not an object",
        lambda r: _kanal(r)["options"].append("fax"),
        "field 'kanal': option #4 must be a JSON object",
    ),
    (
        "option without value",
        lambda r: _kanal(r)["options"].append({"label": "Fax"}),
        "field 'kanal': option #4 needs a non-empty string 'value'",
    ),
    (
        "option without label",
        lambda r: _kanal(r)["options"].append({"value": "fax"}),
        "field 'kanal': option #4 needs a non-empty 'label'",
    ),
    (
        "option unknown key",
        lambda r: _kanal(r)["options"][0].update(default=True),
        "field 'kanal': option #1: unknown key 'default'",
    ),
    (
        "duplicate option",
        lambda r: _kanal(r)["options"].append({"value": "telefon", "label": "Tel."}),
        "field 'kanal': duplicate option value 'telefon'",
    ),
    (
        "options on text",
        lambda r: _grund(r).update(options=_opts("a")),
        "field 'grund_eltern_nicht_informiert': 'options' is only allowed for type enum or multi",
    ),
    (
        "pool on text",
        lambda r: _grund(r).update(pool="insofa"),
        "field 'grund_eltern_nicht_informiert': 'pool' is only allowed for type user",
    ),
    (
        "kollegium on text",
        lambda r: _grund(r).update(kollegium="ja_fachkraft"),
        "field 'grund_eltern_nicht_informiert': 'kollegium' is only allowed for type user",
    ),
    (
        "nur_wenn on text",
        lambda r: _grund(r).update(nur_wenn={"ergebnis": "akute_kwg"}, nur_wenn_grund="eine Gefahr besteht"),
        "field 'grund_eltern_nicht_informiert': 'nur_wenn' is only allowed for type boolean",
    ),
    (
        "nur_wenn without its reason",
        lambda r: r["fields"][3].update(nur_wenn={"ergebnis": ["akute_kwg"]}),
        "field 'eltern_informiert': 'nur_wenn' needs 'nur_wenn_grund', the reason as a German clause",
    ),
    (
        "nur_wenn empty",
        lambda r: r["fields"][3].update(nur_wenn={}, nur_wenn_grund="eine Gefahr besteht"),
        "field 'eltern_informiert': 'nur_wenn' must be a non-empty object",
    ),
    (
        "nur_wenn empty list",
        lambda r: r["fields"][3].update(nur_wenn={"ergebnis": []}, nur_wenn_grund="eine Gefahr besteht"),
        "field 'eltern_informiert': 'nur_wenn' must map names to a value or a non-empty list of values",
    ),
    (
        "min_items on text",
        lambda r: _grund(r).update(min_items=1),
        "field 'grund_eltern_nicht_informiert': 'min_items' is only allowed for type list",
    ),
    (
        "fields on text",
        lambda r: _grund(r).update(fields=[]),
        "field 'grund_eltern_nicht_informiert': 'fields' is only allowed for type list",
    ),
    (
        "empty prefill",
        lambda r: _grund(r).update(prefill=""),
        "field 'grund_eltern_nicht_informiert': 'prefill' must be a non-empty string",
    ),
    (
        "required_if unknown field",
        lambda r: _grund(r).update(required_if={"eltern": False}),
        "field 'grund_eltern_nicht_informiert': 'required_if' names unknown field 'eltern'",
    ),
    (
        "required_if not bool",
        lambda r: _grund(r).update(required_if={"eltern_informiert": "nein"}),
        "'required_if' value for boolean field 'eltern_informiert' must be true or false",
    ),
    (
        "required_if 0 for bool",
        lambda r: _grund(r).update(required_if={"eltern_informiert": 0}),
        "'required_if' value for boolean field 'eltern_informiert' must be true or false",
    ),
    (
        "required_if not an option",
        lambda r: _grund(r).update(required_if={"kanal": "fax"}),
        "'required_if' value 'fax' is not an option of field 'kanal'",
    ),
    (
        "required_if list with unknown",
        lambda r: _grund(r).update(required_if={"kanal": ["telefon", "fax"]}),
        "'required_if' value 'fax' is not an option of field 'kanal'",
    ),
    (
        "required_if empty list",
        lambda r: _grund(r).update(required_if={"kanal": []}),
        "'required_if' value for 'kanal' is an empty list",
    ),
    (
        "required_if on text",
        lambda r: _grund(r).update(required_if={"zusammenfassung": "x"}),
        "'required_if' on field 'zusammenfassung' of type 'textarea'",
    ),
    (
        "required_if on itself",
        lambda r: _grund(r).update(required_if={"grund_eltern_nicht_informiert": "x"}),
        "'required_if' cannot depend on the field itself",
    ),
    ("required_if empty", lambda r: _grund(r).update(required_if={}), "'required_if' must be a non-empty object"),
    (
        "required_if a list",
        lambda r: _grund(r).update(required_if=["eltern_informiert"]),
        "'required_if' must be a non-empty object",
    ),
    (
        "required_if and required",
        lambda r: _grund(r).update(required=True),
        "'required_if' makes no sense when 'required' is true",
    ),
]


@pytest.mark.parametrize(("change", "problem"), [(c, p) for _, c, p in BROKEN], ids=[i for i, _, _ in BROKEN])
def test_check_definition_finds_each_kind_of_problem(change: Any, problem: str) -> None:
    problems = check_definition(_broken(change))
    assert any(problem in p for p in problems), problems
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(_broken(change))
    assert caught.value.problems == problems


def _schutzplan_item(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(SCHUTZPLAN)
    change(raw["fields"][0])
    return raw


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda f: f.pop("fields"), "field 'massnahmen': 'fields' must be a non-empty list"),
        (lambda f: f.update(fields=[]), "field 'massnahmen': 'fields' must be a non-empty list"),
        (
            lambda f: f["fields"].append({"name": "was", "label": "Was", "type": "text", "required": True}),
            "duplicate field name 'massnahmen.was'",
        ),
        (
            lambda f: f["fields"][0].update(type="list", fields=[_field("x", "text")]),
            "field 'massnahmen.was': a list cannot contain another list",
        ),
        (
            lambda f: f["fields"][0].update(prefill="x"),
            "field 'massnahmen.was': 'prefill' is not allowed inside a list",
        ),
        (
            lambda f: f["fields"][0].update(required=False, required_if={"ueberpruefung_am": "x"}),
            "field 'massnahmen.was': 'required_if' names unknown field 'ueberpruefung_am'",
        ),
        (lambda f: f.update(min_items=-1), "field 'massnahmen': 'min_items' must be a whole number >= 0"),
        (lambda f: f.update(min_items=True), "field 'massnahmen': 'min_items' must be a whole number >= 0"),
        (lambda f: f.update(min_items=1.5), "field 'massnahmen': 'min_items' must be a whole number >= 0"),
    ],
)
def test_check_definition_checks_list_fields(change: Any, problem: str) -> None:
    problems = check_definition(_schutzplan_item(change))
    assert any(problem in p for p in problems), problems


def test_check_definition_reports_every_problem_not_just_the_first() -> None:
    def many(raw: dict[str, Any]) -> None:
        raw["format"] = 2
        _kanal(raw).pop("options")
        _grund(raw)["required_if"] = {"eltern": False}

    assert len(check_definition(_broken(many))) == 3


def test_check_definition_user_pool() -> None:
    assert (
        check_definition(
            {
                "format": 1,
                "task": "t",
                "title": "T",
                "fields": [_field("insofa", "user", required=False, pool="insofa")],
            }
        )
        == []
    )
    problems = check_definition({"format": 1, "task": "t", "title": "T", "fields": [_field("insofa", "user", pool="")]})
    assert problems == ["field 'insofa': 'pool' must be a non-empty string"]


@pytest.mark.parametrize(
    "raw",
    [
        None,
        1,
        "form",
        [],
        {},
        {"fields": None},
        {"fields": [None, 1, "x", []]},
        {"format": "1", "fields": [{"name": 5, "label": 5, "type": 5, "required": 5}]},
        {"fields": [{"name": "a", "type": "enum", "options": 5, "required_if": 5}]},
        {
            "fields": [
                {"name": "a", "type": "enum", "options": [None, {"value": 1, "label": None}]},
                {"name": "b", "type": "text", "required_if": {"a": [None, {}], "c": 1}},
            ]
        },
        {
            "fields": [
                {"name": "a", "type": "list", "fields": "x", "min_items": "2"},
                {"name": "b", "type": "boolean", "required_if": {"a": True}},
            ]
        },
        {"fields": [{"name": "a", "type": ["text"]}, {"name": "b", "type": "text", "required_if": {"a": "x"}}]},
    ],
)
def test_check_definition_never_raises_on_garbage(raw: object) -> None:
    problems = check_definition(raw)
    assert problems and all(isinstance(p, str) for p in problems)


def test_parse_definition_builds_frozen_hashable_dataclasses() -> None:
    form = parse_definition(SOFORTMELDUNG)
    assert form.task == "sofortmeldung_jugendamt"
    assert form.description == "Akute Gefahr: das Jugendamt sofort informieren."
    kanal = form.fields[1]
    options = (Option("telefon", "Telefon"), Option("persoenlich", "Persönlich"), Option("polizei", "Über die Polizei"))
    assert kanal == FormField(name="kanal", label="Kanal", type="enum", required=True, options=options)
    assert form.fields[3].help == "§ 8a Abs. 4 S. 2 SGB VIII"
    assert hash(form) == hash(parse_definition(copy.deepcopy(SOFORTMELDUNG)))
    with pytest.raises(AttributeError):
        kanal.required = False  # type: ignore[misc]
    schutzplan = parse_definition(SCHUTZPLAN)
    assert schutzplan.description == ""
    assert [f.name for f in schutzplan.fields[0].fields] == ["was", "wer", "bis"]
    assert schutzplan.fields[0].min_items == 1


def test_parsed_definition_does_not_share_required_if_with_the_raw_json() -> None:
    raw = copy.deepcopy(EINSCHAETZUNG)
    form = parse_definition(raw)
    raw["fields"][1]["required_if"]["ergebnis"].append("keine_kwg_hilfebedarf")
    assert form.fields[1].required_if == {"ergebnis": ["akute_kwg", "latente_kwg"]}


# --- API form ------------------------------------------------------------------------------------------


def test_form_to_api_gives_the_fields_as_interfaces_md_describes() -> None:
    api = form_to_api(parse_definition(SOFORTMELDUNG))
    assert api["title"] == "Sofortmeldung an das Jugendamt"
    assert api["description"] == "Akute Gefahr: das Jugendamt sofort informieren."
    by_name = {f["name"]: f for f in api["fields"]}
    assert by_name["gemeldet_am"] == {
        "name": "gemeldet_am",
        "label": "Gemeldet am",
        "type": "datetime",
        "required": True,
    }
    assert by_name["kanal"]["options"][0] == {"value": "telefon", "label": "Telefon"}
    assert by_name["eltern_informiert"]["help"] == "§ 8a Abs. 4 S. 2 SGB VIII"
    assert by_name["grund_eltern_nicht_informiert"]["required_if"] == {"eltern_informiert": False}
    assert "options" not in by_name["zusammenfassung"] and "help" not in by_name["zusammenfassung"]


def test_form_to_api_lists_item_fields_and_hides_server_internals() -> None:
    form = parse_definition(SCHUTZPLAN)
    massnahmen = form_to_api(form)["fields"][0]
    assert [f["name"] for f in massnahmen["fields"]] == ["was", "wer", "bis"]
    assert massnahmen["min_items"] == 1
    meldung = form_to_api(_meldung_form())["fields"][1]
    assert "prefill" not in meldung
    einschaetzung = parse_definition(EINSCHAETZUNG)
    form_to_api(einschaetzung)["fields"][1]["required_if"]["ergebnis"].append("x")  # the caller's copy
    assert einschaetzung.fields[1].required_if == {"ergebnis": ["akute_kwg", "latente_kwg"]}


# ---- the built-in form of the child's data (bpmn/builtin/forms/kind.json + engine/cases/child.py) -------------


def _child_errors(**changes: Any) -> dict[str, list[str]]:
    child = {"vorname": "Mia", "nachname": "B", "geburtsdatum": "2020-05-17", "wohnort_gemeinde": "Goch"}
    child.update(changes)
    with pytest.raises(ValidationFailed) as refused:
        validate_child({k: v for k, v in child.items() if v is not None}, date(2026, 3, 2))
    return refused.value.errors


def test_the_childs_form_is_a_builtin_form_definition():
    assert check_definition(json.loads((BUILTIN / "kind.json").read_text(encoding="utf-8"))) == []
    assert [f.name for f in child_form().fields if f.required] == [
        "vorname",
        "nachname",
        "geburtsdatum",
        "wohnort_gemeinde",
    ]


def test_the_childs_data_keeps_its_field_errors_and_messages():
    assert _child_errors(vorname=None, geschlecht="x", extra=1) == {
        "vorname": ["Geben Sie „Vorname“ an."],
        "geschlecht": [
            "Wählen Sie bei „Geschlecht“ eine der Antworten „weiblich“, „männlich“, „divers“ oder „ohne Angabe“."
        ],
        "extra": [UNKNOWN],
    }
    assert _child_errors(anschrift={"plz": "123"}) == {
        "anschrift.plz": ["Geben Sie die Postleitzahl mit fünf Ziffern an, zum Beispiel 47574."]
    }
    assert _child_errors(anschrift="Goch") == {"anschrift": [NOT_AN_OBJECT]}
    assert _child_errors(nachname="x" * 201) == {"nachname": ["„Nachname“ darf höchstens 200 Zeichen lang sein."]}
    carer = {"name": "A", "beziehung": "x" * 101, "sorgerecht": True}
    assert _child_errors(sorgeberechtigte=[carer]) == {
        "sorgeberechtigte.0.beziehung": ["„Beziehung zum Kind“ darf höchstens 100 Zeichen lang sein."]
    }


def test_the_child_is_born_and_under_18():
    assert _child_errors(geburtsdatum="2026-03-03") == {
        "geburtsdatum": ["Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an."]
    }
    assert "unter 18 Jahren" in _child_errors(geburtsdatum="2008-03-02")["geburtsdatum"][0]


def test_clean_child_data_has_the_defaults_and_the_address():
    raw = {"vorname": " Mia ", "nachname": "B", "geburtsdatum": "2008-03-03", "wohnort_gemeinde": "Goch"}
    clean = validate_child({**raw, "anschrift": {"plz": "47574", "ort": "Goch"}}, date(2026, 3, 2))
    assert clean["vorname"] == "Mia" and clean["geschlecht"] == "ohne_angabe"
    assert clean["anschrift"] == {"plz": "47574", "ort": "Goch"}


def test_a_kinder_field_is_a_top_level_list_of_objects() -> None:
    """Its entries' fields are the engine's child fields (engine/cases/siblings.py checks them with
    the case); the form validator checks the shape: a list of objects, at most `max_items`."""
    kinder = {"name": "kinder", "label": "Weitere Kinder", "type": "kinder", "required": False, "max_items": 2}
    assert check_definition({"format": 1, "task": "t", "title": "T", "fields": [kinder]}) == []
    nested = {"name": "l", "label": "L", "type": "list", "required": False, "fields": [kinder]}
    assert check_definition({"format": 1, "task": "t", "title": "T", "fields": [nested]}) == [
        "field 'l.kinder': a list cannot contain another list"
    ]
    form = parse_definition({"format": 1, "task": "t", "title": "T", "fields": [kinder]})
    entry = {"vorname": "Ben"}
    assert check_submission(form, {"kinder": [entry]}) == ({"kinder": [entry]}, {})
    assert check_submission(form, {"kinder": ["Ben"]})[1] == {
        "kinder.0": ["Senden Sie jeden Eintrag als JSON-Objekt mit den Feldern des Eintrags."]
    }
    assert check_submission(form, {"kinder": [entry] * 3})[1] == {
        "kinder": ["Geben Sie bei „Weitere Kinder“ höchstens 2 Einträge an."]
    }


def test_check_definition_user_kollegium() -> None:
    """A colleague is chosen from the case's organisation by role; not also from a network pool."""
    form = {"format": 1, "task": "t", "title": "T", "fields": [_field("zweite", "user", kollegium="ja_fachkraft")]}
    assert check_definition(form) == []
    assert parse_definition(form).fields[0].kollegium == "ja_fachkraft"
    form["fields"][0]["pool"] = "insofa"
    assert check_definition(form) == ["field 'zweite': 'kollegium' and 'pool' exclude each other"]
