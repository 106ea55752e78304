"""Case data the tests share: a Kita's first observation, and finding an open task of a case."""

from __future__ import annotations

from typing import Any

#: `anhaltspunkte_dokumentieren` of traeger_8a without acute danger.
BEOBACHTUNG: dict[str, Any] = {
    "beobachtungen": "Blaue Flecken am Oberarm, wirkt verängstigt.",
    "beobachtet_am": "2026-03-02T08:15:00+01:00",
    "quelle": "eigene_beobachtung",
    "akute_gefahr": False,
}


def open_task(world: Any, user: str, case_id: int, key: str) -> dict[str, Any]:
    """The open task `key` of a case as `user` sees it in the case view."""
    return next(t for t in world.engine.case(world[user], case_id)["open_tasks"] if t["task"] == key)
