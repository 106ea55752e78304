"""The process-definition part of `CaseEngine`: deploying a bundle (immutable versions), listing the
deployed versions, comparing two of them and migrating running cases from one to the other."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import version_migration as migration
from engine.cases.version_migration import Outcome
from engine.directory.plan import Ablaufplan, build_plan, networks_of
from engine.engine_parts import EngineParts
from engine.errors import ValidationFailed
from engine.processes.bundles import Bundle
from engine.processes.catalog import DeployResult, ProcessCatalog
from engine.processes.comparison import compare_versions
from engine.transactions import Work


class ProcessesFacade(EngineParts):
    def deploy(self, bundle: Bundle, *, deployed_by: str) -> DeployResult:
        def deploy(work: Work) -> DeployResult:
            result = work.catalog.deploy(work.session, bundle, deployed_by=deployed_by, now=work.now)
            if result.created:
                record(
                    work,
                    EventType.PROCESS_DEPLOYED,
                    actor=None,
                    actor_name=deployed_by,
                    payload={
                        "key": bundle.key,
                        "version": bundle.version,
                        "sha256": bundle.sha256,
                        "files": sorted(bundle.files),
                    },
                )
            return result

        return self.tx.command(deploy)

    def processes(self) -> list[dict[str, Any]]:
        return self.tx.query(
            lambda work: [
                {
                    "key": d.key,
                    "version": d.version,
                    "title": d.title,
                    "sha256": d.sha256,
                    "deployed_at": d.deployed_at.isoformat(),
                }
                for d in ProcessCatalog.list(work.session)
            ]
        )

    def ablaufplan(self, actor: Actor, network_key: str | None = None) -> Ablaufplan:
        """The network's Ablaufplan for any member of it (default: the actor's first network);
        another network is NotFound. No case data, so nothing to audit as a read."""
        key = network_key or next(iter(networks_of(actor)), "")
        return self.tx.query(lambda work: build_plan(work, actor, key))

    def compare_versions(self, key: str, old: int, new: int) -> dict[str, Any]:
        return self.tx.query(lambda work: compare_versions(work.session, work.catalog, key, old, new))

    # ---- migrating running cases (procedures.md invariant 6) ---------------------------------------
    def migration_versions(self, key: str) -> tuple[int, int] | None:
        """(from, to) of the migration the newest version of `key` describes; None if it has no
        `migration.json` (or the key is unknown)."""

        def pair(work: Work) -> tuple[int, int] | None:
            newest = work.catalog.newest_definition(work.session, key)
            mapping = None if newest is None else work.catalog.load(work.session, newest.id).migration
            return None if newest is None or mapping is None else (mapping.from_version, newest.version)

        return self.tx.query(pair)

    def migration_cases(self, key: str, source: int, target: int, references: Sequence[str] = ()) -> list[int]:
        """The ids of the running cases of `key` on version `source` (only those named, if any), in the
        order a migration takes them; refused (404/422) unless `target` maps cases from `source`."""

        def cases(work: Work) -> list[int]:
            chosen = migration.versions(work, key, source, target)
            return [case_id for case_id, _ref in migration.running_cases(work, chosen.source, references)]

        return self.tx.query(cases)

    def migrate_cases(
        self,
        key: str,
        source: int,
        target: int,
        *,
        reason: str,
        operator: str,
        references: Sequence[str] = (),
        case_ids: Sequence[int] | None = None,
        dry_run: bool = False,
        progress: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        """Migrate the running cases (all, those named by reference, or the batch `case_ids` of
        `migration_cases`) one by one, each in its own unit of work with its `case.migrated` entry;
        a case that cannot move stays as it was and its outcome says why. `dry_run` computes the
        same outcomes and writes nothing. `progress` hears each outcome as it happens. Named
        references that are no running case of that version come first, as refused outcomes."""
        if not dry_run and not reason.strip():
            raise ValidationFailed({"reason": ["Geben Sie den Grund der Migration an."]})

        def plan(work: Work) -> tuple[migration.Versions, list[Outcome], list[int]]:
            chosen = migration.versions(work, key, source, target)
            unknown = migration.unknown_references(work, chosen.source, references)
            running = [i for i, _ref in migration.running_cases(work, chosen.source, references)]
            still = set(running)  # a batch's case that moved or closed meanwhile is left out
            wanted = running if case_ids is None else [i for i in case_ids if i in still]
            return chosen, unknown, wanted

        chosen, outcomes, wanted = self.tx.query(plan)
        for outcome in outcomes:
            if progress is not None:
                progress(outcome)
        clean = reason.strip()
        for case_id in wanted:
            if dry_run:
                outcome = self.tx.query(partial(migration.check, case_id=case_id, chosen=chosen))
            else:
                one = partial(migration.migrate, case_id=case_id, chosen=chosen, reason=clean, operator=operator)
                outcome = self.tx.command(one)
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
        return outcomes
