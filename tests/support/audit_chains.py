"""What the audit tests share: an in-memory database, events appended with fixed defaults, verify in
a transaction of its own, a real chain built through `AuditVault.append`, and the kinds of single
mutation of such a chain (with the sequence number verify must name for each). The fixtures `vault`
and `db` are in tests/unit/conftest.py.

Imports the private `audit._primitives`: these helpers forge chains byte for byte, as only tests of
the audit library itself may."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, delete, insert, select, update
from sqlalchemy.pool import StaticPool

import audit
from audit import AuditVault, FileKeyProvider, metadata
from audit import _primitives as p
from audit.tables import audit_checkpoints, audit_events, audit_head

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CASE = "KS-2026-000001"
TEXT_COLUMNS = ["actor", "organisation", "case_ref", "scope", "type"]
NULLABLE = {"organisation", "case_ref"}


def memory_db() -> Engine:
    """An in-memory SQLite database (one connection, shared by every `connect()`) with the audit
    tables: the audit library needs only SQLAlchemy Core, so its unit tests need no database file."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    metadata.create_all(engine)
    return engine


# -- single events ---------------------------------------------------------------------------------


def add(vault: AuditVault, conn: Connection, at: datetime, *, case: str | None = CASE, **payload: Any) -> int:
    return vault.append(
        conn,
        time=at,
        actor="kita_fk",
        organisation="kita-kevelaer",
        case_ref=case,
        scope=f"case:{case}" if case else "system",
        type=str(payload.pop("type", "task.completed")),
        payload=payload,
    )


def fill(vault: AuditVault, db: Engine, count: int, step: timedelta = timedelta(seconds=1)) -> None:
    for i in range(count):
        with db.begin() as conn:
            add(vault, conn, T0 + i * step, i=i, case=CASE if i % 2 else None)


def verify(vault: AuditVault, db: Engine) -> audit.VerifyResult:
    with db.begin() as conn:
        return vault.verify(conn)


# -- a real chain ----------------------------------------------------------------------------------


@dataclass
class Chain:
    engine: Engine
    public_key: bytes
    log: Path
    hashes: list[bytes]  # hashes[seq], hashes[0] = genesis
    checkpoints: list[int]  # sequence numbers of the checkpoints

    @property
    def size(self) -> int:
        return len(self.hashes) - 1


def build_chain(engine: Engine, folder: Path, events: int, seed: int) -> Chain:
    """A real chain through `AuditVault.append`: checkpoints by the 60-s rule every 30 or so entries,
    in the table and in the log. Creates the audit tables in `engine` and the keys in `folder`."""
    metadata.create_all(engine)
    vault = AuditVault(FileKeyProvider.create(folder), folder / "audit-checkpoints.jsonl")
    rng = random.Random(seed)
    seq = 0
    while seq < events:
        with engine.begin() as conn:
            for _ in range(rng.randint(1, 4)):
                case = f"KS-2026-{rng.randrange(12):06d}" if rng.random() < 0.8 else None
                seq = vault.append(
                    conn,
                    time=T0 + timedelta(seconds=2 * seq, microseconds=rng.randrange(10**6)),
                    actor=rng.choice(["kita_fk", "kita_leitung", "system"]),
                    organisation=rng.choice(["kita-kevelaer", None]),
                    case_ref=case,
                    scope=f"case:{case}" if case else "system",
                    type=rng.choice(["task.completed", "case.read", "deadline.armed"]),
                    payload={"nr": seq, "data": "x" * rng.randrange(80)},
                )
    with engine.begin() as conn:
        hashes = [p.GENESIS_HASH] + list(conn.execute(select(audit_events.c.hash).order_by("seq")).scalars())
        checkpoints = sorted(conn.execute(select(audit_checkpoints.c.seq)).scalars())
    return Chain(engine, vault.export_public_key(), vault.checkpoint_log or Path(), hashes, checkpoints)


# -- single mutations of a chain -------------------------------------------------------------------


def flip(value: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(value))
    return value[:i] + bytes([value[i] ^ (1 << rng.randrange(8))]) + value[i + 1 :]


def row(conn: Connection, seq: int) -> Any:
    return conn.execute(select(audit_events).where(audit_events.c.seq == seq)).one()


def set_row(conn: Connection, at: int, **values: Any) -> None:
    conn.execute(update(audit_events).where(audit_events.c.seq == at).values(**values))


def forged_hash(prev: bytes, values: dict[str, Any], seq: int) -> bytes:
    """What an attacker without any key can compute: the hash is public, only checkpoints are signed."""
    fields = p.header_fields(
        prev,
        seq,
        values["time"],
        values["actor"],
        values["organisation"],
        values["case_ref"],
        values["scope"],
        values["type"],
    )
    return p.entry_hash(p.SEP.join(fields), values["ciphertext"])


# Each mutation changes the database and returns the sequence number verify must name.
Mutation = Callable[[Connection, Chain, random.Random], int]


def modify_bytes(conn: Connection, chain: Chain, rng: random.Random) -> int:
    seq, column = rng.randint(1, chain.size), rng.choice(["ciphertext", "prev_hash", "hash"])
    set_row(conn, seq, **{column: flip(getattr(row(conn, seq), column), rng)})
    return seq


def modify_text(conn: Connection, chain: Chain, rng: random.Random) -> int:
    seq, column = rng.randint(1, chain.size), rng.choice(TEXT_COLUMNS)
    old = getattr(row(conn, seq), column)
    if old is None:
        new = rng.choice(["kita-kevelaer", "KS-2026-000001", "x"])
    elif column in NULLABLE and rng.random() < 0.3:
        new = None
    else:
        i = rng.randrange(len(old))
        new = old[:i] + rng.choice([c for c in "abcXYZ019-_" if c != old[i]]) + old[i + 1 :]
    set_row(conn, seq, **{column: new})
    return seq


def modify_time(conn: Connection, chain: Chain, rng: random.Random) -> int:
    seq = rng.randint(1, chain.size)
    shift = timedelta(microseconds=rng.choice([1, -1, 1000, 10**6, 3600 * 10**6]))
    set_row(conn, seq, time=row(conn, seq).time + shift)
    return seq


def renumber(conn: Connection, chain: Chain, rng: random.Random) -> int:
    seq = rng.randint(1, chain.size)
    set_row(conn, seq, seq=chain.size + rng.randint(1, 5))
    return seq


def delete_entry(conn: Connection, chain: Chain, rng: random.Random) -> int:
    seq = rng.randint(1, chain.size)
    conn.execute(delete(audit_events).where(audit_events.c.seq == seq))
    return seq


def insert_forged(conn: Connection, chain: Chain, rng: random.Random) -> int:
    """A forged entry with a valid hash that links to its predecessor; later entries shifted up."""
    seq = rng.randint(1, chain.size + 1)
    conn.execute(update(audit_events).where(audit_events.c.seq >= seq).values(seq=-audit_events.c.seq - 1))
    conn.execute(update(audit_events).where(audit_events.c.seq < 0).values(seq=-audit_events.c.seq))
    template = row(conn, rng.randint(1, seq - 1) if seq > 1 else 2)
    values = {**template._asdict(), "ciphertext": b"\x01" + rng.randbytes(60)}
    prev = chain.hashes[seq - 1]
    conn.execute(
        insert(audit_events).values({**values, "seq": seq, "prev_hash": prev, "hash": forged_hash(prev, values, seq)})
    )
    if seq in chain.checkpoints:  # the checkpoint there disowns it: nothing since the one before is proven
        return max((cp for cp in chain.checkpoints if cp < seq), default=0) + 1
    return seq + 1 if seq <= chain.size else seq  # the forged entry itself is flawless; its successor is not


def swap(conn: Connection, chain: Chain, rng: random.Random) -> int:
    first, second = sorted(rng.sample(range(1, chain.size + 1), 2))
    a, b = row(conn, first)._asdict(), row(conn, second)._asdict()
    set_row(conn, first, **{k: v for k, v in b.items() if k != "seq"})
    set_row(conn, second, **{k: v for k, v in a.items() if k != "seq"})
    return first


def truncate(conn: Connection, chain: Chain, rng: random.Random, *, checkpoints_too: bool = False) -> int:
    cut = rng.randint(0, chain.checkpoints[-1] - 1)
    conn.execute(delete(audit_events).where(audit_events.c.seq > cut))
    conn.execute(update(audit_head).values(seq=cut, hash=chain.hashes[cut]))
    if checkpoints_too:  # only the log file outside the database still knows
        conn.execute(delete(audit_checkpoints).where(audit_checkpoints.c.seq > cut))
        conn.execute(update(audit_head).values(checkpoint_seq=min(cut, chain.checkpoints[0])))
    return cut + 1


def truncate_with_checkpoints(conn: Connection, chain: Chain, rng: random.Random) -> int:
    return truncate(conn, chain, rng, checkpoints_too=True)


def modify_checkpoint(conn: Connection, chain: Chain, rng: random.Random) -> int:
    cp = conn.execute(select(audit_checkpoints).order_by("id").offset(rng.randrange(len(chain.checkpoints)))).first()
    assert cp is not None
    column = rng.choice(["signature", "hash", "time", "seq", "key_id"])
    new: Any = {
        "signature": lambda: flip(cp.signature, rng),
        "hash": lambda: flip(cp.hash, rng),
        "time": lambda: cp.time + timedelta(microseconds=1),
        "seq": lambda: rng.choice([s for s in range(1, chain.size + 1) if s != cp.seq]),
        "key_id": lambda: "0123456789abcdef",
    }[column]()
    conn.execute(update(audit_checkpoints).where(audit_checkpoints.c.id == cp.id).values({column: new}))
    return new if column == "seq" else int(cp.seq)


def move_head(conn: Connection, chain: Chain, rng: random.Random) -> int:
    change = rng.choice(["up", "down", "hash"])
    if change == "hash":
        conn.execute(update(audit_head).values(hash=flip(chain.hashes[-1], rng)))
        return chain.size
    distance = rng.randint(1, 5)
    if change == "up":
        conn.execute(update(audit_head).values(seq=chain.size + distance))
        return chain.size + 1
    conn.execute(update(audit_head).values(seq=chain.size - distance))
    return chain.size - distance  # the entry there does not end in the head's hash


def relink(conn: Connection, start: int, prev: bytes) -> None:
    """Give entry `start` another previous hash and recompute every hash from there on: each range
    after it is then flawless in itself, and only the link into `start` is broken."""
    changes = []
    for values in conn.execute(select(audit_events).where(audit_events.c.seq >= start).order_by("seq")).all():
        new = forged_hash(prev, values._asdict(), values.seq)
        changes.append({"at": values.seq, "new_prev": prev, "new_hash": new})
        prev = new
    conn.execute(
        update(audit_events)
        .where(audit_events.c.seq == bindparam("at"))
        .values(prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")),
        changes,
    )
    conn.execute(update(audit_head).values(hash=prev))


def rewrite_suffix(conn: Connection, chain: Chain, rng: random.Random) -> int:
    """Alter one entry and recompute every later hash: only a checkpoint can tell."""
    start = rng.randint(1, chain.checkpoints[-1])
    set_row(conn, start, actor="someone_else")
    relink(conn, start, chain.hashes[start - 1])
    return max((seq for seq in chain.checkpoints if seq < start), default=0) + 1


MUTATIONS_BY_KIND: list[Mutation] = [
    modify_bytes,
    modify_text,
    modify_time,
    renumber,
    delete_entry,
    insert_forged,
    swap,
    truncate,
    truncate_with_checkpoints,
    modify_checkpoint,
    move_head,
    rewrite_suffix,
]
