"""The check before a transmission (issue 16): what a step would send, to whom, and what stays —
computed by running the step without writing, so it is exactly what the completion then sends."""

from __future__ import annotations

import pytest

from engine.errors import Conflict, ValidationFailed
from tests.conftest import ORGANISATIONS
from tests.process.test_paths_traeger_8a import MELDUNG
from tests.support import jugendamt
from tests.support.cases import BEOBACHTUNG, to_meldung

KITA, GOCH = "kita_fk", "goch_fk"
ORG_NAMES = {key: name for key, name, *_ in ORGANISATIONS}


@pytest.fixture
def at_meldung(steps, child):
    """A Kita case after the consultation, the Leitung found the danger not avertable: the Meldung is next."""
    case_id = steps.open(KITA, "traeger_8a", child)["id"]
    to_meldung(steps.world, case_id)
    return case_id


def _check(steps, user, case_id, key, values):
    task = steps.open_tasks(user, case_id)[key]
    return steps.engine.check_transmission(steps.world[user], task["id"], values)


def test_the_meldung_check_names_the_jugendamt_what_is_sent_and_what_stays(steps, world, at_meldung, child):
    check = _check(steps, "kita_leitung", at_meldung, "meldung_jugendamt", MELDUNG)
    [meldung] = check.transmissions
    assert meldung.recipient == "Stadtjugendamt Goch"
    sent = {v.label: v.display for v in meldung.values.values()}
    assert sent["Zusammenfassung für das Jugendamt"] == MELDUNG["zusammenfassung"]
    assert "Körperliche Misshandlung" in sent["Gefährdungsbereiche"]
    assert {v.label: v.display for v in meldung.child.values()}["Nachname"] == child["nachname"]
    withheld = {w.title: w.fields for w in check.withheld}
    assert "Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft" in withheld  # the consultation stays
    assert "Beobachtungen" in withheld["Gewichtige Anhaltspunkte dokumentieren"]
    assert "Meldung an das Jugendamt" not in withheld  # all of the step itself is sent
    # Nothing was sent or saved by the check.
    assert "meldung_jugendamt" in steps.open_tasks("kita_leitung", at_meldung)
    assert not [lk for lk in steps.view(KITA, at_meldung)["links"]]


def test_a_case_changed_since_the_check_is_refused_and_nothing_is_sent(steps, world, at_meldung):
    check = _check(steps, "kita_leitung", at_meldung, "meldung_jugendamt", MELDUNG)
    task = steps.open_tasks("kita_leitung", at_meldung)["meldung_jugendamt"]
    with pytest.raises(Conflict):
        steps.engine.complete_task(world["kita_leitung"], task["id"], MELDUNG, case_version=check.case_version - 1)
    assert not steps.view(KITA, at_meldung)["links"]
    steps.engine.complete_task(world["kita_leitung"], task["id"], MELDUNG, case_version=check.case_version)
    assert steps.linked_case(KITA, at_meldung)


def test_the_check_refuses_invalid_values_like_the_completion(steps, at_meldung):
    with pytest.raises(ValidationFailed) as refused:
        _check(steps, "kita_leitung", at_meldung, "meldung_jugendamt", {**MELDUNG, "zusammenfassung": ""})
    assert "zusammenfassung" in refused.value.errors


def test_a_step_that_sends_nothing_has_no_check(steps, child):
    case_id = steps.open(KITA, "traeger_8a", child)["id"]
    assert _check(steps, KITA, case_id, "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": False}) is None


def test_the_rueckmeldung_carries_exactly_two_facts_to_the_reporting_kita(steps, world, at_meldung):
    steps.complete("kita_leitung", at_meldung, "meldung_jugendamt", MELDUNG)
    ja = steps.linked_case(KITA, at_meldung)
    steps.ja_eingang(ja, {"eingegangen_am": "2026-03-02T08:50:00+01:00", "meldende_stelle": "kita_kindertagespflege"})
    steps.ja_ersteinschaetzung(ja, gewichtige=False)
    values = jugendamt.rueckmeldung(steps.world, ja, anhaltspunkte_bestaetigt=True, ja_taetig=False)
    check = _check(steps, GOCH, ja, "rueckmeldung_melder", values)
    [rueckmeldung] = check.transmissions
    assert rueckmeldung.recipient == ORG_NAMES["kita-kevelaer"]
    assert sorted(rueckmeldung.values) == ["anhaltspunkte_bestaetigt", "ja_taetig"] and not rueckmeldung.child
    withheld = {w.title for w in check.withheld}
    assert {"Ersteinschätzung", "Meldung an das Jugendamt eingegangen"} <= {t.split(" (")[0] for t in withheld}
