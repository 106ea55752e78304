"""The process-definition part of `CaseEngine`: deploying a bundle (immutable versions), listing the
deployed versions and comparing two of them."""

from __future__ import annotations

from typing import Any

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.directory.plan import Ablaufplan, build_plan, networks_of
from engine.engine_parts import EngineParts
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
