"""The audit library on SQLite and PostgreSQL: the database-side hash input equals the Python one,
appends from several threads make one chain, tampering is named, shredding and rotation work."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, select, update

from audit import AuditVault, FileKeyProvider, Shredded, metadata
from audit.tables import audit_checkpoints, audit_events, audit_head, data_keys
from engine.persistence.database import WRITE_OPTION, make_engine

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def vault(tmp_path: Path) -> AuditVault:
    instance = tmp_path / "instance"
    return AuditVault(FileKeyProvider.create(instance), instance / "audit-checkpoints.jsonl")


@contextmanager
def writing(db: Engine) -> Iterator[Connection]:
    """A write transaction as the engine opens it (SQLite: BEGIN IMMEDIATE)."""
    with db.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


def add(vault: AuditVault, conn: Connection, at: datetime, **fields: Any) -> int:
    values: dict[str, Any] = {
        "actor": "kita_fk",
        "organisation": "kita-kevelaer",
        "case_ref": "KS-2026-000001",
        "scope": "case:KS-2026-000001",
        "type": "task.completed",
        "payload": {"nr": 1},
    }
    values.update(fields)
    return vault.append(conn, time=at, **values)


def verdict(vault: AuditVault, db: Engine) -> tuple[bool, int | None]:
    with db.begin() as conn:
        result = vault.verify(conn)
    return result.ok, result.first_bad_seq


def test_round_trip_with_awkward_values(vault: AuditVault, db: Engine) -> None:
    odd = [
        {"actor": "jürgen.österreich", "organisation": None, "case_ref": None, "scope": "system"},
        {"actor": "a" * 200, "organisation": "o" * 64, "case_ref": "K" * 64, "scope": "case:" + "K" * 64},
        {"actor": "系统", "type": "x" * 64},
    ]
    times = [T0, T0 + timedelta(microseconds=1), T0 + timedelta(days=400, microseconds=999_999)]
    with writing(db) as conn:
        for i, (fields, at) in enumerate(zip(odd, times, strict=True)):
            add(vault, conn, at, payload={"nr": i, "text": "Mia Beispielkind ✓"}, **fields)
    with writing(db) as conn:
        add(vault, conn, T0 + timedelta(days=401))  # signs a checkpoint over the three above
    with db.begin() as conn:
        result = vault.verify(conn)
        assert result.ok and result.checked == 4, result.reason
        events = list(vault.read(conn))
        assert [e.time for e in events[:3]] == times
        assert events[0].actor == "jürgen.österreich" and events[0].organisation is None
        assert events[2].payload == {"nr": 2, "text": "Mia Beispielkind ✓"}
        assert conn.execute(select(audit_checkpoints.c.seq)).scalars().all() == [3]


@pytest.mark.parametrize(
    ("change", "bad"),
    [
        (lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 3).values(actor="x")), 3),
        (lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 2).values(organisation=None)), 2),
        (lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 4).values(time=T0)), 4),
        (lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 5).values(ciphertext=b"\x01" * 40)), 5),
        (lambda c: c.execute(delete(audit_events).where(audit_events.c.seq == 2)), 2),
        (lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 6).values(seq=60)), 6),
        (lambda c: c.execute(update(audit_head).values(seq=3)), 3),
    ],
)
def test_tampering_is_named(vault: AuditVault, db: Engine, change: Any, bad: int) -> None:
    for i in range(6):
        with writing(db) as conn:
            add(vault, conn, T0 + timedelta(seconds=30 * i), payload={"nr": i})
    assert verdict(vault, db) == (True, None)
    with writing(db) as conn:
        change(conn)
    assert verdict(vault, db) == (False, bad)


def test_truncation_behind_a_checkpoint(vault: AuditVault, db: Engine) -> None:
    for i in range(6):
        with writing(db) as conn:
            add(vault, conn, T0 + timedelta(minutes=2 * i))
    with writing(db) as conn:
        kept = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 2)).scalar_one()
        conn.execute(delete(audit_events).where(audit_events.c.seq > 2))
        conn.execute(delete(audit_checkpoints).where(audit_checkpoints.c.seq > 2))
        conn.execute(update(audit_head).values(seq=2, hash=kept))
    assert verdict(vault, db) == (False, 3)  # from the checkpoint log outside the database


def test_concurrent_appends_make_one_chain(vault: AuditVault, db: Engine) -> None:
    threads, per_thread = 4, 15
    barrier = threading.Barrier(threads)
    seqs: list[int] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with writing(db) as conn:
                    # The same new scope from every thread: its data key is created exactly once.
                    scope = f"case:KS-2026-{i:06d}"
                    vault.seal_field(conn, scope, f"children/{n}/name", "x")
                    seqs.append(add(vault, conn, T0 + timedelta(seconds=7 * i), scope=scope, payload={"t": n}))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not errors, errors
    assert sorted(seqs) == list(range(1, threads * per_thread + 1))
    with db.begin() as conn:
        assert conn.execute(select(data_keys.c.scope)).scalars().all() == [
            f"case:KS-2026-{i:06d}" for i in range(per_thread)
        ]
        assert len(list(vault.read(conn))) == threads * per_thread
    assert verdict(vault, db) == (True, None)


def test_verify_while_events_arrive(vault: AuditVault, db: Engine) -> None:
    done = threading.Event()
    errors: list[BaseException] = []

    def append_some() -> None:
        try:
            for i in range(150):
                with writing(db) as conn:
                    add(vault, conn, T0 + timedelta(seconds=13 * i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            done.set()

    writer = threading.Thread(target=append_some)
    writer.start()
    results = []
    while not done.is_set():
        with db.begin() as conn:
            results.append(vault.verify(conn))
    writer.join(60)
    assert not errors, errors
    assert results and all(r.ok for r in results), [r.reason for r in results if not r.ok]
    assert verdict(vault, db) == (True, None)


def test_shred_and_rotate(vault: AuditVault, db: Engine) -> None:
    with writing(db) as conn:
        for i in range(12):
            add(vault, conn, T0, scope=f"case:KS-2026-{i:06d}", case_ref=f"KS-2026-{i:06d}", payload={"nr": i})
        blob = vault.seal_field(conn, "case:KS-2026-000004", "children/4/nachname", "Beispielkind")
    with writing(db) as conn:
        vault.shred(conn, "case:KS-2026-000004", reason="Aufbewahrungsfrist abgelaufen", now=T0 + timedelta(days=1))
    report = vault.rotate(lambda: writing(db), batch_size=5)
    assert report.rewrapped == 11
    with db.begin() as conn:
        payloads = [e.payload for e in vault.read(conn)]
        assert payloads[4] is None and payloads[5] == {"nr": 5}
        with pytest.raises(Shredded):
            vault.open_field(conn, "case:KS-2026-000004", "children/4/nachname", blob)
        vault.check(conn)
        assert vault.verify(conn).ok
