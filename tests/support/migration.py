"""The fixture process `wechsel` (tests/fixtures/migration/wechsel) in two versions, and cases of it
brought to each step: what the migration tests, the CLI test, the Verwaltung pages and the volume
run share.

Version 1: erfassen → bewerten (Mehraugen with erfassen, Frist gefaehrdungseinschaetzung) → nachfassen
→ abschliessen (Mehraugen with bewerten). Version 2 renames bewerten to einschaetzen, removes
nachfassen, adds planen after a gateway on the new required field `dringend` of erfassen, and carries
`migration.json` (nachfassen has no successor; `dringend` defaults to false). The versions are kept
out of tests/fixtures/bundles, which every test engine deploys: a case of version 1 can only be opened
before version 2 is deployed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.case_engine import CaseEngine
from engine.persistence import models as m
from engine.processes.bundles import load_bundle_dir

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "migration" / "wechsel"
KEY = "wechsel"

#: a process's steps in order: (task key, who completes it, values)
Walk = list[tuple[str, str, dict[str, Any]]]
#: version → the steps of `wechsel`
STEPS: dict[int, Walk] = {
    1: [
        ("erfassen", "kita_fk", {"notiz": "Blaue Flecken am Arm."}),
        ("bewerten", "kita_leitung", {"bewertung": "Abklären."}),
        ("nachfassen", "kita_fk", {"nachfass": "Mutter angerufen."}),
        ("abschliessen", "kita_leitung2", {"vermerk": "Erledigt."}),
    ],
    2: [
        ("erfassen", "kita_fk", {"notiz": "Blaue Flecken am Arm.", "dringend": False}),
        ("einschaetzen", "kita_leitung", {"bewertung": "Abklären."}),
        ("planen", "kita_fk", {"plan": "Gespräch mit der Mutter."}),
        ("abschliessen", "kita_leitung2", {"vermerk": "Erledigt."}),
    ],
}
V1_TASKS = [key for key, _who, _values in STEPS[1]]
#: where a case standing at a version-1 task goes on (None: it cannot migrate)
SUCCESSOR = {"erfassen": "erfassen", "bewerten": "einschaetzen", "nachfassen": None, "abschliessen": "abschliessen"}


def deploy(engine: CaseEngine, version: int) -> None:
    engine.deploy(load_bundle_dir(BUNDLES / str(version)), deployed_by="tests")


def open_at(
    world: Any, child: dict[str, Any], task: str, *, key: str = KEY, walk: Walk | None = None, opener: str = "kita_fk"
) -> int:
    """A new case of the newest deployed version of `key`, completed up to (not including) `task` along
    `walk` (default: `wechsel`'s steps of that version)."""
    engine = world.engine
    case_id = engine.open_case(world[opener], process_key=key, child=child).case_id
    version = engine.case(world[opener], case_id)["process"]["version"]
    for step, who, values in STEPS[version] if walk is None else walk:
        if step == task:
            return case_id
        complete(world, case_id, step, who, values)
    raise AssertionError(f"{task} is no step of version {version}")


def complete(world: Any, case_id: int, task: str, who: str, values: dict[str, Any]) -> None:
    open_tasks = world.engine.case(world[who], case_id)["open_tasks"]
    assert [t["task"] for t in open_tasks] == [task], open_tasks
    world.engine.complete_task(world[who], open_tasks[0]["id"], values)


def run_to_end(world: Any, case_id: int, walks: dict[int, Walk] | None = None, *, viewer: str = "kita_fk") -> list[str]:
    """Complete the case's open steps with its version's values (`walks`, default `wechsel`'s STEPS)
    until it ends; the keys completed."""
    engine = world.engine
    view = engine.case(world[viewer], case_id)
    steps = {key: (who, values) for key, who, values in (walks or STEPS)[view["process"]["version"]]}
    done = []
    while view["open_tasks"]:
        key = view["open_tasks"][0]["task"]
        who, values = steps[key]
        complete(world, case_id, key, who, values)
        done.append(key)
        view = engine.case(world[viewer], case_id)
    assert view["status"] == "abgeschlossen"
    return done


def version_of(engine: CaseEngine, case_id: int) -> int:
    with engine.reading() as uow:
        return uow.session.execute(
            select(m.ProcessDefinition.version)
            .join(m.Case, m.Case.definition_id == m.ProcessDefinition.id)
            .where(m.Case.id == case_id)
        ).scalar_one()
