"""What every capability facade of `CaseEngine` shares: the transaction runner, the clock, the audit
vault, the per-node process catalog — and the hook that tells the scheduler a step armed deadlines.

The facades (`engine/<capability>/facade.py`) are mixins of `CaseEngine`: each holds the public
methods of one capability and runs every one of them through `self.tx`, so no facade opens, commits
or rolls back a transaction itself.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from audit import AuditVault
from engine.clock import Clock
from engine.processes.catalog import ProcessCatalog
from engine.transactions import TransactionRunner


class EngineParts:
    db: Engine
    clock: Clock
    vault: AuditVault
    catalog: ProcessCatalog
    tx: TransactionRunner
    #: Called after a step committed: the scheduler re-plans its wake-up (an earlier deadline).
    deadline_listeners: list[Callable[[], None]]

    def _deadlines_changed(self) -> None:
        for listener in list(self.deadline_listeners):
            listener()
