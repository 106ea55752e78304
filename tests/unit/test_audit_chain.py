"""Appending, reading, checkpoints and verify on SQLite (both databases: tests/integration/test_audit_store.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

import audit
from audit import AuditError, AuditVault, DecryptionFailed, FileKeyProvider
from audit import format as audit_format
from audit.tables import audit_checkpoints, audit_events
from tests.support.audit_chains import CASE, T0, add, fill, verify


def test_append_returns_consecutive_numbers_and_verify_passes(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        assert [add(vault, conn, T0, i=i) for i in range(3)] == [1, 2, 3]
    result = verify(vault, db)
    assert result == audit.VerifyResult(True, 3, None, result.reason)
    result.raise_if_broken()


def test_empty_chain_verifies(vault: AuditVault, db: Engine) -> None:
    assert verify(vault, db).ok and verify(vault, db).checked == 0
    with db.begin() as conn:
        vault.checkpoint(conn, T0)
    assert verify(vault, db).ok


def test_read_decrypts_and_filters(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        add(vault, conn, T0, type="case.created", nr=1)
        add(vault, conn, T0 + timedelta(minutes=1), case=None, type="auth.login", nr=2)
        add(vault, conn, T0 + timedelta(minutes=2), case="KS-2026-000002", nr=3)
        add(vault, conn, T0 + timedelta(minutes=3), nr=4)
    with db.begin() as conn:
        events = list(vault.read(conn))
        assert [e.payload for e in events] == [{"nr": 1}, {"nr": 2}, {"nr": 3}, {"nr": 4}]
        first = events[0]
        assert (first.seq, first.time, first.actor, first.organisation) == (1, T0, "kita_fk", "kita-kevelaer")
        assert (first.case_ref, first.scope, first.type, first.shredded) == (
            CASE,
            f"case:{CASE}",
            "case.created",
            False,
        )
        assert events[1].case_ref is None and events[1].scope == "system"

        def seqs(**filters: Any) -> list[int]:
            return [e.seq for e in vault.read(conn, **filters)]

        assert seqs(case_ref=CASE) == [1, 4]
        assert seqs(scope="system") == [2]
        assert seqs(types=["auth.login", "case.created"]) == [1, 2]
        assert seqs(since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3)) == [2, 3]
        assert seqs(actor="someone_else") == []


def test_a_header_altered_in_the_database_does_not_decrypt(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        add(vault, conn, T0, secret="x")
        conn.execute(update(audit_events).values(actor="leitung"))
    with db.begin() as conn, pytest.raises(DecryptionFailed, match="Eintrag 1"):
        list(vault.read(conn))


def test_ciphertext_moved_to_another_event_does_not_decrypt(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        add(vault, conn, T0, nr=1)
        add(vault, conn, T0, nr=2)
        first = conn.execute(select(audit_events.c.ciphertext).where(audit_events.c.seq == 1)).scalar_one()
        conn.execute(update(audit_events).where(audit_events.c.seq == 2).values(ciphertext=first))
    with db.begin() as conn, pytest.raises(DecryptionFailed, match="Eintrag 2"):
        list(vault.read(conn))


def test_bad_input_is_refused_before_anything_is_written(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        with pytest.raises(AuditError):
            add(vault, conn, datetime(2026, 3, 2, 8, 0))  # naive
        with pytest.raises(AuditError):
            vault.append(
                conn, time=T0, actor="a\x1fb", organisation=None, case_ref=None, scope="system", type="t", payload={}
            )
        with pytest.raises(AuditError):
            vault.append(conn, time=T0, actor="a", organisation="", case_ref=None, scope="system", type="t", payload={})
        with pytest.raises(AuditError):
            vault.append(
                conn, time=T0, actor="a", organisation=None, case_ref=None, scope="system", type="t", payload=[]
            )  # type: ignore[arg-type]
        with pytest.raises(AuditError):
            add(vault, conn, T0, when=datetime(2026, 1, 1))
        assert conn.execute(select(func.count()).select_from(audit_events)).scalar_one() == 0


def test_append_outside_a_transaction_is_refused(vault: AuditVault, db: Engine) -> None:
    with db.connect() as conn, pytest.raises(AuditError, match="Transaktion"):
        add(vault, conn, T0)


def test_checkpoint_every_thousand_events(vault: AuditVault, db: Engine) -> None:
    # One transaction per 100 events, all at the same instant: only the count triggers checkpoints.
    for _ in range(21):
        with db.begin() as conn:
            for _ in range(100):
                add(vault, conn, T0)
    with db.begin() as conn:
        seqs = conn.execute(select(audit_checkpoints.c.seq).order_by(audit_checkpoints.c.id)).scalars().all()
    assert seqs == [100, 1100]  # the first one because none existed; then 1,000 later
    assert verify(vault, db).ok


def test_checkpoint_every_sixty_seconds_while_events_arrive(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 10, step=timedelta(seconds=25))
    with db.begin() as conn:
        rows = conn.execute(select(audit_checkpoints.c.seq, audit_checkpoints.c.time).order_by("id")).all()
    # Signed when an event arrives and the last checkpoint is ≥ 60 s old: the head before that event.
    assert [row.seq for row in rows] == [1, 4, 7]
    assert [row.time for row in rows] == [T0 + timedelta(seconds=s) for s in (25, 100, 175)]


def test_checkpoint_signs_only_the_committed_head(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 2)
    with db.begin() as conn:
        add(vault, conn, T0)
        add(vault, conn, T0)
        made = vault.checkpoint(conn, T0 + timedelta(hours=1))
    assert made.seq == 2  # the two entries of this transaction were not committed yet
    with db.begin() as conn:
        assert vault.checkpoint(conn, T0 + timedelta(hours=2)).seq == 4


def test_checkpoint_log_survives_a_rollback(vault: AuditVault, db: Engine, instance: Path) -> None:
    fill(vault, db, 3)
    with db.connect() as conn:
        transaction = conn.begin()
        vault.checkpoint(conn, T0 + timedelta(hours=1))
        add(vault, conn, T0, nr="rolled back")
        transaction.rollback()
    fill(vault, db, 2)  # a different entry 4 than the rolled-back one
    assert verify(vault, db).ok
    lines = (instance / "audit-checkpoints.jsonl").read_text().splitlines()
    assert all(json.loads(line)["seq"] <= 3 for line in lines)


def test_checkpoint_log_line_format(vault: AuditVault, db: Engine, instance: Path) -> None:
    fill(vault, db, 1)
    with db.begin() as conn:
        made = vault.checkpoint(conn, T0 + timedelta(minutes=5))
    line = (instance / "audit-checkpoints.jsonl").read_text().splitlines()[-1]
    assert json.loads(line) == {
        "format": 1,
        "seq": 1,
        "hash": made.hash.hex(),
        "time": "2026-03-02T08:05:00.000000Z",
        "key_id": made.key_id,
        "signature": made.signature.hex(),
    }
    assert audit.Checkpoint.from_json(line) == made


def test_a_torn_log_line_does_not_swallow_the_next(vault: AuditVault, db: Engine, instance: Path) -> None:
    fill(vault, db, 1)
    log = instance / "audit-checkpoints.jsonl"
    log.write_text('{"format":1,"seq"')
    with db.begin() as conn:
        vault.checkpoint(conn, T0)
    assert log.read_text().splitlines()[1].startswith('{"format":1,"hash"')
    assert verify(vault, db).reason == "Zeile 1 von audit-checkpoints.jsonl ist kein gültiger Prüfpunkt."


def test_auditor_verifies_with_the_public_key_only(vault: AuditVault, db: Engine, instance: Path) -> None:
    fill(vault, db, 5, step=timedelta(minutes=2))
    with db.begin() as conn:
        result = audit.verify(conn, vault.export_public_key(), instance / "audit-checkpoints.jsonl")
        assert result.ok and result.checked == 5
        stranger = FileKeyProvider.create(instance.parent / "stranger").export_public_key()
        result = audit.verify(conn, [stranger])
        assert not result.ok and "unbekannten Schlüssel" in result.reason


def test_the_public_format_recomputes_the_vaults_chain(vault: AuditVault, db: Engine) -> None:
    # audit.format is what the benchmark writes chains with: it must be the format the vault writes.
    with db.begin() as conn:
        add(vault, conn, T0, nr=1)
        add(vault, conn, T0 + timedelta(seconds=1), case=None, nr=2)
    with db.begin() as conn:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.seq)).all()
    prev = audit_format.GENESIS_HASH
    for row in rows:
        fields = (row.seq, row.time, row.actor, row.organisation, row.case_ref, row.scope, row.type)
        header = audit_format.SEP.join(audit_format.header_fields(prev, *fields))
        assert row.prev_hash == prev and audit_format.entry_hash(header, row.ciphertext) == row.hash
        prev = row.hash
