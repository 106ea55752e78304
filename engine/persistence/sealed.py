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


# The record names, one per sealed column (the volume generator seals the same columns in bulk).
def child_record(reference: str) -> str:
    return f"cases/{reference}/child_data"


def state_record(reference: str) -> str:
    return f"instances/{reference}/state"


def prefill_record(task_id: str) -> str:
    return f"open_tasks/{task_id}/prefill"


def history_record(task_uuid: str) -> str:
    return f"task_history/{task_uuid}/values"


def hold_record(reference: str) -> str:
    return f"cases/{reference}/hold"


def message_record(message_id: int) -> str:
    return f"case_messages/{message_id}/payload"


def seal_child(work: Work, reference: str, child: dict[str, Any]) -> bytes:
    return _seal(work, reference, child_record(reference), child)


def open_child(work: Work, case: m.Case) -> dict[str, Any]:
    return _open(work, case.reference, child_record(case.reference), case.child_data)


def open_children(work: Work, cases: Sequence[m.Case]) -> dict[int, dict[str, Any] | None]:
    """The child's data of several cases (a list page) with one read of their keys; None for a case
    whose key was shredded (end of retention)."""
    fields = [(case_scope(c.reference), f"cases/{c.reference}/child_data", c.child_data) for c in cases]
    values = work.vault.open_json_many(work.session.connection(), fields)
    return {case.id: value for case, value in zip(cases, values, strict=True)}


def seal_state(work: Work, reference: str, state: dict[str, Any]) -> bytes:
    return _seal(work, reference, state_record(reference), state)


def open_state(work: Work, case: m.Case, blob: bytes) -> dict[str, Any]:
    return _open(work, case.reference, state_record(case.reference), blob)


def seal_prefill(work: Work, reference: str, task_id: str, values: dict[str, Any]) -> bytes:
    return _seal(work, reference, prefill_record(task_id), values)


def open_prefill(work: Work, reference: str, task: m.OpenTask) -> dict[str, Any]:
    """The values a task's form is prefilled with ({} when it has none)."""
    if task.prefill is None:
        return {}
    return _open(work, reference, prefill_record(task.id), task.prefill)


def seal_history_values(work: Work, reference: str, task_uuid: str, values: dict[str, Any]) -> bytes:
    return _seal(work, reference, history_record(task_uuid), values)


def open_history_values(work: Work, reference: str, row: m.TaskHistory) -> dict[str, Any]:
    """What a completed step documented ({} for a row without values: a filed message)."""
    if row.values is None:
        return {}
    return _open(work, reference, history_record(row.task_uuid), row.values)


def seal_message(work: Work, reference: str, message_id: int, payload: dict[str, Any]) -> bytes:
    return _seal(work, reference, message_record(message_id), payload)


def open_message(work: Work, reference: str, message: m.CaseMessage) -> dict[str, Any]:
    return _open(work, reference, message_record(message.id), message.payload)


def seal_hold(work: Work, reference: str, hold: dict[str, Any]) -> bytes:
    return _seal(work, reference, hold_record(reference), hold)


def open_hold(work: Work, case: m.Case) -> dict[str, Any] | None:
    return None if case.hold is None else _open(work, case.reference, hold_record(case.reference), case.hold)


def review_record(sample_case_id: int) -> str:
    return f"quality_reviews/{sample_case_id}/comments"


def seal_review_comments(work: Work, reference: str, sample_case_id: int, comments: dict[str, Any]) -> bytes:
    return _seal(work, reference, review_record(sample_case_id), comments)


def open_review_comments(work: Work, reference: str, sample_case_id: int, blob: bytes) -> dict[str, Any]:
    return _open(work, reference, review_record(sample_case_id), blob)


def break_glass_record(access_id: int, field: str) -> str:
    return f"break_glass_accesses/{access_id}/{field}"


def seal_break_glass(work: Work, reference: str, access_id: int, field: str, text: str) -> bytes:
    """A break-glass access's reason or review comment, sealed under the case's key (R35)."""
    return _seal(work, reference, break_glass_record(access_id, field), {"text": text})


def open_break_glass(work: Work, reference: str, access_id: int, field: str, blob: bytes) -> str:
    return str(_open(work, reference, break_glass_record(access_id, field), blob)["text"])
