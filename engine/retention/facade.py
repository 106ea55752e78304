"""The retention part of `CaseEngine`: the run (R25) and the Löschsperre of a case."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.actor import Actor
from engine.cases.visibility import can_see_case
from engine.engine_parts import EngineParts
from engine.errors import Conflict, NotFound
from engine.persistence import models as m
from engine.persistence.database import scrub_after_shred
from engine.retention import holds, run
from engine.retention.policy import RetentionPolicy
from engine.transactions import Work


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    due: list[run.DueCase]
    shredded: list[str]
    reported: list[run.Reported]


class RetentionFacade(EngineParts):
    def run_retention(
        self,
        policy: RetentionPolicy,
        *,
        dry_run: bool,
        operator: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> RetentionReport:
        """List what is due and (unless `dry_run`) crypto-shred it, one committed case at a time."""
        due = self.tx.query(lambda work: run.due_cases(work, policy))
        reported = self.tx.query(lambda work: run.reported(work, policy))
        shredded: list[str] = []
        if not dry_run:
            for done, item in enumerate(due, start=1):
                try:
                    if self.tx.command(functools.partial(run.shred_due, due=item, operator=operator, policy=policy)):
                        shredded.append(item.reference)
                except Conflict:  # another run (a second scheduler) shredded it a moment ago
                    pass
                if progress is not None:
                    progress(done, len(due))
            if shredded:
                scrub_after_shred(self.db)
        self.tx.command(
            lambda work: run.record_run(work, operator=operator, dry_run=dry_run, due=due, shredded=shredded)
        )
        return RetentionReport(dry_run, due, shredded, reported)

    # ---- the Löschsperre: the operator by Aktenzeichen, the Jugendamt's Leitung on the case page ------
    def hold_case(self, reference: str, *, reason: str, operator: str) -> None:
        self.tx.command(
            lambda work: holds.set_hold(
                work, holds.case_by_reference(work, reference), reason, actor=None, operator=operator
            )
        )

    def release_case(self, reference: str, *, reason: str, operator: str) -> None:
        self.tx.command(
            lambda work: holds.release_hold(
                work, holds.case_by_reference(work, reference), reason, actor=None, operator=operator
            )
        )

    def case_hold(self, actor: Actor, case_id: int) -> dict[str, Any]:
        """What the case page shows: whether the actor may set or release a hold, and the current one
        (its reason only to those who may release it)."""

        def read(work: Work) -> dict[str, Any]:
            case = _visible_case(work, actor, case_id)
            may = holds.may_hold(actor, case)
            current = holds.current_hold(work, case) if may else None
            return {"may_hold": may, "held": case.hold is not None, "hold": current}

        return self.tx.query(read)

    def set_case_hold(self, actor: Actor, case_id: int, reason: str) -> None:
        self.tx.command(lambda work: holds.set_hold(work, _visible_case(work, actor, case_id), reason, actor=actor))

    def release_case_hold(self, actor: Actor, case_id: int, reason: str) -> None:
        self.tx.command(lambda work: holds.release_hold(work, _visible_case(work, actor, case_id), reason, actor=actor))


def _visible_case(work: Work, actor: Actor, case_id: int) -> m.Case:
    case = work.session.get(m.Case, case_id)
    if case is None or not can_see_case(work.session, actor, case):
        raise NotFound("Fall nicht gefunden.")
    return case
