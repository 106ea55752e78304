"""Completing the child's data later (issue 16 item 2): the surname and birth date of a call's child
become known; the Jugendamt holding the case adds them, audited, shown in the file by name and time,
and the approximate age gives way to the birth date. Nobody else may."""

from __future__ import annotations

import pytest

from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed

CALL = {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 5, "wohnort_gemeinde": "Goch"}
LEARNT = {"nachname": "Beispiel", "geburtsdatum": "2020-09-14", "anschrift": {"strasse": "Am Markt 3", "plz": "47574"}}


@pytest.fixture
def call(steps, world):
    return steps.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=CALL).case_id


def test_the_surname_and_birth_date_are_completed_later(steps, world, revision, call):
    changed = steps.engine.complete_details(world["goch_fk"], call, LEARNT)
    assert changed == ["nachname", "geburtsdatum", "anschrift", "alter_geschaetzt"]
    case = steps.view("goch_fk", call)
    child = case["child"]
    assert (child["nachname"], child["geburtsdatum"]) == ("Beispiel", "2020-09-14")
    assert "unbekannt" not in child and "alter_geschaetzt" not in child  # the birth date replaces the age
    assert case["alter_jahre"] == 5  # now from the birth date (2 March 2026)
    # the file names who completed what, and when
    entry = steps.engine.case_file(world["goch_fk"], call).entries[-1]
    assert entry.title == "Angaben zum Kind ergänzt" and entry.by_name
    assert entry.values["geburtsdatum"].display == "14.09.2020"
    assert entry.values["anschrift"].display == "Am Markt 3, 47574"
    [event] = steps.trail("goch_revision", call, "case.details_completed")
    assert event["payload"]["fields"] == changed
    # findable by the completed surname
    assert [r["id"] for r in steps.engine.cases(world["goch_fk"], {"q": "Beispiel"}).rows] == [call]


def test_what_is_still_unknown_stays_marked(steps, world, call):
    steps.engine.complete_details(world["goch_fk"], call, {"nachname": "Beispiel"})
    child = steps.view("goch_fk", call)["child"]
    assert child["unbekannt"] == ["geburtsdatum"] and child["alter_geschaetzt"] == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"geburtsdatum": "2030-01-01"}, "geburtsdatum"),
        ({"wohnort_gemeinde": "Kleve"}, "wohnort_gemeinde"),  # a move is a hand-over, not a correction
        ({"vorname": "Mia"}, "angaben"),  # nothing changed
        ({"anschrift": {"plz": "123"}}, "anschrift.plz"),
    ],
)
def test_wrong_details_are_refused_and_nothing_changes(steps, world, call, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        steps.engine.complete_details(world["goch_fk"], call, changes)
    assert field in refused.value.errors
    assert steps.view("goch_fk", call)["child"] == {**CALL, "geschlecht": "ohne_angabe"}


def test_only_the_jugendamt_holding_the_case_completes_it(steps, world, call):
    with pytest.raises(NotFound):  # another organisation: the case is not there
        steps.engine.complete_details(world["kita_fk"], call, LEARNT)
    kita_case = steps.engine.open_case(
        world["kita_fk"],
        process_key="traeger_8a",
        child={"vorname": "Lea", "nachname": "Muster", "geburtsdatum": "2021-01-01", "wohnort_gemeinde": "Goch"},
    ).case_id
    with pytest.raises(NotAllowed):  # a Träger's case is completed by nobody here
        steps.engine.complete_details(world["kita_fk"], kita_case, {"nachname": "Meier"})


def test_a_closed_case_is_not_completed(steps, world, call):
    handover = {"jugendamt": "ja-kevelaer", "anlass": "umzug", "uebergabevermerk": "Familie zieht nach Kevelaer."}
    steps.engine.transfer(world["goch_fk"], call, handover)  # the sender's case is closed
    with pytest.raises(Conflict):
        steps.engine.complete_details(world["goch_fk"], call, LEARNT)
