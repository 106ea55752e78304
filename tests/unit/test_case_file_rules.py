"""The case file's rules as plain functions: who sees which fields (declared, deny by default), what
a step rests on, and values as people read them."""

from __future__ import annotations

import pytest

from engine.cases.file_values import display_value
from engine.forms.definition import FormField, Option
from engine.processes.file_rules import basis_problems, parse_visibility, visibility_problems

TASKS = {"anhaltspunkte_dokumentieren", "insofa_beratung"}
FIELDS = {"beobachtungen", "einschaetzung", "empfehlung"}


def test_a_valid_visibility_declaration_has_no_problems():
    value = {"insofa_beratung": {"beratung": "*"}, "anhaltspunkte_dokumentieren": {"beratung": ["beobachtungen"]}}
    assert visibility_problems(value, TASKS, FIELDS) == []
    parsed = parse_visibility(value)
    assert parsed["insofa_beratung"]["beratung"] is None  # every field
    assert parsed["anhaltspunkte_dokumentieren"]["beratung"] == frozenset({"beobachtungen"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], "must be an object"),
        ({"unbekannt": {"beratung": "*"}}, "'unbekannt' is not a user task"),
        ({"insofa_beratung": {"fall": "*"}}, "unknown audience 'fall'"),
        ({"insofa_beratung": {"admin": "*"}}, "unknown audience 'admin'"),
        ({"insofa_beratung": {"beratung": "alles"}}, "must be a list of field names"),
        ({"insofa_beratung": {"beratung": ["vorname"]}}, "unknown field 'vorname'"),
        ({"insofa_beratung": "*"}, "must be an object"),
    ],
)
def test_visibility_problems_name_what_is_wrong(value, expected):
    problems = visibility_problems(value, TASKS, FIELDS)
    assert problems and expected in " ".join(problems)


def test_basis_problems():
    assert basis_problems({"insofa_beratung": ["anhaltspunkte_dokumentieren"]}, TASKS) == []
    assert "not a user task" in basis_problems({"insofa_beratung": ["gibtsnicht"]}, TASKS)[0]
    assert "list of task ids" in basis_problems({"insofa_beratung": "anhaltspunkte_dokumentieren"}, TASKS)[0]


ENUM = FormField(
    name="quelle", label="Quelle", type="enum", options=(Option("eigene_beobachtung", "Eigene Beobachtung"),)
)
MULTI = FormField(
    name="bereiche",
    label="Bereiche",
    type="multi",
    options=(Option("koerperlich", "Körperliche Misshandlung"), Option("vernachlaessigung", "Vernachlässigung")),
)


@pytest.mark.parametrize(
    ("form_field", "value", "shown"),
    [
        (None, True, "Ja"),
        (None, False, "Nein"),
        (None, None, "—"),
        (ENUM, "eigene_beobachtung", "Eigene Beobachtung"),
        (MULTI, ["koerperlich", "vernachlaessigung"], "Körperliche Misshandlung, Vernachlässigung"),
        (FormField(name="d", label="D", type="date"), "2026-03-02", "02.03.2026"),
        (FormField(name="t", label="T", type="datetime"), "2026-03-02T07:15:00+00:00", "02.03.2026, 08:15 Uhr"),
        (FormField(name="t", label="T", type="datetime"), "2026-07-02T07:15:00+00:00", "02.07.2026, 09:15 Uhr"),
        (FormField(name="u", label="U", type="user"), "insofa_kleve", "Insofa Kleve"),
        (None, {"organisation_name": "Kita", "kontakt": "Frau A"}, "Organisation: Kita; Ansprechperson: Frau A"),
        (FormField(name="x", label="X", type="text"), "kein Datum", "kein Datum"),
    ],
)
def test_values_as_people_read_them(form_field, value, shown):
    assert display_value(form_field, value, lambda username: username.replace("_", " ").title()) == shown
