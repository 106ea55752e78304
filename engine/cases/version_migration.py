"""Migrating running cases from one process version to another (procedures.md invariant 6, issue 12).

A running case stays on the version it started on, unless an administrator moves it explicitly:
`schutzpfad process migrate` or Verwaltung › Prozesse › Laufende Fälle migrieren. The new version's
`migration.json` says where a case standing at each old task goes on (engine/processes/migration_map.py);
the instance is rebuilt there (engine/processes/spiff/migration.py).

Each case moves in a unit of work of its own, with its `case.migrated` entry: a migration stopped
half-way (a crash, a killed process) leaves every case whole on the old version or whole on the new
one. A case that cannot move — its task has no successor, it stands at several tasks at once —
stays on the old version untouched, and the preview and the outcome say why.

What carries over: the case's data (plus the defaults of fields the new version requires earlier on),
its history and messages, links and everything else keyed by the case; the open step's deadline with
its start and instants (`deadline_arming.carry_over`); Mehraugen pairs — the history's task ids are
renamed to the new version's where the mapping renames a task, so a paired task of the new version
finds who completed its counterpart (titles stay as they were when the step was done).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import list_order
from engine.cases import state as case_state
from engine.deadlines import arming as deadline_arming
from engine.errors import NotFound, ValidationFailed
from engine.persistence import models as m
from engine.processes.catalog import LoadedProcess
from engine.processes.migration_map import MigrationMap
from engine.processes.spiff.migration import CannotMigrate, Rebuilt, position, rebuild
from engine.transactions import Work


@dataclass(frozen=True)
class Versions:
    """The two versions of a migration and the map between them (the newer version's)."""

    source: LoadedProcess
    target: LoadedProcess
    mapping: MigrationMap


@dataclass(frozen=True)
class Outcome:
    """One case: migrated (or migratable, in a preview) when `reason` is None."""

    case_id: int
    reference: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def versions(work: Work, key: str, source: int, target: int) -> Versions:
    """Both deployed versions; refused (422) when either is missing or the target carries no
    migration map from the source."""
    catalog, session = work.catalog, work.session
    found = {v: catalog.definition(session, key, v) for v in (source, target)}
    missing = [str(v) for v, d in found.items() if d is None]
    if missing:
        raise NotFound(f"Prozess {key}: Version {', '.join(missing)} ist nicht bereitgestellt.")
    loaded = {v: catalog.load(session, d.id) for v, d in found.items() if d is not None}
    mapping = loaded[target].migration
    if mapping is None or mapping.from_version != source:
        raise ValidationFailed(
            {"to": [f"Version {target} von {key} beschreibt keine Migration von Version {source} (migration.json)."]}
        )
    return Versions(loaded[source], loaded[target], mapping)


def running_cases(work: Work, source: LoadedProcess, references: Sequence[str] = ()) -> list[tuple[int, str]]:
    """(id, reference) of the running cases on `source`, oldest first; only those named, if any are."""
    stmt = select(m.Case.id, m.Case.reference).where(
        m.Case.definition_id == source.definition_id, m.Case.status == case_state.OPEN
    )
    if references:
        stmt = stmt.where(m.Case.reference.in_(references))
    return [(case_id, reference) for case_id, reference in work.session.execute(stmt.order_by(m.Case.id))]


def unknown_references(work: Work, source: LoadedProcess, references: Sequence[str]) -> list[Outcome]:
    """The named cases that are not running on `source` (the CLI reports them like a refused case)."""
    found = {r for _id, r in running_cases(work, source, references)}
    return [
        Outcome(0, r, f"Kein laufender Fall dieses Prozesses in Version {source.version}.")
        for r in dict.fromkeys(references)
        if r not in found
    ]


def check(work: Work, case_id: int, chosen: Versions) -> Outcome:
    """Whether the case would migrate, computed exactly as the migration does; nothing is written."""
    case = work.session.get(m.Case, case_id)
    assert case is not None
    try:
        _rebuilt(work, case, chosen)
    except CannotMigrate as refused:
        return Outcome(case.id, case.reference, str(refused))
    return Outcome(case.id, case.reference)


def migrate(work: Work, case_id: int, chosen: Versions, *, reason: str, operator: str) -> Outcome:
    """Move one case onto the target version in this unit of work and record `case.migrated`; a case
    that cannot move is left as it was (the outcome says why)."""
    session = work.session
    case = case_state.lock_case(session, case_id)
    assert case is not None
    try:
        rebuilt, state = _rebuilt(work, case, chosen)
    except CannotMigrate as refused:
        return Outcome(case.id, case.reference, str(refused))
    old, new = rebuilt.old_step, rebuilt.new_step
    renamed = {a: b for a, b in chosen.mapping.tasks.items() if a != b}
    for before, after in renamed.items():
        session.execute(
            update(m.TaskHistory)
            .where(m.TaskHistory.case_id == case.id, m.TaskHistory.task_key == before)
            .values(task_key=after)
        )
    session.execute(update(m.Case).where(m.Case.id == case.id).values(definition_id=chosen.target.definition_id))
    migrated = case_state.CaseState(case, chosen.target, rebuilt.instance, version=state.version)
    case_state.save(work, migrated)
    deadline_arming.carry_over(work, case.id, old.id, new.id)
    list_order.refresh(session, case.id)  # the carried-over due instant is the list's too
    defaults = sorted(k for k in chosen.mapping.defaults if k not in old.data)
    record(
        work,
        EventType.CASE_MIGRATED,
        actor=None,
        actor_name=operator,
        case=case,
        payload={
            "process": chosen.target.key,
            "from_version": chosen.source.version,
            "to_version": chosen.target.version,
            "reason": reason,
            "task": {"from": old.key, "to": new.key},
            "defaults": defaults,
        },
    )
    return Outcome(case.id, case.reference)


def _rebuilt(work: Work, case: m.Case, chosen: Versions) -> tuple[Rebuilt, case_state.CaseState]:
    if case.definition_id != chosen.source.definition_id or case.status != case_state.OPEN:
        raise CannotMigrate(f"Der Fall läuft nicht (mehr) auf Version {chosen.source.version}.")
    state = case_state.load(work, case)
    where = position(state.instance)
    node = chosen.mapping.tasks.get(where.key)
    if node is None:
        raise CannotMigrate(
            f"Der Schritt „{where.title or where.key}“ hat in Version {chosen.target.version} keine Entsprechung."
        )
    return rebuild(state.instance, chosen.target.parsed, node, chosen.mapping.defaults), state
