"""Earlier reports on the same child: found through the blind index when a case is opened, within the
organisation only, confirmed (linked) or rejected by its case workers, audited; the index holds no
plaintext, survives a key rotation and forgets shredded cases."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.persistence import models as m
from tests.support.cases import FALLSCHILDERUNG, sofortmeldung


def _open(world, child, user="kita_fk"):
    return world.engine.open_case(world[user], process_key="traeger_8a", child=child).case_id


def _earlier(world, case_id, user="kita_fk"):
    return world.engine.case(world[user], case_id).get("fruehere_faelle")


def _events(world, kind):
    with world.engine.reading() as uow:
        return [e.payload for e in world.engine.vault.read(uow.session.connection(), types=[kind])]


@pytest.mark.parametrize(
    ("variant", "match"),
    [
        ({}, "voll"),
        ({"vorname": " MIA ", "nachname": "beispielkind"}, "voll"),
        ({"vorname": "Mya"}, "nachname"),  # a first name spelt differently
        ({"nachname": "Beispielkind-Groß"}, "nachname"),  # a double name: one part and the birth date
    ],
)
def test_a_second_report_on_the_same_child_finds_the_first(world, child, variant, match):
    first = _open(world, child)
    second = _open(world, {**child, **variant})
    [found] = _earlier(world, second)
    assert (found["case_id"], found["match"], found["state"]) == (first, match, "offen")
    reference = world.engine.case(world["kita_fk"], first)["reference"]
    assert found["reference"] == reference and found["status"] == "offen"
    assert _earlier(world, first) == []  # the earlier case is not told about the later one


@pytest.mark.parametrize(
    "variant",
    [{"geburtsdatum": "2020-05-18"}, {"nachname": "Anderskind"}, {"vorname": "Mia", "nachname": "Beispiel"}],
)
def test_another_child_is_no_match(world, child, variant):
    _open(world, child)
    assert _earlier(world, _open(world, {**child, **variant})) == []


def test_matches_stay_within_the_organisation(world, child):
    _open(world, child, user="dueren_fk")  # another Kita (another Jugendamt's area, same child data)
    assert _earlier(world, _open(world, child)) == []


def test_the_jugendamt_finds_an_earlier_meldung_on_the_same_child(world, child):
    first = sofortmeldung(world, child)
    second = sofortmeldung(world, {**child, "nachname": "Beispielkind "})
    [found] = _earlier(world, second, user="goch_fk")
    assert found["case_id"] == first and found["match"] == "voll"


def test_confirming_links_the_cases_and_is_audited_once(world, child):
    first, second = _open(world, child), _open(world, child)
    [found] = _earlier(world, second)
    world.engine.decide_earlier_case(world["kita_leitung"], second, found["id"], "bestaetigt")
    view = world.engine.case(world["kita_fk"], second)
    assert view["fruehere_faelle"][0]["state"] == "bestaetigt"
    assert {(link["case_id"], link["relation"]) for link in view["links"]} == {(first, "gleiches_kind")}
    back = world.engine.case(world["kita_fk"], first)["links"]
    assert {(link["case_id"], link["relation"]) for link in back} == {(second, "gleiches_kind")}
    [event] = _events(world, "case.match_decided")
    assert event["decision"] == "bestaetigt" and event["earlier"] == found["reference"]
    with pytest.raises(Conflict):
        world.engine.decide_earlier_case(world["kita_fk"], second, found["id"], "verworfen")


def test_rejecting_changes_the_state_only(world, child):
    _open(world, child)
    second = _open(world, child)
    [found] = _earlier(world, second)
    world.engine.decide_earlier_case(world["kita_fk"], second, found["id"], "verworfen")
    view = world.engine.case(world["kita_fk"], second)
    assert view["fruehere_faelle"][0]["state"] == "verworfen" and view["links"] == []


def test_bad_decisions_are_refused_and_change_nothing(world, child):
    _open(world, child)
    second = _open(world, child)
    [found] = _earlier(world, second)
    with pytest.raises(ValidationFailed):
        world.engine.decide_earlier_case(world["kita_fk"], second, found["id"], "vielleicht")
    with pytest.raises(NotFound):
        world.engine.decide_earlier_case(world["dueren_fk"], second, found["id"], "bestaetigt")
    with pytest.raises(NotFound):
        world.engine.decide_earlier_case(world["kita_fk"], second, found["id"] + 99, "bestaetigt")
    assert _earlier(world, second)[0]["state"] == "offen" and _events(world, "case.match_decided") == []


def test_the_insofa_sees_no_earlier_cases(world, child):
    from tests.support.cases import complete

    _open(world, child)
    second = _open(world, child)
    complete(
        world,
        "kita_fk",
        second,
        "anhaltspunkte_dokumentieren",
        {
            "beobachtungen": "Blaue Flecken.",
            "beobachtet_am": "2026-03-02T08:15:00+01:00",
            "quelle": "eigene_beobachtung",
            "akute_gefahr": False,
        },
    )
    complete(
        world,
        "kita_leitung",
        second,
        "leitung_informieren",
        {
            "gewichtige_anhaltspunkte": True,
            "einschaetzung_leitung": "Beratung nötig.",
            "fallschilderung": FALLSCHILDERUNG,
        },
    )
    assert "fruehere_faelle" not in world.engine.case(world["insofa_kleve"], second)
    # the list marker too: that the child was reported before is about the child (§ 64 Abs. 2a, R09)
    [listed] = [c for c in world.engine.cases(world["insofa_kleve"]).rows if c["id"] == second]
    assert listed["fruehere_offen"] == 0
    assert {c["id"]: c["fruehere_offen"] for c in world.engine.cases(world["kita_fk"]).rows}[second] == 1
    [found] = _earlier(world, second)
    with pytest.raises(NotAllowed):
        world.engine.decide_earlier_case(world["insofa_kleve"], second, found["id"], "bestaetigt")


def test_the_database_holds_no_name_and_no_unkeyed_hash(world, child, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file")
    _open(world, child)
    _open(world, child)
    world.engine.db.dispose()
    path = Path(database_url.removeprefix("sqlite:///"))
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    plain = ("Beispielkind", "beispielkind", "Mia", "2020-05-17")
    unkeyed = ("name:beispielkind", "voll:mia|beispielkind|2020-05-17", "nachname:beispielkind|2020-05-17")
    assert not [t for t in plain if t.encode() in data]
    for term in unkeyed:
        for digest in (hashlib.sha256(term.encode()).digest(), hashlib.sha256(term.encode()).hexdigest().encode()):
            assert digest not in data, term


def test_a_key_rotation_reindexes_every_case_and_destroys_the_old_key(world, child):
    first = _open(world, child)
    with world.engine.reading() as uow:
        old = set(uow.session.execute(select(m.ChildIndex.digest).where(m.ChildIndex.case_id == first)).scalars())
    seen = []
    report = world.engine.rotate_index_key(
        operator="test", progress=lambda done, total: seen.append((done, total)), batch=1
    )
    assert report["version"] == 2 and report["reindexed"] == 1 and report["retired"] == [1]
    assert seen == [(1, 1)]
    with world.engine.reading() as uow:
        rows = uow.session.execute(select(m.ChildIndex).where(m.ChildIndex.case_id == first)).scalars().all()
        assert {r.key_version for r in rows} == {2} and not old & {r.digest for r in rows}
        retired = uow.session.get(m.IndexKey, 1)
        assert retired is not None and retired.retired_at is not None
    second = _open(world, child)  # still found after the rotation
    assert [f["case_id"] for f in _earlier(world, second)] == [first]
    [event] = [e for e in _events(world, "key.rotated") if e.get("key") == "blind-index"]
    assert event["version"] == 2 and event["retired"] == [1]


def test_a_shredded_case_leaves_the_index(world, child, clock):
    first = _open(world, child)
    reference = world.engine.case(world["kita_fk"], first)["reference"]
    with world.engine.writing() as uow:
        uow.session.get(m.Case, first).status = "abgebrochen"
        uow.commit()
    world.engine.shred_case(reference, reason="Aufbewahrungsfrist abgelaufen", operator="test")
    with world.engine.reading() as uow:
        assert uow.session.execute(select(m.ChildIndex).where(m.ChildIndex.case_id == first)).first() is None
    assert _earlier(world, _open(world, child)) == []


def test_the_api_shows_and_decides_earlier_cases(api, world, child):
    first = _open(world, child)
    second = _open(world, child)
    view = api.call("GET", f"/cases/{second}", user="kita_fk").get_json()
    [found] = view["fruehere_faelle"]
    assert found["case_id"] == first and found["match"] == "voll"
    bad = api.call("POST", f"/cases/{second}/fruehere-faelle/{found['id']}", user="kita_fk", json={"decision": "ja"})
    assert bad.status_code == 422 and "decision" in bad.get_json()["errors"]
    done = api.call(
        "POST", f"/cases/{second}/fruehere-faelle/{found['id']}", user="kita_fk", json={"decision": "bestaetigt"}
    )
    assert done.status_code == 200 and done.get_json()["fruehere_faelle"][0]["state"] == "bestaetigt"
    twice = api.call(
        "POST", f"/cases/{second}/fruehere-faelle/{found['id']}", user="kita_fk", json={"decision": "verworfen"}
    )
    assert twice.status_code == 409
    assert (
        api.call(
            "POST", f"/cases/{second}/fruehere-faelle/{found['id']}", user="dueren_fk", json={"decision": "verworfen"}
        ).status_code
        == 404
    )


def test_the_cli_rotates_the_index_key(world, child, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from web.cli import main

    first = _open(world, child)
    monkeypatch.setattr("web.cli.audit_commands.ready_engine", lambda: (None, world.engine))
    result = CliRunner().invoke(main, ["keys", "rotate-index", "--batch", "50"])
    assert result.exit_code == 0, result.output
    assert "Version 2\t1 Fälle neu indexiert, vernichtet: 1" in result.output
    assert [f["case_id"] for f in _earlier(world, _open(world, child))] == [first]
