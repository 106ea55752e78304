"""`AuditVault.bulk`: many new scopes, sealed fields and events in one transaction — the same bytes as
the single calls (the chain verifies, fields and events decrypt), checkpoints by `append`'s rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from audit import CHECKPOINT_EVERY, AuditError, AuditVault
from audit.tables import audit_checkpoints
from tests.support.audit_chains import CASE, T0, add, verify


def test_bulk_events_continue_the_chain_and_decrypt(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        add(vault, conn, T0, nr=0)
    with db.begin() as conn:
        bulk = vault.bulk(conn, T0 + timedelta(hours=1))
        seqs = []
        for i in range(5):
            scope = f"case:KS-2026-00010{i}"
            bulk.new_scope(scope)
            seqs.append(
                bulk.append(
                    time=T0 - timedelta(days=i),  # history may be older than the head
                    actor="gen.fk",
                    organisation="gen-kita",
                    case_ref=f"KS-2026-00010{i}",
                    scope=scope,
                    type="case.created",
                    payload={"nr": i} if i % 2 else f'{{"nr":{i}}}',
                )
            )
        bulk.append(
            time=T0, actor="cli", organisation=None, case_ref=None, scope="system", type="x.y", payload={"a": 1}
        )
        bulk.flush()
    with db.begin() as conn:
        add(vault, conn, T0 + timedelta(hours=2), nr=9)  # the single path goes on from the bulk head
    assert seqs == [2, 3, 4, 5, 6]
    assert verify(vault, db).ok and verify(vault, db).checked == 8
    with db.begin() as conn:
        events = list(vault.read(conn))
    assert [e.payload for e in events] == [{"nr": 0}, *({"nr": i} for i in range(5)), {"a": 1}, {"nr": 9}]
    assert events[3].time == T0 - timedelta(days=2) and events[3].case_ref == "KS-2026-000102"


def test_bulk_fields_open_with_open_field(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        bulk = vault.bulk(conn, T0)
        bulk.new_scope(f"case:{CASE}")
        blob = bulk.seal_json(f"case:{CASE}", "cases/x/child_data", '{"vorname":"Mia"}')
        other = bulk.seal(f"case:{CASE}", "cases/x/note", "Text")
        digests = bulk.digests("blind-index/1", ["name:mia"])
        bulk.flush()
    with db.begin() as conn:
        assert vault.open_json(conn, f"case:{CASE}", "cases/x/child_data", blob) == {"vorname": "Mia"}
        assert vault.open_text(conn, f"case:{CASE}", "cases/x/note", other) == "Text"
        assert vault.blind_digests(conn, "blind-index/1", ["name:mia"]) == digests
        with pytest.raises(AuditError):
            vault.open_json(conn, f"case:{CASE}", "cases/y/child_data", blob)  # bound to its record


def test_bulk_refuses_an_existing_scope_and_non_objects(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        vault.seal_field(conn, f"case:{CASE}", "r", "x", now=T0)
    with db.begin() as conn:
        bulk = vault.bulk(conn, T0)
        bulk.new_scope(f"case:{CASE}")
        with pytest.raises(AuditError, match="schon"):
            bulk.flush()
        with pytest.raises(AuditError):
            bulk.seal_json("system", "r", "[1]")
        with pytest.raises(AuditError):
            bulk.append(time=T0, actor="a", organisation=None, case_ref=None, scope="system", type="t", payload="1")


def test_bulk_signs_the_committed_head_when_a_checkpoint_is_due(vault: AuditVault, db: Engine) -> None:
    def batch(count: int) -> None:
        with db.begin() as conn:
            bulk = vault.bulk(conn, T0)
            for _ in range(count):
                bulk.append(time=T0, actor="a", organisation=None, case_ref=None, scope="system", type="t", payload={})
            bulk.flush()

    def checkpoints() -> list[int]:
        with db.begin() as conn:
            return list(conn.execute(select(audit_checkpoints.c.seq).order_by(audit_checkpoints.c.id)).scalars())

    batch(CHECKPOINT_EVERY + 5)
    assert checkpoints() == []  # nothing was committed before this transaction
    batch(3)
    assert checkpoints() == [CHECKPOINT_EVERY + 5]  # the head as the second batch found it
    batch(3)
    assert checkpoints() == [CHECKPOINT_EVERY + 5]  # not due again
    with db.begin() as conn:
        assert conn.execute(select(func.count()).select_from(audit_checkpoints)).scalar_one() == 1
    assert verify(vault, db).ok
