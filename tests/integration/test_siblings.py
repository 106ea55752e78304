"""Sibling cases from a step (issue 12 item 1): a `kinder` field of the fixture process `geschwister`
(tests/fixtures/bundles/geschwister) opens one linked case per child when its step is completed,
through the API — all in the step's unit of work, audited; an invalid entry refuses the step and
opens nothing; only a Jugendamt's process may carry such a field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.cases import state as case_state
from engine.cases.siblings import SIBLING, SIBLING_OF, check_siblings
from engine.forms import parse_definition
from engine.persistence import models as m
from engine.processes.bundles import bundle_from_files, load_bundle_dir
from engine.processes.validation.bundle import validate_bundle

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bundles" / "geschwister" / "1"
GOCH_CHILD = {"vorname": "Mia", "nachname": "Beispiel", "geburtsdatum": "2019-05-17", "wohnort_gemeinde": "Goch"}
SIBLINGS = [
    {"vorname": "Ben", "nachname": "Beispiel", "geburtsdatum": "2021-02-03", "geschlecht": "maennlich"},
    {
        "vorname": "Lea",
        "nachname": "Beispiel",
        "geburtsdatum": "01.09.2016",
        "wohnort_gemeinde": "Uedem",
        "anschrift": {"strasse": "Am Bach 2", "plz": "47589", "ort": "Uedem"},
    },
]
NAMED = ("vorname", "nachname", "geburtsdatum")
VISIT = {"eindruck": "Wohnung aufgeräumt, zwei weitere Kinder angetroffen."}


def _events(engine, reference: str) -> list[tuple[str, dict]]:
    with engine.work() as (uow, _work):
        return [(e.type, e.payload) for e in engine.vault.read(uow.session.connection(), case_ref=reference)]


def _version(version: int, **manifest_changes):
    """The fixture bundle as another version (or with other manifest entries)."""
    files = dict(load_bundle_dir(FIXTURE).files)
    manifest = {**json.loads(files["manifest.json"]), "version": version, **manifest_changes}
    return bundle_from_files({**files, "manifest.json": json.dumps(manifest).encode()})


def _case_count(engine) -> int:
    with engine.reading() as uow:
        return uow.session.execute(select(func.count()).select_from(m.Case)).scalar_one()


@pytest.fixture
def visit(api, world):
    """A `geschwister` case of Jugendamt Goch (child with address) and the id of its open step."""
    child = {**GOCH_CHILD, "anschrift": {"strasse": "Markt 1", "plz": "47574", "ort": "Goch"}}
    case = world.engine.open_case(world["goch_fk"], process_key="geschwister", child=child)
    task = api.call("GET", f"/cases/{case.case_id}", user="goch_fk").get_json()["open_tasks"][0]
    return case.case_id, task["id"]


def test_completing_the_step_opens_one_linked_case_per_child(api, world, visit):
    case_id, task_id = visit
    world.engine.deploy(_version(2), deployed_by="tests")  # the siblings' cases start on the newest version
    form = api.call("GET", f"/tasks/{task_id}", user="goch_fk").get_json()["form"]
    kinder = next(f for f in form["fields"] if f["type"] == "kinder")
    assert [f["name"] for f in kinder["fields"]][:3] == ["vorname", "nachname", "geburtsdatum"]
    assert kinder["max_items"] == 10 and all(f.get("zweck") for f in kinder["fields"])

    response = api.call(
        "POST", f"/tasks/{task_id}/complete", user="goch_fk", json={**VISIT, "weitere_kinder_im_haushalt": SIBLINGS}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    case = api.call("GET", f"/cases/{case_id}", user="goch_fk").get_json()
    assert case["status"] == "abgeschlossen"
    siblings = [link for link in case["links"] if link["relation"] == SIBLING]
    assert len(siblings) == 2
    ben, lea = (api.call("GET", f"/cases/{s['case_id']}", user="goch_fk").get_json() for s in siblings)
    # same process (newest version), the case's Jugendamt — also for Lea, whose Wohnort routes elsewhere
    for sibling in (ben, lea):
        assert sibling["process"]["key"] == "geschwister" and sibling["status"] == "offen"
        assert (sibling["process"]["version"], case["process"]["version"]) == (2, 1)
        assert sibling["jugendamt"] == case["jugendamt"] and case["jugendamt"]["key"] == "ja-goch"
        assert sibling["links"] == [{"case_id": case_id, "reference": case["reference"], "relation": SIBLING_OF}]
    assert ben["child"]["vorname"] == "Ben" and ben["child"]["geschlecht"] == "maennlich"
    # an entry without Wohnort and Anschrift has the household's (the case's child's)
    assert ben["child"]["wohnort_gemeinde"] == "Goch" and ben["child"]["anschrift"]["strasse"] == "Markt 1"
    assert lea["child"]["geburtsdatum"] == "2016-09-01" and lea["child"]["anschrift"]["ort"] == "Uedem"

    # audited: each new case's case.created names the sibling's case and how the Jugendamt was found;
    # the step's event names the opened cases, not the children
    for sibling in (ben, lea):
        created = dict(_events(world.engine, sibling["reference"]))["case.created"]
        assert created[SIBLING_OF] == case["reference"] and created["jugendamt"] == "ja-goch"
        assert created["jugendamt_vom_geschwisterfall"] is True
        assert created["jugendamt_ausdruecklich_gewaehlt"] is False
    completed = dict(_events(world.engine, case["reference"]))["task.completed"]
    assert completed["values"]["weitere_kinder_im_haushalt"] == [ben["reference"], lea["reference"]]
    assert "Ben" not in json.dumps(completed, ensure_ascii=False)

    # the step's history keeps the children (sealed), shown with labels in the case file
    entries = api.call("GET", f"/cases/{case_id}/file", user="goch_fk").get_json()["entries"]
    shown = json.dumps(entries, ensure_ascii=False)
    assert "Vorname: Ben" in shown and "Straße und Hausnummer: Am Bach 2" in shown
    with world.engine.reading() as uow:
        sealed = uow.session.execute(select(m.TaskHistory.values).where(m.TaskHistory.case_id == case_id)).scalar_one()
    assert b"Ben" not in sealed

    # Mia's subject access (R38): her siblings are other people, withheld; each asks for its own case
    answer = api.call(
        "POST", "/auskunft", user="goch_leitung", json={"art": "kind", **{k: GOCH_CHILD[k] for k in NAMED}}
    ).get_json()
    [mias] = [c for c in answer["faelle"] if c["aktenzeichen"] == case["reference"]]
    [siblings_item] = [i for i in mias["angaben"] if i["bezeichnung"] == "Weitere Kinder im Haushalt"]
    assert siblings_item["zurueckgehalten"] and "Ben" not in json.dumps(answer, ensure_ascii=False)


#: Invalid entries (after a valid one), each with the error it gets: all found in one submission.
INVALID = [
    (
        {"vorname": "Ben", "nachname": "Beispiel", "geburtsdatum": "2030-01-01"},
        "geburtsdatum",
        "Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an.",
    ),
    ({"vorname": "Ben", "geburtsdatum": "2021-02-03"}, "nachname", "Geben Sie „Nachname“ an."),
    (
        {"vorname": "Ben", "nachname": "B", "geburtsdatum": "2021-02-03", "anschrift": {"plz": "123"}},
        "anschrift.plz",
        "Geben Sie die Postleitzahl mit fünf Ziffern an, zum Beispiel 47574.",
    ),
    (
        {"vorname": "Ben", "nachname": "B", "geburtsdatum": "2021-02-03", "sorgeberechtigte": []},
        "sorgeberechtigte",
        "Dieses Feld gibt es im Formular nicht. Lassen Sie es weg.",
    ),
]


def test_invalid_entries_refuse_the_step_and_open_nothing(api, world, visit):
    case_id, task_id = visit
    before = _case_count(world.engine)
    body = {**VISIT, "weitere_kinder_im_haushalt": [SIBLINGS[0], *(entry for entry, _key, _message in INVALID)]}
    response = api.call("POST", f"/tasks/{task_id}/complete", user="goch_fk", json=body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    expected = {
        f"weitere_kinder_im_haushalt.{n}.{key}": [message] for n, (_entry, key, message) in enumerate(INVALID, start=1)
    }
    assert response.get_json()["errors"] == expected  # every entry's error at once, none for the valid one
    assert _case_count(world.engine) == before
    case = api.call("GET", f"/cases/{case_id}", user="goch_fk").get_json()
    assert case["links"] == [] and [t["id"] for t in case["open_tasks"]] == [task_id]


def test_the_shape_is_the_forms_a_list_of_at_most_ten_objects(api, visit):
    _case_id, task_id = visit
    for value, key, message in (
        ([SIBLINGS[0]] * 11, "", "Geben Sie bei „Weitere Kinder im Haushalt“ höchstens 10 Einträge an."),
        ([SIBLINGS[0], "Ben"], ".1", "Senden Sie jeden Eintrag als JSON-Objekt mit den Feldern des Eintrags."),
    ):
        body = {**VISIT, "weitere_kinder_im_haushalt": value}
        response = api.call("POST", f"/tasks/{task_id}/complete", user="goch_fk", json=body)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {f"weitere_kinder_im_haushalt{key}": [message]}


@pytest.mark.parametrize("kinds", [["traeger"], ["beratungsstelle"], ["jugendamt", "traeger"]])
def test_only_a_jugendamt_process_may_carry_a_kinder_field(kinds):
    problems = validate_bundle(_version(1, organisation_kinds=kinds))
    assert problems == [
        "forms/hausbesuch.json: field 'weitere_kinder_im_haushalt' of type 'kinder' opens cases at the Jugendamt;"
        " only a process whose 'organisation_kinds' is [\"jugendamt\"] may use it"
    ]
    assert validate_bundle(load_bundle_dir(FIXTURE)) == []


def test_a_case_of_another_organisation_kind_opens_no_siblings(world, child):
    """The run-time guard behind the deploy check: a Träger's case never opens a Jugendamt's case."""
    case_id = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    form = parse_definition(
        {
            "format": 1,
            "task": "t",
            "title": "T",
            "fields": [{"name": "k", "label": "K", "type": "kinder", "required": False}],
        }
    )
    with world.engine.work() as (_uow, work):
        state = case_state.load(work, work.session.get(m.Case, case_id))
        siblings, errors = check_siblings(work, state, form, {"k": [SIBLINGS[0]]})
    assert siblings.openings == () and errors == {"k": ["Fälle für Geschwister kann nur ein Jugendamt anlegen."]}
