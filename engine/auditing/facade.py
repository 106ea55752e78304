"""The audit part of `CaseEngine`: the auditor's reads (with a reason, themselves audited), the
chain's verification and checkpoints, exports, key rotation and crypto-shredding."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from audit import Checkpoint, RotationReport, VerifyResult
from engine.actor import Actor
from engine.auditing import review, shredding
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.engine_parts import EngineParts
from engine.persistence.database import WRITE_OPTION, scrub_after_shred
from engine.transactions import Work


class AuditingFacade(EngineParts):
    # ---- the auditor's side -----------------------------------------------------------------------
    def audit_events(self, actor: Actor, **filters: Any) -> list[dict[str, Any]]:
        """Metadata of the events in an auditor's scope (nothing decrypted, not itself audited)."""
        return self.tx.query(lambda work: review.list_events(work, actor, **filters))

    def last_checkpoint(self) -> dict[str, Any] | None:
        return self.tx.query(review.last_checkpoint)

    def auditable_case(self, actor: Actor, reference: str) -> dict[str, Any]:
        """The case an auditor names by reference, if in their scope (nothing decrypted or recorded)."""

        def lookup(work: Work) -> dict[str, Any]:
            case = review.auditable_case_by_reference(work, actor, reference)
            return {"id": case.id, "reference": case.reference}

        return self.tx.query(lookup)

    def check_audit_access(self, actor: Actor, case_id: int) -> None:
        """NotFound / NotAllowed unless the actor may read this case's trail (nothing decrypted; a refusal is
        recorded as `access.denied`)."""
        self.tx.query(lambda work: review.auditable_case(work, actor, case_id))

    def case_trail(
        self, actor: Actor, case_id: int, reason: str | None, *, readable: bool = False
    ) -> list[dict[str, Any]]:
        """`readable`: each event also as labelled fields (the auditor's page; the API keeps the payload)."""
        return self.tx.command(lambda work: review.read_case_trail(work, actor, case_id, reason, readable=readable))

    def export_case_trail(self, actor: Actor, case_id: int, reason: str | None) -> list[dict[str, Any]]:
        """The auditor's download (JSON Lines in the UI), audited as `audit.exported`."""
        return self.tx.command(lambda work: review.export_case_trail(work, actor, case_id, reason))

    def verify_trail(self, actor: Actor | None = None, checkpoint_log: Path | None = None) -> VerifyResult:
        """Chain and checkpoints, nothing decrypted; `checkpoint_log`: an auditor's own copy of the log."""
        return self.tx.query(lambda work: review.verify_trail(work, actor, checkpoint_log))

    # ---- the operator's side ------------------------------------------------------------------------
    def checkpoint(self) -> Checkpoint:
        return self.tx.command(lambda work: self.vault.checkpoint(work.session.connection(), work.now))

    def record_operation(self, event: EventType, *, operator: str, payload: dict[str, Any]) -> Checkpoint:
        """An operator's action on the whole installation (a backup, a restore), signed at once: the
        checkpoint right after it is what a backup's chain ends in."""
        self.tx.command(lambda work: record(work, event, actor=None, actor_name=operator, payload=payload))
        return self.checkpoint()

    def checkpoint_if_unsigned(self) -> Checkpoint | None:
        return self.tx.command(lambda work: self.vault.checkpoint_if_unsigned(work.session.connection(), work.now))

    def export_trail(
        self,
        emit: Callable[[dict[str, Any]], None],
        *,
        reason: str,
        operator: str,
        case_reference: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """Stream decrypted events to `emit`; the `audit.exported` event commits with the export."""

        def export(work: Work) -> int:
            count = 0
            for event in review.export_trail(
                work, reason=reason, operator=operator, case_reference=case_reference, since=since, until=until
            ):
                emit(event)
                count += 1
            return count

        return self.tx.command(export)

    def rotate_keys(self, *, operator: str, progress: Callable[[int, int], None] | None = None) -> RotationReport:
        """New key-encryption key; every data key re-wrapped in committed batches (resumable)."""
        report = self.vault.rotate(self._batch_transaction, progress)
        self.tx.command(
            lambda work: record(
                work,
                EventType.KEY_ROTATED,
                actor=None,
                actor_name=operator,
                payload={"kek_id": report.kek_id, "rewrapped": report.rewrapped, "resumed": report.resumed},
            )
        )
        return report

    def shred_case(self, reference: str, *, reason: str, operator: str) -> None:
        """End of retention for one closed case; afterwards no page image of its key is left behind."""
        why = review.require_reason(reason)
        self.tx.command(lambda work: shredding.shred_case(work, reference=reference, reason=why, operator=operator))
        scrub_after_shred(self.db)

    def reapply_shred_ledger(self, ledger: Path | None = None, *, operator: str) -> list[str]:
        """Shred again what the ledger (this instance's, or `ledger`) names and the database still
        holds a key for — after a restore of an older backup. The scopes shredded now."""
        entries = self.vault.ledger(ledger)
        done = self.tx.command(lambda work: shredding.reapply_ledger(work, entries, operator=operator))
        if done:
            scrub_after_shred(self.db)
        return done

    @contextmanager
    def _batch_transaction(self) -> Iterator[Connection]:
        """One batch of the key rotation: the audit library commits batch by batch on its own
        connection (a rotation of 100,000 keys must not be one transaction), so it is handed a
        transaction factory instead of running through the runner."""
        with self.db.connect() as connection:
            connection = connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection
