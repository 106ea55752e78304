"""A Jugendamt's own report (issue 16 item 2): a telephone call without the birth date, from an
anonymous caller. The names and the birth date may be marked unknown — by a Jugendamt only — and an
unknown birth date needs an approximate age, which never becomes a birth month of the statistics."""

from __future__ import annotations

import pytest

from engine.cases.state import statistics_variables
from engine.errors import ValidationFailed

CALL = {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 5, "wohnort_gemeinde": "Goch"}
ANONYMOUS = {
    "eingegangen_am": "2026-03-02T08:50:00+01:00",
    "kanal": "telefon",
    "meldende_stelle": "anonym",
    "anonym": True,
    "inhalt": "Anrufer ohne Namen: Kind im dritten Stock weint jede Nacht, ist etwa fünf.",
}


def test_a_call_without_birth_date_from_an_anonymous_caller_opens_a_case(steps, world):
    opened = steps.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=CALL)
    case = steps.view("goch_fk", opened.case_id)
    assert case["child"]["unbekannt"] == ["nachname", "geburtsdatum"] and "geburtsdatum" not in case["child"]
    assert case["alter_jahre"] == 5
    [row] = [r for r in steps.engine.cases(world["goch_fk"]).rows if r["id"] == opened.case_id]
    assert row["child_name"] == "Mia (unbekannt)" and row["alter_jahre"] == 5
    steps.ja_eingang(opened.case_id, ANONYMOUS)  # no reporter data: an anonymous hint is taken as well
    assert "ersteinschaetzung" in steps.open_tasks("goch_fk", opened.case_id)
    # § 99: an approximate age is not a birth month; the Statistikmeldung asks instead of guessing.
    prefill = statistics_variables(case["child"])
    assert prefill["kind_geburtsmonat"] is None and prefill["kind_geburtsjahr"] is None


@pytest.mark.parametrize(
    ("child", "field"),
    [
        ({**CALL, "alter_geschaetzt": None}, "alter_geschaetzt"),  # unknown birth date: the age is needed
        ({**CALL, "alter_geschaetzt": 19}, "alter_geschaetzt"),
        ({**CALL, "geburtsdatum": "2021-01-01"}, "geburtsdatum"),  # given and marked unknown
        ({**CALL, "unbekannt": ["nachname"]}, "geburtsdatum"),  # a known birth date is required
    ],
)
def test_unknown_fields_are_marked_and_checked(steps, world, child, field):
    with pytest.raises(ValidationFailed) as refused:
        steps.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child)
    assert field in refused.value.errors


def test_only_a_jugendamt_may_mark_the_child_unknown(steps, world, child):
    with pytest.raises(ValidationFailed) as refused:
        steps.engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "unbekannt": ["nachname"]})
    assert "unbekannt" in refused.value.errors
