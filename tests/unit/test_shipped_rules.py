"""Rules of the rules register (docs/rules.md) that the shipped bundles' forms enforce, tested on the
forms as shipped in bpmn/ (never an inline copy): a reason wherever a participation, the unmittelbare
Eindruck, the KKG conversation or informing the parents is skipped (R05–R08, R14), and the risk level
documented with the facts it rests on (R20). The engine validates a completion with exactly these
forms (tests/process drive them through it); here each rule is one fast check of its form."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from engine.clock import BERLIN
from engine.forms import FormDefinition, check_submission, parse_definition
from engine.shipped import BPMN_ROOT

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=BERLIN)


def shipped_form(key: str, task: str) -> FormDefinition:
    return parse_definition(json.loads((BPMN_ROOT / key / "1" / "forms" / f"{task}.json").read_text("utf-8")))


def errors(key: str, task: str, values: dict[str, Any]) -> dict[str, list[str]]:
    return check_submission(shipped_form(key, task), values, now=NOW)[1]


JA_BETEILIGUNG = {"eltern_beteiligt": True, "kind_beteiligt": True, "melder_beteiligt": True}
TRAEGER_BETEILIGUNG = {"eltern_einbezogen": True, "kind_einbezogen": True, "ergebnis": "hilfe_abgelehnt"}


@pytest.mark.parametrize("skipped", ["eltern_beteiligt", "kind_beteiligt", "melder_beteiligt"])
def test_r05_the_jugendamt_gives_a_reason_when_a_participation_is_skipped(skipped: str) -> None:
    assert errors("jugendamt_8a", "beteiligung", JA_BETEILIGUNG) == {}
    values = {**JA_BETEILIGUNG, skipped: False}
    assert list(errors("jugendamt_8a", "beteiligung", values)) == ["grund_keine_beteiligung"]
    assert errors("jugendamt_8a", "beteiligung", {**values, "grund_keine_beteiligung": "alter_reife"}) == {}


@pytest.mark.parametrize("skipped", ["eltern_einbezogen", "kind_einbezogen"])
def test_r06_the_traeger_gives_a_reason_when_a_participation_is_skipped(skipped: str) -> None:
    assert errors("traeger_8a", "beteiligung_familie", TRAEGER_BETEILIGUNG) == {}
    values = {**TRAEGER_BETEILIGUNG, skipped: False}
    assert list(errors("traeger_8a", "beteiligung_familie", values)) == ["grund_keine_beteiligung"]
    with_reason = {**values, "grund_keine_beteiligung": "gefaehrdung_des_schutzes"}
    assert errors("traeger_8a", "beteiligung_familie", with_reason) == {}


def test_r07_no_unmittelbarer_eindruck_needs_a_reason() -> None:
    values = {
        "art": "nicht_erforderlich",
        "datum": "2026-03-02T10:00:00+01:00",
        "kind_gesehen": False,
        "beobachtungen": "Keine.",
    }
    assert list(errors("jugendamt_8a", "unmittelbarer_eindruck", values)) == ["begruendung_nicht_erforderlich"]
    reasoned = {**values, "begruendung_nicht_erforderlich": "Kind am Vortag in der Klinik gesehen."}
    assert errors("jugendamt_8a", "unmittelbarer_eindruck", reasoned) == {}


def test_r08_a_kkg4_professional_gives_a_reason_when_there_was_no_conversation() -> None:
    values = {"gefuehrt": False, "ergebnis": "nicht_abgewendet"}
    assert list(errors("kkg4", "gespraech_familie", values)) == ["grund_nicht_gefuehrt"]
    assert errors("kkg4", "gespraech_familie", {**values, "grund_nicht_gefuehrt": "Vater ist der Täter."}) == {}
    assert errors("kkg4", "gespraech_familie", {**values, "gefuehrt": True}) == {}


#: (bundle, task, the answer "not informed", the reason's field, the form's other required values)
NOT_INFORMED = [
    (
        "traeger_8a",
        "meldung_jugendamt",
        {"eltern_vorab_informiert": False},
        "grund_nicht_informiert",
        {"gefaehrdungsbereiche": ["vernachlaessigung"], "zusammenfassung": "Z", "insofa_beteiligt": True},
    ),
    (
        "traeger_8a",
        "sofortmeldung_jugendamt",
        {"eltern_informiert": False},
        "grund_eltern_nicht_informiert",
        {
            "gemeldet_am": "2026-03-02T08:45:00+01:00",
            "kanal": "telefon",
            "polizei_informiert": False,
            "zusammenfassung": "Z",
        },
    ),
    (
        "kkg4",
        "mitteilung_jugendamt",
        {"betroffene_vorab_informiert": False},
        "grund_nicht_informiert",
        {"mitteilung_beabsichtigt": True, "zusammenfassung": "Z", "gefaehrdungsbereiche": ["vernachlaessigung"]},
    ),
]


@pytest.mark.parametrize(("key", "task", "not_informed", "reason", "rest"), NOT_INFORMED, ids=lambda v: str(v)[:24])
def test_r14_a_report_without_informing_the_parents_names_the_reason(
    key: str, task: str, not_informed: dict[str, bool], reason: str, rest: dict[str, Any]
) -> None:
    assert list(errors(key, task, {**rest, **not_informed})) == [reason]
    assert errors(key, task, {**rest, **not_informed, reason: "Die Gefahr geht vom Vater aus."}) == {}
    informed = {name: True for name in not_informed}
    assert errors(key, task, {**rest, **informed}) == {}


@pytest.mark.parametrize(
    ("key", "task", "level", "facts"),
    [
        ("jugendamt_8a", "ersteinschaetzung", {"dringlichkeit": "rot"}, "begruendung"),
        ("jugendamt_8a", "gefaehrdungseinschaetzung", {"ergebnis": "keine_kwg_hilfebedarf"}, "tatsachen"),
        ("traeger_8a", "leitung_informieren", {"gewichtige_anhaltspunkte": True}, "einschaetzung_leitung"),
    ],
)
def test_r20_a_risk_level_is_documented_with_the_facts_it_rests_on(
    key: str, task: str, level: dict[str, Any], facts: str
) -> None:
    form = shipped_form(key, task)
    others = {f.name for f in form.fields if f.required and f.name not in level and f.name != facts}
    found = errors(key, task, level)
    assert facts in found and set(found) == others | {facts}
