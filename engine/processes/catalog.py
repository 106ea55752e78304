"""Deployed process versions: deploy once, never change, parse once per node.

A version is stored with all its bundle files (so every node of a multi-node installation runs the
same bytes) and parsed lazily into a `LoadedProcess` that all instances of that version share.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import DefinitionInvalid, NotFound, ValidationFailed
from engine.forms import FormDefinition, parse_definition
from engine.persistence import models as m
from engine.processes.bundles import Bundle, bundle_from_files
from engine.processes.form_defaults import amended_form
from engine.processes.manifest import Manifest
from engine.processes.migration_map import MigrationMap, read_migration, source_problems
from engine.processes.spiff import ParsedProcess, parse_process
from engine.processes.validation.bundle import validate_bundle


@dataclass(frozen=True)
class UserTaskSpec:
    """What the engine needs to know of one user task of a version."""

    key: str
    title: str
    lane: str
    form: FormDefinition
    properties: Mapping[str, str]
    #: messages the step may send to another organisation (see `UserTaskInfo.sends`)
    sends: tuple[str, ...] = ()

    @property
    def paired_tasks(self) -> tuple[str, ...]:
        """Mehraugenprinzip: tasks whose completer may not complete this one."""
        raw = self.properties.get("vier_augen", "")
        return tuple(p.strip() for p in raw.split(",") if p.strip())

    def prefilled_values(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Values the server offers for the form (fields with `prefill`), kept when a completion omits them."""
        return {f.name: data[f.prefill] for f in self.form.fields if f.prefill and data.get(f.prefill) is not None}


@dataclass(frozen=True)
class LoadedProcess:
    definition_id: int
    key: str
    version: int
    title: str
    manifest: Manifest
    #: the port's parsed spec: new and loaded instances of this version are built from it
    parsed: ParsedProcess
    user_tasks: Mapping[str, UserTaskSpec]
    #: how cases of an older version move onto this one (`migration.json`), if the bundle says
    migration: MigrationMap | None = None

    def lane_roles(self, lane: str) -> frozenset[str]:
        return self.manifest.lane_roles(lane)

    def task(self, key: str) -> UserTaskSpec:
        return self.user_tasks[key]


@dataclass(frozen=True)
class DeployResult:
    definition: m.ProcessDefinition
    created: bool


class ProcessCatalog:
    """Deployment and the per-node cache of parsed versions (thread-safe)."""

    def __init__(self) -> None:
        self._loaded: dict[int, LoadedProcess] = {}
        self._lock = threading.Lock()

    # ---- deployment -------------------------------------------------------------------------
    def deploy(self, session: Session, bundle: Bundle, *, deployed_by: str, now: datetime) -> DeployResult:
        """Deploy a validated bundle; the same bytes again is a no-op, other bytes under the same
        key and version are refused (deployed versions are immutable)."""
        problems = validate_bundle(bundle)
        mapping = read_migration(bundle) if not problems else None
        if mapping is not None:
            problems = source_problems(
                mapping, bundle.key, self._positions_of(session, bundle.key, mapping.from_version)
            )
        if problems:
            raise DefinitionInvalid(problems)
        existing = self.definition(session, bundle.key, bundle.version)
        if existing is not None:
            if existing.sha256 == bundle.sha256:
                return DeployResult(existing, created=False)
            raise DefinitionInvalid(
                [
                    f"{bundle.key} version {bundle.version} is already deployed with other content "
                    f"(sha256 {existing.sha256[:12]}…); deployed versions are immutable: raise the version"
                ]
            )
        newest = self._newest_version(session, bundle.key)
        if newest is not None and bundle.version < newest:
            raise DefinitionInvalid(
                [f"{bundle.key} version {bundle.version} is older than the deployed version {newest}"]
            )
        definition = m.ProcessDefinition(
            key=bundle.key,
            version=bundle.version,
            sha256=bundle.sha256,
            title=bundle.title,
            manifest=json.dumps(dict(bundle.manifest), ensure_ascii=False, sort_keys=True),
            deployed_at=now,
            deployed_by=deployed_by,
        )
        session.add(definition)
        session.flush()
        for path, content in sorted(bundle.files.items()):
            session.add(m.ProcessFile(definition_id=definition.id, path=path, content=content))
        session.flush()
        return DeployResult(definition, created=True)

    def _positions_of(self, session: Session, key: str, version: int) -> frozenset[str] | None:
        """Where a running case of a deployed version can stand; None if that version is not deployed."""
        definition = self.definition(session, key, version)
        return None if definition is None else self.load(session, definition.id).parsed.positions

    @staticmethod
    def definition(session: Session, key: str, version: int) -> m.ProcessDefinition | None:
        return session.execute(
            select(m.ProcessDefinition).where(m.ProcessDefinition.key == key, m.ProcessDefinition.version == version)
        ).scalar_one_or_none()

    @staticmethod
    def _newest_version(session: Session, key: str) -> int | None:
        return session.execute(
            select(func.max(m.ProcessDefinition.version)).where(m.ProcessDefinition.key == key)
        ).scalar_one()

    # ---- look-ups ---------------------------------------------------------------------------
    @staticmethod
    def list(session: Session) -> list[m.ProcessDefinition]:
        return list(
            session.execute(
                select(m.ProcessDefinition).order_by(m.ProcessDefinition.key, m.ProcessDefinition.version)
            ).scalars()
        )

    def newest(self, session: Session, key: str, *, field: str = "process") -> LoadedProcess:
        """The version new cases get. Unknown key → 422 naming the known ones."""
        definition = self.newest_definition(session, key)
        if definition is None:
            known = sorted({d.key for d in self.list(session)})
            raise ValidationFailed({field: [f"Unbekannter Prozess. Bekannt sind: {', '.join(known) or '(keine)'}."]})
        return self.load(session, definition.id)

    @staticmethod
    def newest_definition(session: Session, key: str) -> m.ProcessDefinition | None:
        return session.execute(
            select(m.ProcessDefinition)
            .where(m.ProcessDefinition.key == key)
            .order_by(m.ProcessDefinition.version.desc())
            .limit(1)
        ).scalar_one_or_none()

    def started_by_message(self, session: Session, message: str) -> LoadedProcess | None:
        """The newest version of the process whose manifest says this message starts it."""
        newest: dict[str, m.ProcessDefinition] = {}
        for definition in self.list(session):
            newest[definition.key] = definition
        for definition in newest.values():
            if message in Manifest.parse(json.loads(definition.manifest)).started_by_messages:
                return self.load(session, definition.id)
        return None

    def load(self, session: Session, definition_id: int) -> LoadedProcess:
        with self._lock:
            cached = self._loaded.get(definition_id)
        if cached is not None:
            return cached
        definition = session.get(m.ProcessDefinition, definition_id)
        if definition is None:
            raise NotFound("Prozessversion nicht gefunden.")
        files = {
            f.path: f.content
            for f in session.execute(
                select(m.ProcessFile).where(m.ProcessFile.definition_id == definition_id)
            ).scalars()
        }
        loaded = _load_bundle(definition.id, bundle_from_files(files))
        with self._lock:
            self._loaded.setdefault(definition_id, loaded)
        return loaded


def _load_bundle(definition_id: int, bundle: Bundle) -> LoadedProcess:
    parsed = parse_process(bundle.key, bundle.bpmn_sources(), bundle.dmn_sources())
    user_tasks = {
        info.key: UserTaskSpec(
            key=info.key,
            title=info.title,
            lane=info.lane,
            form=parse_definition(amended_form(bundle.key, bundle.version, bundle.form_raw(info.form_path or ""))),
            properties=info.properties,
            sends=info.sends,
        )
        for info in parsed.user_tasks
    }
    return LoadedProcess(
        definition_id=definition_id,
        key=bundle.key,
        version=bundle.version,
        title=bundle.title,
        manifest=Manifest.parse(bundle.manifest),
        parsed=parsed,
        user_tasks=user_tasks,
        migration=read_migration(bundle),
    )
