"""R37: a running case handed from Jugendamt Goch to Jugendamt Kevelaer (the family moved) end to end
through the API — the receiving side sees exactly the listed data, the sender keeps a closed record,
both sides are audited, wrong targets and wrong people are refused with problem+json."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.cases.transfer import SENT
from engine.persistence import models as m
from tests.support.file_journey import EINGANG, ERSTEINSCHAETZUNG, MELDUNG, complete

HANDOVER = {
    "jugendamt": "ja-kevelaer",
    "anlass": "umzug",
    "uebergabevermerk": "Familie zieht nach Kevelaer; Verletzungen an den Armen, Hausbesuch steht aus.",
}


def _events(engine, reference):
    with engine.work() as (uow, _work):
        return [(e.type, e.payload) for e in engine.vault.read(uow.session.connection(), case_ref=reference)]


@pytest.fixture
def running(api, reported):
    """The Jugendamt Goch case of a Kita's Meldung, after its Eingang and Ersteinschätzung."""
    _kita, ja = reported
    complete(api, "goch_fk", ja, "eingang_erfassen", EINGANG)
    complete(api, "goch_fk", ja, "ersteinschaetzung", ERSTEINSCHAETZUNG)
    return ja


def test_the_receiving_jugendamt_gets_a_new_case_with_only_the_listed_data(api, world, child, running):
    earlier = world.engine.open_case(world["kevelaer_fk"], process_key="jugendamt_8a", child=child).case_id
    sender = api.call("GET", f"/cases/{running}", user="goch_fk").get_json()
    response = api.call("POST", f"/cases/{running}/abgabe", user="goch_fk", json=HANDOVER)
    assert response.status_code == 200, response.get_data(as_text=True)
    done = response.get_json()
    assert (done["status"], done["to_jugendamt"], done["reference"]) == (
        "abgeschlossen",
        "ja-kevelaer",
        sender["reference"],
    )

    # the sender: a closed record whose last entry says where the case went; nothing open, nothing armed
    closed = api.call("GET", f"/cases/{running}", user="goch_fk").get_json()
    assert closed["status"] == "abgeschlossen" and closed["open_tasks"] == []
    entries = api.call("GET", f"/cases/{running}/file", user="goch_fk").get_json()["entries"]
    assert entries[-1]["title"] == f"Fall abgegeben an Stadtjugendamt Kevelaer ({done['new_reference']})"
    with world.engine.reading() as uow:
        states = uow.session.execute(select(m.Deadline.state).where(m.Deadline.case_id == running)).scalars().all()
        received = uow.session.execute(select(m.Case).where(m.Case.reference == done["new_reference"])).scalar_one()
        new_id = received.id
    assert states and set(states) == {"closed"}

    # only the receiving Jugendamt sees the new case; it waits in the Eingang like any new case
    assert api.call("GET", f"/cases/{new_id}", user="goch_fk").status_code == 404
    view = api.call("GET", f"/cases/{new_id}", user="kevelaer_fk").get_json()
    assert view["jugendamt"]["key"] == "ja-kevelaer"
    assert [t["task"] for t in view["open_tasks"]] == ["eingang_erfassen"]
    assert view["child"]["nachname"] == child["nachname"]
    assert [f["case_id"] for f in view["fruehere_faelle"]] == [earlier]  # matched as for any new case
    file = api.call("GET", f"/cases/{new_id}/file", user="kevelaer_fk").get_json()
    [handed] = [e for e in file["entries"] if e["task"] == "abgabe_8a"]
    assert set(handed["values"]) == set(SENT)
    assert handed["values"]["uebergabevermerk"]["value"] == HANDOVER["uebergabevermerk"]
    assert handed["values"]["dringlichkeit"]["value"] == "gelb"
    assert handed["values"]["anlass"]["display"] == "Umzug der Familie (§ 86 SGB VIII)"

    # what is not listed is nowhere on the receiving side: the sender's step documentation, the Meldebogen,
    # the reporting Kita and its people (R36)
    seen = json.dumps([view, file], ensure_ascii=False)
    for unlisted in (
        ERSTEINSCHAETZUNG["begruendung"],
        EINGANG["inhalt"],
        MELDUNG["zusammenfassung"],
        MELDUNG["grund_nicht_informiert"],
        "Kita Regenbogen",
        "Kita Leitung",
        "02832 93 44-12",
        "meldung_8a",
    ):
        assert unlisted not in seen, unlisted

    # both sides audited: what went where, and the sent payload on the receiving side
    sent = dict(_events(world.engine, sender["reference"]))
    assert sent["case.transferred"]["to_case"] == done["new_reference"]
    got = dict(_events(world.engine, done["new_reference"]))
    assert got["case.transfer_received"]["from_case"] == sender["reference"]
    assert set(got["case.transfer_received"]["payload"]) == set(SENT)
    assert "case.created" in got


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ja-goch", "Der Fall liegt bereits bei diesem Jugendamt."),
        ("ja-nirgendwo", "Ein Jugendamt „ja-nirgendwo“ ist nicht bekannt."),
        ("kita-kevelaer", "„Kita Regenbogen Kevelaer“ ist kein Jugendamt."),
        ("", "Bitte wählen Sie das Jugendamt, das den Fall übernimmt."),
    ],
)
def test_wrong_targets_are_refused_and_nothing_changes(api, running, target, message):
    response = api.call("POST", f"/cases/{running}/abgabe", user="goch_fk", json={**HANDOVER, "jugendamt": target})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"]["jugendamt"][0].startswith(message)
    assert api.call("GET", f"/cases/{running}", user="goch_fk").get_json()["status"] == "offen"


def test_only_the_case_workers_of_the_cases_jugendamt_transfer_it_and_only_once(api, reported, running):
    kita, _ja = reported
    assert api.call("POST", f"/cases/{running}/abgabe", user="kevelaer_fk", json=HANDOVER).status_code == 404
    refused = api.call("POST", f"/cases/{kita}/abgabe", user="kita_leitung", json=HANDOVER)
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    missing = api.call("POST", f"/cases/{running}/abgabe", user="goch_fk", json={"jugendamt": "ja-kevelaer"})
    assert missing.status_code == 422 and set(missing.get_json()["errors"]) == {"anlass", "uebergabevermerk"}
    assert api.call("POST", f"/cases/{running}/abgabe", user="goch_leitung", json=HANDOVER).status_code == 200
    again = api.call("POST", f"/cases/{running}/abgabe", user="goch_leitung", json=HANDOVER)
    assert again.status_code == 409
