"""The case file (`GET /api/v1/cases/{id}/file`) per role: each sees exactly what the rules say,
withheld fields are named and never leaked; a confirmation shows what it confirms and a stale one is
refused with 409, changing nothing."""

from __future__ import annotations

import json

import pytest

from tests.support.cases import BEOBACHTUNG
from tests.support.file_journey import (
    BERATUNG,
    EINGANG,
    ERSTEINSCHAETZUNG,
    LEITUNG,
    MELDUNG,
    VORGEHEN,
    complete,
    task_id,
)

#: role × task → the fields the role sees in the Träger's case file (None: the case is not theirs: 404)
TRAEGER_FILE = {
    "kita_fk": {
        "anhaltspunkte_dokumentieren": set(BEOBACHTUNG),
        "leitung_informieren": set(LEITUNG),
        "insofa_beratung": set(BERATUNG),
        "vorgehen_festlegen": set(VORGEHEN),
        "meldung_jugendamt": set(MELDUNG) | {"insofa_beteiligt"},  # prefilled by the server
    },
    "insofa_kleve": {  # § 64 Abs. 2a SGB VIII: the Fallschilderung and her own record, nothing else
        "anhaltspunkte_dokumentieren": set(),
        "leitung_informieren": {"fallschilderung"},
        "insofa_beratung": set(BERATUNG),
        "vorgehen_festlegen": set(),
        "meldung_jugendamt": set(),
    },
    "goch_fk": None,  # the Jugendamt reads the Meldebogen in its own case, never the Träger's file
    "dueren_fk": None,
    "kita_admin": None,
    "kita_revision": None,  # auditors read the trail with a reason, not the file
}


@pytest.mark.parametrize("user", sorted(TRAEGER_FILE))
def test_each_role_sees_exactly_its_part_of_the_traeger_file(api, reported, child, user):
    kita, _ = reported
    response = api.call("GET", f"/cases/{kita}/file", user=user)
    expected = TRAEGER_FILE[user]
    if expected is None:
        assert response.status_code == 404
        return
    body = response.get_json()
    steps = {e["task"]: e for e in body["entries"] if e["kind"] == "schritt"}
    assert set(steps) == set(expected)
    for task, visible in expected.items():
        entry = steps[task]
        assert set(entry["values"]) == visible, task
        assert set(entry["withheld"]) == TRAEGER_FILE["kita_fk"][task] - visible, task  # named, never shown
    if user == "insofa_kleve":
        text = json.dumps(body, ensure_ascii=False)
        secrets = (child["vorname"], child["nachname"], BEOBACHTUNG["beobachtungen"], LEITUNG["einschaetzung_leitung"])
        assert not [secret for secret in secrets if secret in text]
        assert set(steps["anhaltspunkte_dokumentieren"]["withheld"]) == set(BEOBACHTUNG)


def test_values_come_with_labels_option_titles_and_names(api, reported):
    kita, _ = reported
    body = api.call("GET", f"/cases/{kita}/file", user="kita_leitung").get_json()
    entry = next(e for e in body["entries"] if e["task"] == "anhaltspunkte_dokumentieren")
    assert entry["by"] == {"name": "Kita Fk", "organisation": "Kita Regenbogen Kevelaer"}
    assert entry["values"]["akute_gefahr"]["display"] == "Nein"
    assert entry["values"]["beobachtet_am"]["display"] == "02.03.2026, 08:15 Uhr"
    assert entry["values"]["quelle"]["display"] != "eigene_beobachtung"  # the option's title, not its key
    meldung = next(e for e in body["entries"] if e["task"] == "meldung_jugendamt")
    assert meldung["values"]["gefaehrdungsbereiche"]["label"] != "gefaehrdungsbereiche"
    [link] = body["links"]
    assert link["relation"] == "meldung_an" and link["may_open"] is False  # the Jugendamt's case


def test_the_jugendamt_reads_the_whole_meldebogen_and_nothing_internal(api, reported, child):
    _, ja = reported
    body = api.call("GET", f"/cases/{ja}/file", user="goch_fk").get_json()
    [meldebogen] = [e for e in body["entries"] if e["kind"] == "nachricht"]
    values = meldebogen["values"]
    assert set(MELDUNG) <= set(values) and {"melder", "bezug"} <= set(values)
    assert values["grund_nicht_informiert"]["display"] == MELDUNG["grund_nicht_informiert"]
    assert "Kita Regenbogen Kevelaer" in values["melder"]["display"]
    assert "Ansprechperson: Kita Leitung" in values["melder"]["display"]
    assert "Telefon: 02832 93 44-12" in values["melder"]["display"]  # to call the reporting person back
    assert "kita-kevelaer" not in values["melder"]["display"]  # routing keys are not for people
    assert values["melder_typ"]["display"] == "§ 8a Abs. 4 SGB VIII (Träger der Jugendhilfe)"
    assert meldebogen["title"].startswith("Meldung an das Jugendamt eingegangen")
    assert meldebogen["by"]["organisation"] == "Kita Regenbogen Kevelaer" and meldebogen["withheld"] == []
    text = json.dumps(body, ensure_ascii=False)
    assert BEOBACHTUNG["beobachtungen"] not in text and LEITUNG["einschaetzung_leitung"] not in text
    assert BERATUNG["empfehlung"] not in text


def test_the_eingang_is_prefilled_with_the_senders_category_as_meldende_stelle(api, reported):
    _, ja = reported
    task = api.call("GET", f"/tasks/{task_id(api, 'goch_fk', ja, 'eingang_erfassen')}", user="goch_fk").get_json()
    assert task["data"]["meldende_stelle"] == "kita_kindertagespflege"  # the Kita's category (§ 99 Abs. 6)
    assert task["data"]["kanal"] == "meldung_traeger"


def test_reading_the_file_is_audited(api, world, reported):
    kita, _ = reported
    api.call("GET", f"/cases/{kita}/file", user="kita_fk")
    api.call("GET", f"/cases/{kita}/file", user="dueren_fk")
    with world.engine.reading() as uow:
        events = list(world.engine.vault.read(uow.session.connection(), types=["case.read", "access.denied"]))
    views = [(e.type, e.payload.get("view")) for e in events if e.payload.get("view") == "file"]
    assert views == [("case.read", "file"), ("access.denied", "file")]


def test_a_confirmation_shows_what_it_confirms_and_refuses_a_stale_digest(api, world, reported):
    _, ja = reported
    complete(api, "goch_fk", ja, "eingang_erfassen", EINGANG)
    complete(api, "goch_fk", ja, "ersteinschaetzung", ERSTEINSCHAETZUNG)
    confirmation = task_id(api, "goch_fk2", ja, "ersteinschaetzung_bestaetigen")
    task = api.call("GET", f"/tasks/{confirmation}", user="goch_fk2").get_json()
    [confirmed] = [e for e in task["basis"] if e["ref"] in task["bestaetigt"]]
    assert confirmed["task"] == "ersteinschaetzung"
    assert confirmed["values"]["begruendung"]["display"] == ERSTEINSCHAETZUNG["begruendung"]
    first = task["grundlage_sha256"]
    assert len(first) == 64
    # "Nein": the Ersteinschätzung is done again, differently
    complete(
        api,
        "goch_fk2",
        ja,
        "ersteinschaetzung_bestaetigen",
        {"bestaetigt": False, "anmerkung": "Zu niedrig."},
        digest=first,
    )
    complete(api, "goch_fk", ja, "ersteinschaetzung", {**ERSTEINSCHAETZUNG, "dringlichkeit": "rot"})
    before = api.call("GET", f"/cases/{ja}", user="goch_fk").get_json()
    stale = complete(api, "goch_fk2", ja, "ersteinschaetzung_bestaetigen", {"bestaetigt": True}, 409, digest=first)
    assert "geändert" in stale["detail"]
    after = api.call("GET", f"/cases/{ja}", user="goch_fk").get_json()
    assert after["history"] == before["history"] and after["open_tasks"] == before["open_tasks"]
    fresh = api.call("GET", f"/tasks/{task_id(api, 'goch_fk2', ja, 'ersteinschaetzung_bestaetigen')}", user="goch_fk2")
    digest = fresh.get_json()["grundlage_sha256"]
    assert digest != first
    complete(api, "goch_fk2", ja, "ersteinschaetzung_bestaetigen", {"bestaetigt": True}, digest=digest)
    with world.engine.reading() as uow:
        completed = [
            e.payload
            for e in world.engine.vault.read(uow.session.connection(), types=["task.completed"])
            if e.payload["task"] == "ersteinschaetzung_bestaetigen"
        ]
    assert [p["grundlage_sha256"] for p in completed] == [first, digest]  # an auditor can prove what was confirmed


def test_init_completes_the_file_of_cases_documented_before_it_existed(api, world, reported):
    """Rows of a database from before migration 0007: no sealed values, no kept Meldebogen."""
    from engine.cases.file_backfill import fill_case_file
    from engine.persistence import models as m

    kita, ja = reported
    before = {
        case: api.call("GET", f"/cases/{case}/file", user=user).get_json()
        for case, user in ((kita, "kita_fk"), (ja, "goch_fk"))
    }
    with world.engine.writing() as uow:
        uow.session.query(m.TaskHistory).update({"values": None})
        uow.session.query(m.CaseMessage).filter_by(case_id=ja).delete()
        uow.commit()
    assert api.call("GET", f"/cases/{ja}/file", user="goch_fk").get_json()["entries"] == []
    assert world.engine.tx.command(fill_case_file) == 2
    after = {
        case: api.call("GET", f"/cases/{case}/file", user=user).get_json()
        for case, user in ((kita, "kita_fk"), (ja, "goch_fk"))
    }

    def without_message_ids(file):  # the Meldebogen is kept again under a new row id
        return [{**e, "ref": e["kind"]} if e["kind"] == "nachricht" else e for e in file["entries"]]

    for case in (kita, ja):
        assert without_message_ids(after[case]) == without_message_ids(before[case])
    assert world.engine.tx.command(fill_case_file) == 0  # idempotent
