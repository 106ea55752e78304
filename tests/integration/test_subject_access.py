"""R38 subject access (Art. 15 DSGVO, § 83 SGB X): `POST /api/v1/auskunft` — a Jugendamt's Leitung
produces what its Jugendamt stores about a child or a Sorgeberechtigter, across its cases, found through
the blind index, with the reporter (R36), § 65 data and third parties' data withheld; each item with its
purpose (R31); recipients and the deletion date per case; audited without the search terms."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.persistence import models as m
from tests.support import jugendamt
from tests.support.cases import complete, to_rueckmeldung
from tests.support.file_journey import reported
from tests.support.people import add_users

GUARDIANS = [
    {"name": "Anna Beispiel", "beziehung": "Mutter", "anschrift": "Markt 1, Goch", "sorgerecht": True},
    {"name": "Peter Muster", "beziehung": "Vater", "sorgerecht": True},
]
MIA = {"art": "kind", "vorname": "Mia", "nachname": "Beispielkind", "geburtsdatum": "17.05.2020"}


@pytest.fixture
def cases(api, world, child) -> dict[str, Any]:
    """Mia's Meldung from the Kita, answered by Goch with its Rückmeldung; another child's case at Goch."""
    kita, ja = reported(api, {**child, "sorgeberechtigte": GUARDIANS})
    to_rueckmeldung(world, ja)
    values = jugendamt.rueckmeldung(world, ja, anhaltspunkte_bestaetigt=False, ja_taetig=False)
    complete(world, "goch_fk", ja, "rueckmeldung_melder", values)
    other = {**child, "vorname": "Lena", "geburtsdatum": "2019-01-02", "sorgeberechtigte": GUARDIANS[1:]}
    world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=other)
    with world.engine.reading() as uow:
        return {"kita": uow.session.get(m.Case, kita).reference, "ja": uow.session.get(m.Case, ja).reference}


def _ask(api, body: dict[str, Any], user: str = "goch_leitung"):
    return api.call("POST", "/auskunft", user=user, json=body)


def test_a_child_gets_its_data_across_the_jugendamts_cases_with_the_protected_parts_withheld(api, cases) -> None:
    answer = _ask(api, MIA)
    assert answer.status_code == 200, answer.json
    assert answer.json["art"] == "kind" and answer.json["person"] == "Mia Beispielkind, geboren am 17.05.2020"
    [case] = answer.json["faelle"]  # Goch's case only: the Kita's case is the Kita's (a controller of its own)
    assert case["aktenzeichen"] == cases["ja"] and case["jugendamt"] and case["eroeffnet_am"]
    items = {(i["quelle"], i["bezeichnung"]): i for i in case["angaben"]}
    vorname = items[("Angaben zum Kind", "Vorname")]
    assert vorname["wert"] == "Mia" and vorname["zweck"].startswith("Bezeichnet das Kind eindeutig")
    assert items[("Angaben zum Kind", "Straße und Hausnummer")]["wert"] == "Markt 1"
    # the step documentation with each item's purpose (R31, from manifest_defaults.json for v1)
    dringlichkeit = next(i for i in case["angaben"] if i["bezeichnung"] == "Dringlichkeit" and i["erfasst_am"])
    assert dringlichkeit["zweck"] == "Bestimmt, wie schnell ein unmittelbarer Eindruck vom Kind gewonnen werden muss."
    # withheld: the reporter (R36, § 65) and the Sorgeberechtigte (third parties), each visibly
    withheld = [i for i in case["angaben"] if i["zurueckgehalten"]]
    assert any(i["bezeichnung"] == "Meldende Stelle" for i in withheld)
    assert any(i["bezeichnung"] == "Sorgeberechtigte" for i in withheld)
    text = json.dumps(answer.json, ensure_ascii=False)
    for secret in ("Kita Regenbogen", "Anna", "Peter", "Muster", cases["kita"], "Lena"):
        assert secret not in text
    # recipients: the Rückmeldung went to the reporter, who stays unnamed
    assert [r["an"] for r in case["empfaenger"]] == ["die meldende Stelle (Name zurückgehalten, § 65 SGB VIII)"]
    assert case["loeschung"].startswith("Der Fall läuft noch.")


def test_a_sorgeberechtigter_gets_their_own_entries_and_nothing_of_the_others(api, cases) -> None:
    answer = _ask(api, {"art": "sorgeberechtigter", "name": "anna  BEISPIEL"})
    assert answer.status_code == 200, answer.json
    [case] = answer.json["faelle"]
    assert case["aktenzeichen"] == cases["ja"]
    own = {i["bezeichnung"]: i for i in case["angaben"] if i["quelle"] == "Angaben zum Kind: Sorgeberechtigte"}
    assert own["Name"]["wert"] == "Anna Beispiel" and own["Beziehung zum Kind"]["wert"] == "Mutter"
    assert own["Name"]["zweck"].startswith("Benennt, wer an der Gefährdungseinschätzung")
    text = json.dumps(answer.json, ensure_ascii=False)
    for secret in ("Peter", "Mia", "Kita Regenbogen", "Lena"):
        assert secret not in text
    # Peter Muster is in both of Goch's cases; tokens of two people of one case are not one person
    assert len(_ask(api, {"art": "sorgeberechtigter", "name": "Peter Muster"}).json["faelle"]) == 2
    assert _ask(api, {"art": "sorgeberechtigter", "name": "Anna Muster"}).json["faelle"] == []


def test_only_a_jugendamts_leitung_asks_and_the_request_is_checked_after_who_asks(api, world, cases) -> None:
    for user in ("goch_fk", "kita_leitung", "insofa_kleve"):
        refused = _ask(api, MIA, user=user)
        assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    assert _ask(api, {"art": "x"}, user="goch_fk").status_code == 403
    assert api.call("POST", "/auskunft", user=None, json=MIA).status_code == 401
    bad = _ask(api, {"art": "kind", "vorname": " ", "nachname": "X", "geburtsdatum": "31.02.2020"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"vorname", "geburtsdatum"}
    assert _ask(api, {"art": "sorgeberechtigter"}).json["errors"] == {"name": ["Geben Sie den Namen an."]}
    # another Jugendamt's Leitung finds nothing of Goch's
    add_users(world, [("kevelaer_leitung", "ja-kevelaer", "ja_leitung")])
    assert _ask(api, MIA, user="kevelaer_leitung").json["faelle"] == []


def test_every_answer_is_audited_without_the_search_terms(api, world, cases) -> None:
    _ask(api, MIA)
    _ask(api, {"art": "sorgeberechtigter", "name": "Niemand Bekannt"})
    with world.engine.reading() as uow:
        events = list(world.engine.vault.read(uow.session.connection(), types=["person.auskunft"]))
        reads = [e.payload for e in world.engine.vault.read(uow.session.connection(), types=["case.read"])]
    assert [e.payload for e in events] == [
        {"art": "kind", "faelle": [cases["ja"]]},
        {"art": "sorgeberechtigter", "faelle": []},
    ]
    assert {"view": "auskunft"} in reads
    assert "Mia" not in repr(events) and "Niemand" not in repr(events) and "2020-05-17" not in repr(events)
