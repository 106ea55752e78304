"""The operations part of `CaseEngine`: the scheduler's heartbeat, a node's readiness, the figures
of `/metrics`."""

from __future__ import annotations

from engine.engine_parts import EngineParts
from engine.operations import figures, heartbeat, readiness


class OperationsFacade(EngineParts):
    def record_heartbeat(self, node: str) -> None:
        """Called by the deadline scheduler on every tick (whichever process runs it)."""
        self.tx.command(lambda work: heartbeat.beat(work, node))

    def operations_figures(self) -> figures.Figures:
        return self.tx.query(figures.read)

    def readiness(self) -> dict[str, str]:
        return readiness.check(self)
