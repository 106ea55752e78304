"""Crypto-shredding of a case (end of retention, R25) and re-applying the shred ledger after a restore.

Shredding destroys the case's data key: its content, history and audit payloads become unreadable
for good while the chain still verifies. What the views copied out of the sealed instance (the
Ampel) and the child's entries in the blind index go with it. Every shredded scope is named in the
shred ledger (`audit/_ledger.py`), so a restored backup that still holds a key is shredded again.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from audit import LedgerEntry, Shredded
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import child_index
from engine.errors import Conflict, NotFound
from engine.persistence import models as m
from engine.persistence.sealed import case_scope
from engine.transactions import Work

#: The reason recorded when a restore shreds a scope again (the first shred's own reason is in its
#: event, which the restored trail may not hold yet).
REAPPLIED = "Vernichtung vom {time} nach Wiederherstellung erneut angewandt"


def shred_case(work: Work, *, reference: str, reason: str, operator: str) -> None:
    """Destroy a closed case's data key (an open case is never shredded: its work is not done)."""
    case = work.session.execute(select(m.Case).where(m.Case.reference == reference)).scalar_one_or_none()
    if case is None:
        raise NotFound("Fall nicht gefunden.")
    if case.status == "offen":
        raise Conflict("Ein offener Fall kann nicht vernichtet werden.")
    try:
        work.vault.shred(work.session.connection(), case_scope(reference), reason=reason, now=work.now)
    except Shredded:
        raise Conflict("Dieser Fall wurde bereits vernichtet.") from None
    _forget(work, case, reason, operator)


def reapply_ledger(work: Work, entries: list[LedgerEntry], *, operator: str) -> list[str]:
    """Shred again every ledger scope whose key this (restored) database still holds; the scopes done.

    A case shredded after the backup may be open in it (it was closed later): its key goes anyway.
    A scope the database never had gets a tombstone, so it can never get a key. A blind-index key
    retired since the backup is retired here too; the caller re-indexes (`rotate_index_key`)."""
    done = []
    conn = work.session.connection()
    cases = {case_scope(case.reference): case for case in work.session.execute(select(m.Case)).scalars()}
    for entry in entries:
        if work.vault.is_shredded(conn, entry.scope):
            continue
        why = REAPPLIED.format(time=entry.time.isoformat(timespec="seconds"))
        work.vault.shred(conn, entry.scope, reason=why, now=work.now)
        case = cases.get(entry.scope)
        if case is not None:
            _forget(work, case, why, operator)
        done.append(entry.scope)
    child_index.retire_shredded(work, [entry.scope for entry in entries])
    return done


def _forget(work: Work, case: m.Case, reason: str, operator: str) -> None:
    case.dringlichkeit = None  # a view column copied from the sealed instance goes with it
    # the child leaves the blind index: a shredded case is neither found nor matched any more
    work.session.execute(delete(m.ChildIndex).where(m.ChildIndex.case_id == case.id))
    record(
        work,
        EventType.CASE_SHREDDED,
        actor=None,
        actor_name=operator,
        case=case,
        system_scope=True,
        payload={"reason": reason},
    )
