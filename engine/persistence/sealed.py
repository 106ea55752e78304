"""The sensitive columns, sealed with the audit library's field encryption.

One place knows the scopes (one data key per case: shredding a case's key makes all of it
unreadable) and the record names bound as associated data (table / case reference / field), so a
blob copied into another row or column does not decrypt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.persistence import models as m
from engine.transactions import Work

SYSTEM_SCOPE = "system"


def case_scope(reference: str) -> str:
    return f"case:{reference}"


def _seal(work: Work, reference: str, record: str, value: dict[str, Any]) -> bytes:
    return work.vault.seal_field(work.session.connection(), case_scope(reference), record, value, now=work.now)


def _open(work: Work, reference: str, record: str, blob: bytes) -> dict[str, Any]:
    return work.vault.open_json(work.session.connection(), case_scope(reference), record, blob)


def seal_child(work: Work, reference: str, child: dict[str, Any]) -> bytes:
    return _seal(work, reference, f"cases/{reference}/child_data", child)


def open_child(work: Work, case: m.Case) -> dict[str, Any]:
    return _open(work, case.reference, f"cases/{case.reference}/child_data", case.child_data)


def open_children(work: Work, cases: Sequence[m.Case]) -> dict[int, dict[str, Any] | None]:
    """The child's data of several cases (a list page) with one read of their keys; None for a case
    whose key was shredded (end of retention)."""
    fields = [(case_scope(c.reference), f"cases/{c.reference}/child_data", c.child_data) for c in cases]
    values = work.vault.open_json_many(work.session.connection(), fields)
    return {case.id: value for case, value in zip(cases, values, strict=True)}


def seal_state(work: Work, reference: str, state: dict[str, Any]) -> bytes:
    return _seal(work, reference, f"instances/{reference}/state", state)


def open_state(work: Work, case: m.Case, blob: bytes) -> dict[str, Any]:
    return _open(work, case.reference, f"instances/{case.reference}/state", blob)


def seal_prefill(work: Work, reference: str, task_id: str, values: dict[str, Any]) -> bytes:
    return _seal(work, reference, f"open_tasks/{task_id}/prefill", values)


def open_prefill(work: Work, reference: str, task: m.OpenTask) -> dict[str, Any]:
    """The values a task's form is prefilled with ({} when it has none)."""
    if task.prefill is None:
        return {}
    return _open(work, reference, f"open_tasks/{task.id}/prefill", task.prefill)


def seal_history_values(work: Work, reference: str, task_uuid: str, values: dict[str, Any]) -> bytes:
    return _seal(work, reference, f"task_history/{task_uuid}/values", values)


def open_history_values(work: Work, reference: str, row: m.TaskHistory) -> dict[str, Any]:
    """What a completed step documented ({} for a row without values: a filed message)."""
    if row.values is None:
        return {}
    return _open(work, reference, f"task_history/{row.task_uuid}/values", row.values)


def seal_message(work: Work, reference: str, message_id: int, payload: dict[str, Any]) -> bytes:
    return _seal(work, reference, f"case_messages/{message_id}/payload", payload)


def open_message(work: Work, reference: str, message: m.CaseMessage) -> dict[str, Any]:
    return _open(work, reference, f"case_messages/{message.id}/payload", message.payload)
