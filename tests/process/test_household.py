"""Several children of one household in a Jugendamt's own report (issue 16 item 2): one case per
child, opened together or not at all, linked as siblings, the household's data and the call entered
once; errors name the child they belong to."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from engine.persistence import models as m

HOUSEHOLD = {
    "wohnort_gemeinde": "Goch",
    "anschrift": {"strasse": "Am Markt 3", "plz": "47574", "ort": "Goch"},
    "sorgeberechtigte": [{"name": "Sandra Beispiel", "beziehung": "Mutter", "sorgerecht": True}],
}
MIA = {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 5}
BEN = {"vorname": "Ben", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 2, "geschlecht": "maennlich"}
ANONYMOUS_CALL = {
    "eingegangen_am": "2026-03-02T08:50:00+01:00",
    "kanal": "telefon",
    "meldende_stelle": "anonym",
    "anonym": True,
    "inhalt": "Anrufer ohne Namen: zwei kleine Kinder im dritten Stock schreien jede Nacht.",
}


def _open(steps, world, children, first_step=ANONYMOUS_CALL, household=HOUSEHOLD):
    return steps.engine.open_household(
        world["goch_fk"], process_key="jugendamt_8a", household=household, children=children, first_step=first_step
    )


def _case_count(world) -> int:
    with world.engine.work() as (uow, _work):
        return len(uow.session.query(m.Case).all())


def test_two_children_of_one_call_open_two_linked_cases(steps, world, revision):
    mia, ben = _open(steps, world, [MIA, BEN])
    for opened, name, age in ((mia, "Mia", 5), (ben, "Ben", 2)):
        case = steps.view("goch_fk", opened.case_id)
        assert case["child"]["vorname"] == name and case["alter_jahre"] == age
        assert case["child"]["anschrift"] == HOUSEHOLD["anschrift"]
        assert case["child"]["sorgeberechtigte"][0]["name"] == "Sandra Beispiel"
        # the call was entered once and documented in each case; each goes on to its own Ersteinschätzung
        assert steps.history("goch_fk", opened.case_id) == ["eingang_erfassen"]
        assert "ersteinschaetzung" in steps.open_tasks("goch_fk", opened.case_id)
    links = {(link["relation"], link["case_id"]) for link in steps.view("goch_fk", mia.case_id)["links"]}
    assert links == {("gleicher_haushalt", ben.case_id)}
    back = steps.view("goch_fk", ben.case_id)["links"]
    assert [(link["relation"], link["case_id"]) for link in back] == [("gleicher_haushalt", mia.case_id)]
    for opened in (mia, ben):  # each case audited on its own: opened, and its Eingang documented
        assert len(steps.trail("goch_revision", opened.case_id, "case.created")) == 1
        assert len(steps.trail("goch_revision", opened.case_id, "task.completed")) == 1


def test_an_error_in_one_child_opens_no_case_and_names_the_child(steps, world):
    with pytest.raises(ValidationFailed) as refused:
        _open(steps, world, [MIA, {**BEN, "alter_geschaetzt": None}, {"vorname": "Lea", "wohnort_gemeinde": "Kleve"}])
    errors = refused.value.errors
    assert "kinder.1.alter_geschaetzt" in errors and "kinder.0.alter_geschaetzt" not in errors
    assert "kinder.2.nachname" in errors and "kinder.2.geburtsdatum" in errors
    assert errors["kinder.2.wohnort_gemeinde"] == ["Für den Haushalt angeben, nicht je Kind."]
    assert _case_count(world) == 0


def test_an_error_in_the_call_or_the_household_opens_no_case(steps, world):
    with pytest.raises(ValidationFailed) as refused:
        _open(
            steps,
            world,
            [MIA, BEN],
            first_step={**ANONYMOUS_CALL, "kanal": "brieftaube"},
            household={**HOUSEHOLD, "anschrift": {"plz": "4757"}},
        )
    errors = refused.value.errors
    assert "eingang.kanal" in errors and errors["anschrift.plz"] == [
        "Geben Sie die Postleitzahl mit fünf Ziffern an, zum Beispiel 47574."
    ]
    assert not any(key.startswith("kinder.") for key in errors)
    assert _case_count(world) == 0


def test_a_failure_while_writing_leaves_nothing_behind(steps, world, monkeypatch):
    """All or nothing also after the checks: the second child's Eingang fails, the first case goes too."""
    from engine.cases import household

    real, calls = household.completion.complete_task, []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("Speicher voll")
        return real(*args, **kwargs)

    monkeypatch.setattr(household.completion, "complete_task", failing)
    with pytest.raises(RuntimeError):
        _open(steps, world, [MIA, BEN])
    assert _case_count(world) == 0


@pytest.mark.parametrize(
    ("children", "message"),
    [([], "Geben Sie mindestens ein Kind an."), ([MIA] * 11, "Höchstens 10 Kinder")],
)
def test_the_number_of_children_is_checked(steps, world, children, message):
    with pytest.raises(ValidationFailed) as refused:
        _open(steps, world, children)
    assert message in refused.value.errors["kinder"][0]


def test_only_a_jugendamt_reports_a_household(steps, world):
    child = {"vorname": "Mia", "nachname": "Beispiel", "geburtsdatum": "2021-04-01"}
    with pytest.raises(ValidationFailed) as refused:
        steps.engine.open_household(
            world["kita_fk"], process_key="traeger_8a", household={"wohnort_gemeinde": "Goch"}, children=[child]
        )
    assert "Jugendamt" in refused.value.errors["kinder"][0]
