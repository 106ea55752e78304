"""A world for break-glass access (R35), shared by the engine, API and page tests: Goch's
Bereitschaftsdienst and Revision / Datenschutz, Kevelaer's Leitung, and three cases of one child —
Jugendamt Goch's own (the one break-glass may open), Jugendamt Kevelaer's and Kita Kevelaer's."""

from __future__ import annotations

from typing import Any

from tests.support.people import add_users

REASON = "Die Polizei meldet um 23 Uhr einen Einsatz in der Wohnung der Familie; Schutzplan prüfen."
COMMENT = "Der Zugriff war nötig: Einsatz der Polizei in der Nacht, nur der Fall selbst wurde gelesen."

USERS = [
    ("goch_bereitschaft", "ja-goch", "ja_bereitschaft"),
    ("goch_revision", "ja-goch", "auditor"),
    ("kevelaer_leitung", "ja-kevelaer", "ja_leitung"),
]


def arrange(world: Any, child: dict[str, Any]) -> Any:
    """`world` with USERS and the cases `goch_case`, `kevelaer_case`, `kita_case` (CaseProgress each)."""
    add_users(world, USERS)
    engine = world.engine
    world.goch_case = engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child)
    world.kevelaer_case = engine.open_case(world["kevelaer_fk"], process_key="jugendamt_8a", child=child)
    world.kita_case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    return world
