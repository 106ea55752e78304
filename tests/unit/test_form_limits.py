"""Field limits of the form engine (issue 13, finding 8): text length, list sizes, blank names,
control characters, integers beyond 64 bits — refused with German messages naming the field."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.bootstrap import BPMN_ROOT
from engine.cases.child import check_child
from engine.clock import BERLIN
from engine.errors import ValidationFailed
from engine.forms import check_definition, form_to_api, parse_definition, validate_submission
from engine.forms.limits import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH
from engine.processes.bundles import load_bundle_dir
from engine.processes.catalog import _load_bundle

CARER = {"name": "Anna Muster", "beziehung": "Mutter", "sorgerecht": True}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN)


def _form(**extra):
    return parse_definition(
        {
            "format": 1,
            "task": "t",
            "title": "T",
            "fields": [
                {"name": "name", "label": "Name", "type": "text", "required": True},
                {"name": "notiz", "label": "Notiz", "type": "textarea", "required": False},
                {"name": "anzahl", "label": "Anzahl", "type": "integer", "required": False},
                {
                    "name": "personen",
                    "label": "Personen",
                    "type": "list",
                    "required": False,
                    "fields": [{"name": "wer", "label": "Wer", "type": "text", "required": True}],
                    **extra,
                },
            ],
        }
    )


def _errors(values, form=None):
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(form or _form(), {"name": "Mia", **values})
    return refused.value.errors


def test_text_longer_than_the_limit_is_refused_naming_the_field():
    assert _errors({"notiz": "x" * 1_000_000}) == {"notiz": ["„Notiz“ darf höchstens 20.000 Zeichen lang sein."]}
    assert _errors({"name": "x" * (DEFAULT_MAX_LENGTH["text"] + 1)}) == {
        "name": ["„Name“ darf höchstens 500 Zeichen lang sein."]
    }
    assert validate_submission(_form(), {"name": "x" * 500, "notiz": "y" * 20_000})["name"] == "x" * 500


def test_lists_longer_than_the_limit_are_refused_before_their_items_are_checked():
    assert _errors({"personen": [{}] * 20_000}) == {
        "personen": [f"Geben Sie bei „Personen“ höchstens {DEFAULT_MAX_ITEMS} Einträge an."]
    }
    assert _errors({"personen": [{"wer": "a"}] * 4}, _form(max_items=3)) == {
        "personen": ["Geben Sie bei „Personen“ höchstens 3 Einträge an."]
    }


@pytest.mark.parametrize("blank", ["   ", "\u00a0\u3000", "\u200b\u200b", "\t\u2060"])
def test_a_name_without_a_visible_character_counts_as_not_given(blank):
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(_form(), {"name": blank})
    assert refused.value.errors == {"name": ["Geben Sie „Name“ an."]}


@pytest.mark.parametrize("text", ["Mi\x00a", "Mia\x1b[31m", "Mi\na", "Mia\x7f", "Mi\u0085a"])
def test_control_characters_are_refused_in_names(text):
    assert _errors({"name": text}) == {
        "name": ["„Name“ enthält Steuerzeichen (z. B. NUL, Zeilenumbrüche). Bitte nur Text eingeben."]
    }


def test_a_textarea_keeps_line_breaks_and_tabs_but_no_nul():
    assert validate_submission(_form(), {"name": "Mia", "notiz": "a\r\n\tb"})["notiz"] == "a\r\n\tb"
    assert _errors({"notiz": "a\x00b"}) == {
        "notiz": ["„Notiz“ enthält Steuerzeichen (z. B. NUL). Bitte nur Text eingeben."]
    }


def test_integers_beyond_64_bits_are_refused():
    assert _errors({"anzahl": 2**63}) == {
        "anzahl": ["Die Zahl bei „Anzahl“ ist zu groß oder zu klein. Geben Sie höchstens 18 Ziffern an."]
    }
    assert validate_submission(_form(), {"name": "Mia", "anzahl": 2**63 - 1})["anzahl"] == 2**63 - 1


def test_a_form_may_set_its_limits_within_bounds():
    def problems(**extra):
        field = {"name": "f", "label": "F", "type": "text", "required": False, **extra}
        return check_definition({"format": 1, "task": "t", "title": "T", "fields": [field]})

    assert problems(max_length=80) == []
    assert problems(max_length=0) == ["field 'f': 'max_length' must be a whole number from 1 to 100000"]
    assert problems(max_items=3) == ["field 'f': 'max_items' is only allowed for type list or kinder"]
    form = parse_definition(
        {
            "format": 1,
            "task": "t",
            "title": "T",
            "fields": [{"name": "f", "label": "F", "type": "text", "required": True, "max_length": 3}],
        }
    )
    with pytest.raises(ValidationFailed):
        validate_submission(form, {"f": "abcd"})


def test_the_childs_carers_are_bounded():
    _, errors = check_child(
        {
            "vorname": "Mia",
            "nachname": "B",
            "geburtsdatum": "2020-05-17",
            "wohnort_gemeinde": "Goch",
            "sorgeberechtigte": [CARER] * 20_000,
        },
        NOW.date(),
    )
    assert errors == {"sorgeberechtigte": ["Geben Sie bei „Sorgeberechtigte“ höchstens 10 Einträge an."]}
    _, errors = check_child(
        {"vorname": "M\x00ia", "nachname": "\u00a0", "geburtsdatum": "2020-05-17", "wohnort_gemeinde": "Goch"},
        NOW.date(),
    )
    assert errors == {
        "vorname": ["„Vorname“ enthält Steuerzeichen (z. B. NUL, Zeilenumbrüche). Bitte nur Text eingeben."],
        "nachname": ["Geben Sie „Nachname“ an."],
    }


@pytest.mark.parametrize(
    ("task", "field", "value"),
    [
        ("inobhutnahme_dokumentieren", "beginn", "2099-01-01T08:00:00+01:00"),
        ("anrufung_familiengericht", "angerufen_am", "2099-01-01"),
    ],
)
def test_the_jugendamts_events_may_not_be_dated_after_the_engines_clock(task, field, value):
    form = _load_bundle(1, load_bundle_dir(BPMN_ROOT / "jugendamt_8a" / "1")).task(task).form
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(form, {field: value}, now=NOW)
    assert "Zukunft" in refused.value.errors[field][0]


def test_the_form_tells_clients_the_limits():
    fields = {f["name"]: f for f in form_to_api(_form(max_items=3))["fields"]}
    assert fields["name"]["max_length"] == 500 and fields["notiz"]["max_length"] == 20_000
    assert fields["personen"]["max_items"] == 3 and "max_length" not in fields["anzahl"]
