"""The Ablauf of a case (issue 16 item 3): a step not needed on the case's path is `entfaellt`
("entfällt"), not `offen`. traeger_8a's Leitung decides at a gateway: gewichtige Anhaltspunkte lead
to the consultation with the insoweit erfahrene Fachkraft, none lead to the Abschluss directly."""

from __future__ import annotations

import pytest

from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG, complete

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _states(world, case_id: int) -> dict[str, str]:
    return {s["task"]: s["state"] for s in world.engine.case_map(world["kita_fk"], case_id)["steps"]}


def _decided(world, child, gewichtig: bool) -> dict[str, str]:
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", case.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    before = _states(world, case.case_id)
    assert before["sofortmeldung_jugendamt"] == "entfaellt"  # no acute danger: no Sofortmeldung
    assert before["insofa_beratung"] == "offen" and before["abschluss"] == "offen"  # both branches ahead
    values = {"gewichtige_anhaltspunkte": gewichtig, "einschaetzung_leitung": "Begründet."}
    if gewichtig:
        values["fallschilderung"] = FALLSCHILDERUNG
    complete(world, "kita_leitung", case.case_id, "leitung_informieren", values)
    return _states(world, case.case_id)


def test_without_gewichtige_anhaltspunkte_the_consultation_and_the_meldung_are_not_needed(world, child):
    states = _decided(world, child, gewichtig=False)
    assert states["leitung_informieren"] == "erledigt"
    assert states["insofa_beratung"] == "entfaellt" and states["meldung_jugendamt"] == "entfaellt"
    assert "offen" not in {states[k] for k in ("insofa_beratung", "meldung_jugendamt")}


def test_with_gewichtige_anhaltspunkte_the_consultation_is_current_and_the_rest_still_ahead(world, child):
    states = _decided(world, child, gewichtig=True)
    assert states["insofa_beratung"] == "aktuell"
    assert states["meldung_jugendamt"] == "offen" and states["abschluss"] == "offen"
    skipped = {k for k, v in states.items() if v == "entfaellt"}
    assert skipped == {"sofortmeldung_jugendamt", "meldebogen_nachreichen"}, states  # the Sofortmeldung path
