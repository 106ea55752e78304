"""`nur_wenn` (R30): a Yes the case's findings rule out is refused with a sentence naming the field and
the reason; the condition reads a sibling field's submitted value or a case variable."""

from __future__ import annotations

from engine.forms import parse_definition
from engine.forms.plausibility import implausible

FORM = parse_definition(
    {
        "format": 1,
        "task": "massnahmen",
        "title": "Maßnahmen",
        "fields": [
            {
                "name": "familiengericht",
                "label": "Familiengericht anrufen?",
                "type": "boolean",
                "required": True,
                "nur_wenn": {"ergebnis": ["akute_kwg", "latente_kwg"]},
                "nur_wenn_grund": "eine Kindeswohlgefährdung festgestellt wurde",
            },
            {"name": "schutzplan", "label": "Schutzplan?", "type": "boolean", "required": True},
        ],
    }
)


def test_a_yes_after_no_finding_of_danger_is_refused_with_a_sentence() -> None:
    errors = implausible(FORM, {"familiengericht": True}, {"ergebnis": "keine_kwg_hilfebedarf"})
    assert errors == {
        "familiengericht": [
            "Beantworten Sie „Familiengericht anrufen?“ mit Nein: Ja ist nur möglich, wenn eine "
            "Kindeswohlgefährdung festgestellt wurde."
        ]
    }
    assert implausible(FORM, {"familiengericht": True}, {}) == errors  # no finding at all: no Yes either


def test_a_yes_with_a_finding_and_a_no_are_plausible() -> None:
    assert implausible(FORM, {"familiengericht": True}, {"ergebnis": "latente_kwg"}) == {}
    assert implausible(FORM, {"familiengericht": False}, {"ergebnis": "keine_kwg_kein_hilfebedarf"}) == {}


def test_a_sibling_fields_submitted_value_counts_before_the_case_variable() -> None:
    assert implausible(FORM, {"familiengericht": True, "ergebnis": "akute_kwg"}, {"ergebnis": "keine"}) == {}
    assert implausible(FORM, {"familiengericht": True, "ergebnis": "keine"}, {"ergebnis": "akute_kwg"}) != {}
