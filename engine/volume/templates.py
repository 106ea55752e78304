"""Making the templates: every scenario worked through the real engine in the scratch world, the
state after each action captured (`capture`), with the tokens of the scratch world that clones
replace. Takes about two seconds, whatever the number of cases generated.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from sqlalchemy import select

from engine.errors import Conflict, EngineError, ValidationFailed
from engine.persistence import models as m
from engine.processes.bundles import Bundle
from engine.transactions import Work
from engine.volume.capture import CHILD_MARK, Slots, Template, capture
from engine.volume.patterns import Cutter
from engine.volume.scenarios import SCENARIOS, Scenario
from engine.volume.scratch import CHILD, JUGENDAMT, MUNICIPALITY, NETWORK, ORGANISATIONS, USERS, Scratch, Snapshot
from engine.volume.steps import Step

#: Items of the template child that the instance and the statistics carry by key (`"geburtsjahr":2017`).
KEYED_ITEMS = ("kind_geburtsmonat", "geburtsmonat", "kind_geburtsjahr", "geburtsjahr", "kind_geschlecht", "geschlecht")
_BORN = CHILD["geburtsdatum"]
_TEMPLATE_ITEMS = {
    "kind_geburtsmonat": int(_BORN[5:7]),
    "geburtsmonat": int(_BORN[5:7]),
    "kind_geburtsjahr": int(_BORN[:4]),
    "geburtsjahr": int(_BORN[:4]),
    "kind_geschlecht": CHILD["geschlecht"],
    "geschlecht": CHILD["geschlecht"],
}


def keyed(item: str, value: object) -> str:
    """A keyed item as it stands in compact JSON: `"geburtsjahr":2017`, `"geschlecht":"divers"`."""
    return f'"{item}":"{value}"' if isinstance(value, str) else f'"{item}":{value}'


def world_tokens() -> list[str]:
    """Every name of the scratch world a clone replaces."""
    tokens = [NETWORK.key, NETWORK.name, JUGENDAMT.key, JUGENDAMT.name, MUNICIPALITY, f'"{CHILD_MARK}"']
    tokens += [t for key, name, _, _ in ORGANISATIONS.values() for t in (key, name)]
    tokens += [t for username, display, _, _, telefon in USERS.values() for t in (username, display, telefon)]
    tokens += [CHILD["vorname"], CHILD["nachname"], _BORN]
    tokens += [keyed(item, value) for item, value in _TEMPLATE_ITEMS.items()]
    return tokens


def needs(scenario: Scenario) -> set[str]:
    """The processes a scenario runs: its own and, for a Meldung, the Jugendamt's."""
    ja = any(isinstance(step, Step) and step.case == "ja" for step in scenario.steps)
    return {scenario.process, "jugendamt_8a"} if ja else {scenario.process}


#: templates already made in this process, by the bundles they were made from (a second run, a test)
_MADE: dict[tuple[tuple[str, int, str], ...], list[Template]] = {}


def make_templates(bundles: Mapping[str, Bundle]) -> list[Template]:
    """The templates of every scenario whose processes `bundles` (the target's newest versions) hold;
    made once per process and set of bundles (templates are plain data, never changed by cloning)."""
    made = tuple(sorted((b.key, b.version, b.sha256) for b in bundles.values()))
    if made not in _MADE:
        _MADE[made] = _make(bundles)
    return _MADE[made]


def _make(bundles: Mapping[str, Bundle]) -> list[Template]:
    scenarios = [s for s in SCENARIOS if needs(s) <= bundles.keys()]
    if not scenarios:
        raise Conflict("Keiner der mitgelieferten Prozesse ist bereitgestellt: bitte zuerst 'schutzpfad init'.")
    with tempfile.TemporaryDirectory(prefix="schutzpfad-vorlagen-") as folder:
        scratch = Scratch(Path(folder), list(bundles.values()))
        try:
            slots = scratch.engine.tx.query(_slots)
            templates = []
            for scenario in scenarios:
                try:
                    for snapshot in scratch.run(scenario):
                        templates.append(scratch.engine.tx.query(partial(_capture, snapshot=snapshot, slots=slots)))
                except EngineError as exc:
                    versions = ", ".join(f"{b.key} v{b.version}" for b in bundles.values() if b.key in needs(scenario))
                    raise Conflict(
                        f"Die Vorlage „{scenario.key}“ lässt sich mit {versions} nicht durchlaufen: {_reason(exc)}"
                    ) from exc
        finally:
            scratch.close()
    return templates


def _reason(error: EngineError) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
    return error.detail


def _slots(work: Work) -> Slots:
    session = work.session
    user_slots = {spec[0]: slot for slot, spec in USERS.items()}
    org_slots = {spec[0]: slot for slot, spec in ORGANISATIONS.items()} | {JUGENDAMT.key: "jugendamt"}
    users = {row.id: user_slots[row.username] for row in session.execute(select(m.User)).scalars()}
    orgs = {row.id: org_slots[row.key] for row in session.execute(select(m.Organisation)).scalars()}
    definitions = {row.id: (row.key, row.version) for row in session.execute(select(m.ProcessDefinition)).scalars()}
    return Slots(users, user_slots, orgs, org_slots, definitions)


def _capture(work: Work, snapshot: Snapshot, slots: Slots) -> Template:
    """One snapshot; its cases' references and pseudonyms are tokens too."""
    rows = work.session.execute(select(m.Case.reference, m.Case.pseudonym).where(m.Case.id.in_(snapshot.case_ids)))
    names = [name for row in rows for name in row]
    return capture(work, snapshot, slots, Cutter(world_tokens() + names))
