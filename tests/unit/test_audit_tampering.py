"""Tampering of each kind, one at a time, and the sequence number verify names for it (SQLite).

The random mix of 1,000 such edits is tests/unit/test_audit_mutations.py."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, select, update

import audit
from audit import AuditVault, ChainBroken
from audit import _primitives as p
from audit.tables import audit_checkpoints, audit_events, audit_head
from tests.support.audit_chains import T0, fill, verify


def tampered(vault: AuditVault, db: Engine, change: Any) -> audit.VerifyResult:
    with db.begin() as conn:
        change(conn)
    return verify(vault, db)


def test_modified_ciphertext(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 10)
    with db.begin() as conn:
        blob = conn.execute(select(audit_events.c.ciphertext).where(audit_events.c.seq == 6)).scalar_one()
    result = tampered(
        vault,
        db,
        lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 6).values(ciphertext=blob[:-1] + b"!")),
    )
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 6, 5)
    assert "Eintrag 6 wurde verändert" in result.reason
    with pytest.raises(ChainBroken) as caught:
        result.raise_if_broken()
    assert caught.value.seq == 6


def test_modified_header_field(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 10)
    result = tampered(
        vault, db, lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 4).values(case_ref=None))
    )
    assert result.first_bad_seq == 4


def test_deleted_entry(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 10)
    result = tampered(vault, db, lambda c: c.execute(delete(audit_events).where(audit_events.c.seq == 7)))
    assert result.first_bad_seq == 7 and "Eintrag 7 fehlt" in result.reason


def test_deleted_last_entry(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 10)
    result = tampered(vault, db, lambda c: c.execute(delete(audit_events).where(audit_events.c.seq == 10)))
    assert result.first_bad_seq == 10


def test_entry_added_behind_the_head(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 3)

    def forge(conn: Connection) -> None:
        head = conn.execute(select(audit_head)).one()
        fields = p.header_fields(head.hash, 4, T0, "x", None, None, "system", "t")
        ciphertext = b"\x01" + bytes(40)
        conn.execute(
            audit_events.insert().values(
                seq=4,
                time=T0,
                actor="x",
                scope="system",
                type="t",
                ciphertext=ciphertext,
                prev_hash=head.hash,
                hash=p.entry_hash(p.SEP.join(fields), ciphertext),
            )
        )

    result = tampered(vault, db, forge)
    assert result.first_bad_seq == 4 and "hinter dem Kopf" in result.reason


def test_truncation_behind_a_checkpoint(vault: AuditVault, db: Engine, instance: Path) -> None:
    fill(vault, db, 10, step=timedelta(minutes=2))  # a checkpoint after every entry

    def truncate(conn: Connection) -> None:
        kept = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 6)).scalar_one()
        conn.execute(delete(audit_events).where(audit_events.c.seq > 6))
        conn.execute(update(audit_head).values(seq=6, hash=kept))

    result = tampered(vault, db, truncate)
    assert result.first_bad_seq == 7 and "Prüfpunkt bei 9" in result.reason

    # Also cutting the checkpoints in the database: the log file outside still has them.
    def cover_tracks(conn: Connection) -> None:
        conn.execute(delete(audit_checkpoints).where(audit_checkpoints.c.seq > 6))
        conn.execute(update(audit_head).values(checkpoint_seq=6))

    tampered(vault, db, cover_tracks)
    assert verify(vault, db).first_bad_seq == 7
    # Without the log (a lost copy), that truncation is undetectable: what the log is for.
    with db.begin() as conn:
        assert audit.verify(conn, vault.export_public_key()).ok


def test_chain_rewritten_consistently_is_caught_by_the_checkpoint(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 10, step=timedelta(seconds=50))
    with db.begin() as conn:
        checkpoint_seqs = conn.execute(select(audit_checkpoints.c.seq)).scalars().all()
    assert checkpoint_seqs == [1, 3, 5, 7, 9]

    def rewrite(conn: Connection) -> None:  # change entry 6, then recompute every hash after it
        conn.execute(update(audit_events).where(audit_events.c.seq == 6).values(actor="someone"))
        prev = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 5)).scalar_one()
        for row in conn.execute(select(audit_events).where(audit_events.c.seq >= 6).order_by("seq")).all():
            fields = p.header_fields(
                prev, row.seq, row.time, row.actor, row.organisation, row.case_ref, row.scope, row.type
            )
            new = p.entry_hash(p.SEP.join(fields), row.ciphertext)
            conn.execute(update(audit_events).where(audit_events.c.seq == row.seq).values(prev_hash=prev, hash=new))
            prev = new
        conn.execute(update(audit_head).values(hash=prev))

    result = tampered(vault, db, rewrite)
    assert (result.first_bad_seq, result.checked) == (6, 5)
    assert "Einträge 6 bis 7 passen nicht zum signierten Prüfpunkt bei 7" in result.reason


def test_forged_checkpoint_signature(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 5, step=timedelta(minutes=2))
    result = tampered(
        vault,
        db,
        lambda c: c.execute(update(audit_checkpoints).where(audit_checkpoints.c.seq == 3).values(signature=bytes(64))),
    )
    assert result.first_bad_seq == 3 and "ungültige Signatur" in result.reason


def test_head_moved(vault: AuditVault, db: Engine) -> None:
    fill(vault, db, 5)
    assert tampered(vault, db, lambda c: c.execute(update(audit_head).values(seq=7))).first_bad_seq == 6
    assert tampered(vault, db, lambda c: c.execute(update(audit_head).values(seq=5, hash=bytes(32)))).first_bad_seq == 5
