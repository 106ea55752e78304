"""Audit benchmark: what the encrypted, hash-chained audit trail costs (architecture.md, "Audit trail").

Three measurements, each on its own file SQLite database in a temporary folder:

- **append per step**: real `CaseEngine.complete_task` steps (the step benchmark's BPMN and world);
  `AuditVault.append` is wrapped (bench process only, restored afterwards) to time the appends a step
  makes, and in the same run every other step has it replaced by a no-op, so the step latency with
  and without the audit trail can be compared;
- **verify**: a chain of 1,000,000 real events (sealed under per-case data keys, chained with the
  library's canonical header encoding and hash, signed checkpoints every 1,000 events) verified with
  `audit.verify(conn, public_key, checkpoint_log)`, next to the raw SHA-256 rate over exactly the
  bytes the verifier hashes, in memory;
- **rotation**: `AuditVault.rotate` re-wrapping 100,000 data keys under a new key-encryption key.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text

import audit
from audit import CHECKPOINT_EVERY, AuditVault, Checkpoint, FileKeyProvider
from audit import format as p
from audit.tables import data_keys
from bench.report import GcWatch, Latency, Result, latency, machine, machine_line, table
from bench.step import BUNDLES, CHILD, PROCESS, review, world
from engine.bootstrap import CHECKPOINT_LOG, build_engine, initialise
from engine.clock import SystemClock
from engine.persistence.database import WRITE_OPTION, make_engine

TARGET_APPEND_P95_MS = 1.0  # audit time per step, p95
TARGET_VERIFY_RATE = 500_000  # events/s
TARGET_VERIFY_SHARE = 0.10  # verify rate / raw SHA-256 rate over the same bytes

CASES = 25  # cases the timed steps go round-robin over
WARMUP = 50  # untimed steps before the timed ones
CHAIN_CASES = 1000  # the synthetic chain's events are spread over this many case scopes
VERIFY_RUNS = 3  # verify and raw hashing are each timed this often; the median is reported


# --------------------------------------------------------------------------------------------------
# 1. Append overhead per step


@dataclass
class StepRun:
    audit_seconds: list[float] = field(default_factory=list)  # per audited step: sum of its appends
    with_audit: list[float] = field(default_factory=list)  # step latency, appends real (and timed)
    without_audit: list[float] = field(default_factory=list)  # step latency, append a no-op
    appends: int = 0
    checkpoints: int = 0  # checkpoints signed inside the timed appends
    gc_seconds: float = 0.0  # garbage collection inside the audited steps' appends
    templates: list[dict[str, Any]] = field(default_factory=list)  # the appends' arguments, for the chain
    chain_ok: bool = False

    @property
    def types(self) -> list[str]:
        return sorted({t["type"] for t in self.templates})

    @property
    def audit(self) -> Latency:
        return latency(self.audit_seconds)


@contextmanager
def _append_switch(run: StepRun, gc_watch: GcWatch) -> Iterator[Callable[[bool], list[float]]]:
    """Yield `use(audited)`: installs the timed or the no-op `AuditVault.append` and returns the list
    the timed one appends its durations to (one list per step). Restored on exit."""
    original = AuditVault.append
    current: list[float] = []

    def timed(self: AuditVault, conn: Connection, **kwargs: Any) -> int:
        gc_before = gc_watch.seconds
        start = time.perf_counter()
        try:
            return original(self, conn, **kwargs)
        finally:
            current.append(time.perf_counter() - start)
            run.gc_seconds += gc_watch.seconds - gc_before
            if len(run.templates) < 500:
                run.templates.append(kwargs)

    def noop(self: AuditVault, conn: Connection, **kwargs: Any) -> int:
        return 0

    def use(audited: bool) -> list[float]:
        nonlocal current
        current = []
        AuditVault.append = timed if audited else noop  # type: ignore[method-assign]
        return current

    try:
        yield use
    finally:
        AuditVault.append = original  # type: ignore[method-assign]


def _checkpoint_count(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_checkpoints")).scalar_one())


def run_steps(steps_per_mode: int, cases: int, warmup: int, gc_watch: GcWatch) -> StepRun:
    """Alternate audited and no-op steps (ABBA, round-robin over the cases) on one database."""
    run = StepRun()
    with tempfile.TemporaryDirectory(prefix="schutzpfad-bench-audit-") as tmp:
        engine = build_engine(f"sqlite:///{Path(tmp) / 'bench.db'}", SystemClock(), Path(tmp), create_keys=True)
        try:
            initialise(engine, BUNDLES)
            actor = world(engine)
            open_tasks: list[tuple[int, str]] = []  # (completed reviews, open task id) per case
            for _ in range(cases):
                view = engine.open_case(actor, process_key=PROCESS, child=CHILD)
                open_tasks.append((0, view.open_tasks[0].id))

            def step(index: int) -> float:
                done, task_id = open_tasks[index % cases]
                start = time.perf_counter()
                view = engine.complete_task(actor, task_id, review(done))
                seconds = time.perf_counter() - start
                open_tasks[index % cases] = (done + 1, view.open_tasks[0].id)
                return seconds

            for i in range(warmup):  # untimed: caches, statement cache, a few history rows per case
                step(i)
            checkpoints = _checkpoint_count(engine.db)
            with _append_switch(run, gc_watch) as use:
                for i in range(2 * steps_per_mode):
                    audited = (i % 4) in (0, 3)  # ABBA: neither mode always runs first or on the same case
                    appends = use(audited)
                    seconds = step(warmup + i)
                    if audited:
                        run.with_audit.append(seconds)
                        run.audit_seconds.append(sum(appends))
                        run.appends += len(appends)
                    else:
                        run.without_audit.append(seconds)
            run.checkpoints = _checkpoint_count(engine.db) - checkpoints
            run.chain_ok = engine.verify_trail().ok  # the no-op steps left no gap: the chain is intact
        finally:
            engine.db.dispose()
    return run


# --------------------------------------------------------------------------------------------------
# 2. Verify rate


@dataclass
class VerifyRun:
    events: int
    build_seconds: float = 0.0
    db_bytes: int = 0
    hashed_bytes: int = 0
    checkpoints: int = 0
    verify_seconds: list[float] = field(default_factory=list)
    raw_seconds: list[float] = field(default_factory=list)
    fetch_seconds: list[float] = field(default_factory=list)  # the verifier's query alone, no hashing
    single_seconds: list[float] = field(default_factory=list)  # the same verify in one process
    sample_read: int = 0

    @property
    def verify_rate(self) -> float:
        return self.events / statistics.median(self.verify_seconds)

    @property
    def raw_rate(self) -> float:
        return self.events / statistics.median(self.raw_seconds)

    @property
    def fetch_rate(self) -> float:
        return self.events / statistics.median(self.fetch_seconds)


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _database(path: Path) -> Engine:
    """A file SQLite database as the engine opens it (WAL, pragmas), with the audit tables only."""
    db = make_engine(_sqlite_url(path))
    audit.metadata.create_all(db)
    return db


def _payloads(templates: list[dict[str, Any]]) -> list[tuple[str, str | None, str, bytes]]:
    """(actor, organisation, type, canonical JSON payload) of the real `task.completed` appends."""
    real = [t for t in templates if t["type"] == "task.completed"] or templates
    return [(t["actor"], t["organisation"], t["type"], p.encode_json(t["payload"])) for t in real]


def build_chain(path: Path, provider: FileKeyProvider, log: Path, events: int, templates: list[Any]) -> list[bytes]:
    """Write `events` chained events straight into a fresh database; return each event's hash input.

    Each event is made the way `audit._chain.append` makes it — `header_fields` joined with `SEP`,
    the payload sealed with `seal` under its case's data key with `event_aad(header)`, `entry_hash` —
    but in a tight loop with `executemany` instead of one unit of work per event; a checkpoint is signed
    every CHECKPOINT_EVERY events (as appends do at the latest) into the table and the log file.
    """
    payloads = _payloads(templates)
    db = _database(path)
    db.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # building is set-up, not measured
        conn.execute("BEGIN")
        base = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        keys: list[tuple[str, str, bytes]] = []  # (case_ref, scope, data key)
        key_rows = []
        for number in range(1, CHAIN_CASES + 1):
            case_ref = f"KS-2026-{number:06d}"
            scope = f"case:{case_ref}"
            dek = p.new_key()
            kek_id, wrapped = provider.wrap(dek)
            keys.append((case_ref, scope, dek))
            key_rows.append((scope, kek_id, wrapped, base.replace(tzinfo=None).strftime(p.TIME_FORMAT)))
        conn.executemany("INSERT INTO data_keys (scope, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?)", key_rows)

        hash_inputs: list[bytes] = []
        checkpoints: list[Checkpoint] = []
        prev_hash = p.GENESIS_HASH
        start = base.replace(tzinfo=None)
        insert = (
            "INSERT INTO audit_events (seq, time, actor, organisation, case_ref, scope, type, ciphertext, "
            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        chunk: list[tuple[Any, ...]] = []
        for seq in range(1, events + 1):
            actor, organisation, type_, plaintext = payloads[seq % len(payloads)]
            case_ref, scope, dek = keys[(seq // 7) % CHAIN_CASES]  # a few steps per case in a row
            moment = start + timedelta(milliseconds=250 * seq)
            fields = p.header_fields(prev_hash, seq, moment, actor, organisation, case_ref, scope, type_)
            header = p.SEP.join(fields)
            ciphertext = p.seal(dek, plaintext, p.event_aad(header))
            entry_hash = p.entry_hash(header, ciphertext)
            hash_inputs.append(header + p.SEP + ciphertext)
            chunk.append(
                (
                    seq,
                    fields[2].decode(),
                    actor,
                    organisation,
                    case_ref,
                    scope,
                    type_,
                    ciphertext,
                    prev_hash,
                    entry_hash,
                )
            )
            prev_hash = entry_hash
            if seq % CHECKPOINT_EVERY == 0:
                key_id, signature = provider.sign_checkpoint(p.checkpoint_message(seq, entry_hash, moment))
                checkpoints.append(Checkpoint(seq, entry_hash, moment.replace(tzinfo=UTC), key_id, signature))
            if len(chunk) == 50_000:
                conn.executemany(insert, chunk)
                chunk = []
        if chunk:
            conn.executemany(insert, chunk)
        conn.executemany(
            "INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (?, ?, ?, ?, ?)",
            [
                (cp.seq, cp.hash, cp.time.replace(tzinfo=None).strftime(p.TIME_FORMAT), cp.key_id, cp.signature)
                for cp in checkpoints
            ],
        )
        last = checkpoints[-1] if checkpoints else None
        conn.execute(
            "INSERT INTO audit_head (id, seq, hash, checkpoint_seq, checkpoint_time) VALUES (1, ?, ?, ?, ?)",
            (
                events,
                prev_hash,
                last.seq if last else 0,
                last.time.replace(tzinfo=None).strftime(p.TIME_FORMAT) if last else None,
            ),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    log.write_text("".join(cp.to_json() + "\n" for cp in checkpoints), encoding="utf-8")
    return hash_inputs


def _fetch_only(path: Path, events: int) -> float:
    """The verifier's own query and batch size, rows fetched and dropped: the database's share."""
    conn = sqlite3.connect(path)
    conn.text_factory = bytes
    try:
        start = time.perf_counter()
        cursor = conn.execute(p.SQLITE_SCAN, (events,))
        fetched = 0
        while rows := cursor.fetchmany(1000):
            fetched += len(rows)
        seconds = time.perf_counter() - start
    finally:
        conn.close()
    assert fetched == events, (fetched, events)
    return seconds


def _raw_sha256(hash_inputs: list[bytes]) -> float:
    sha256 = hashlib.sha256
    start = time.perf_counter()
    for data in hash_inputs:
        sha256(data).digest()
    return time.perf_counter() - start


def run_verify(events: int, templates: list[dict[str, Any]]) -> VerifyRun:
    run = VerifyRun(events)
    with tempfile.TemporaryDirectory(prefix="schutzpfad-bench-verify-") as tmp:
        instance = Path(tmp)
        provider = FileKeyProvider.create(instance)
        log = instance / CHECKPOINT_LOG
        path = instance / "chain.db"
        gc.disable()  # a million tuples: the collector would only rescan them
        try:
            started = time.perf_counter()
            hash_inputs = build_chain(path, provider, log, events, templates)
            run.build_seconds = time.perf_counter() - started
        finally:
            gc.enable()
        gc.collect()
        gc.freeze()  # the hash inputs stay alive: keep them out of later collections
        try:
            run.db_bytes = path.stat().st_size
            run.hashed_bytes = sum(map(len, hash_inputs))
            run.checkpoints = events // CHECKPOINT_EVERY
            public_key = provider.export_public_key()
            db = make_engine(_sqlite_url(path))
            try:
                for _ in range(VERIFY_RUNS):
                    with db.connect() as conn, conn.begin():
                        start = time.perf_counter()
                        result = audit.verify(conn, public_key, log)
                        run.verify_seconds.append(time.perf_counter() - start)
                    assert result.ok and result.checked == events, result
                    with db.connect() as conn, conn.begin():
                        start = time.perf_counter()
                        single = audit.verify(conn, public_key, log, workers=1)
                        run.single_seconds.append(time.perf_counter() - start)
                    assert single == result
                    run.raw_seconds.append(_raw_sha256(hash_inputs))
                    run.fetch_seconds.append(_fetch_only(path, events))
                # The events are real: one case's events decrypt with the vault's ordinary read.
                vault = AuditVault(provider, log)
                with db.connect() as conn, conn.begin():
                    run.sample_read = sum(1 for _ in vault.read(conn, case_ref="KS-2026-000001"))
                assert run.sample_read > 0
            finally:
                db.dispose()
        finally:
            del hash_inputs
            gc.unfreeze()
            gc.collect()
    return run


# --------------------------------------------------------------------------------------------------
# 3. Key rotation


@dataclass
class RotationRun:
    keys: int
    seconds: float = 0.0
    setup_seconds: float = 0.0
    batches: int = 0
    crypto_per_key_us: float = 0.0  # unwrap + wrap alone, per key (a sample, outside the timed call)


def run_rotation(keys: int) -> RotationRun:
    run = RotationRun(keys)
    with tempfile.TemporaryDirectory(prefix="schutzpfad-bench-rotate-") as tmp:
        instance = Path(tmp)
        provider = FileKeyProvider.create(instance)
        vault = AuditVault(provider, instance / CHECKPOINT_LOG)
        db = _database(instance / "keys.db")
        try:
            started = time.perf_counter()
            created = datetime(2026, 1, 5, 8, 0).strftime(p.TIME_FORMAT)
            with db.begin() as conn:
                rows = []
                for number in range(1, keys + 1):
                    kek_id, wrapped = provider.wrap(p.new_key())
                    rows.append({"scope": f"case:KS-2026-{number:06d}", "kek_id": kek_id, "wrapped": wrapped})
                conn.execute(data_keys.insert(), rows)
                conn.execute(text("UPDATE data_keys SET created_at = :created"), {"created": created})
            run.setup_seconds = time.perf_counter() - started
            old_kek = provider.current_kek_id()

            @contextmanager
            def begin() -> Iterator[Connection]:
                """As `CaseEngine.rotate_keys` passes it: a writing transaction (BEGIN IMMEDIATE)."""
                with db.connect() as connection:
                    connection = connection.execution_options(**{WRITE_OPTION: True})
                    with connection.begin():
                        yield connection

            def progress(done: int, total: int) -> None:
                run.batches += 1

            start = time.perf_counter()
            report = vault.rotate(begin, progress)
            run.seconds = time.perf_counter() - start
            run.batches -= 1  # the first call reports (0, total) before any batch
            assert report.rewrapped == keys and not report.resumed, report
            with db.connect() as conn:
                left = conn.execute(select(func.count()).where(data_keys.c.kek_id != report.kek_id)).scalar_one()
                assert left == 0, left
                vault.check(conn)
                sample = conn.execute(select(data_keys.c.kek_id, data_keys.c.wrapped).limit(2000)).all()
            start = time.perf_counter()
            for kek_id, wrapped in sample:
                provider.wrap(provider.unwrap(kek_id, wrapped))
            run.crypto_per_key_us = (time.perf_counter() - start) / len(sample) * 1e6
            assert old_kek != report.kek_id
        finally:
            db.dispose()
    return run


# --------------------------------------------------------------------------------------------------
# Report


def _ms(x: float) -> str:
    return f"{x:.3f}"


def _rate(x: float) -> str:
    return f"{x:,.0f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def run(*, quick: bool = False) -> Result:
    steps_per_mode = 150 if quick else 1000
    chain_events = 100_000 if quick else 1_000_000
    rotation_keys = 10_000 if quick else 100_000
    load_before = os.getloadavg()
    started = time.perf_counter()

    with GcWatch() as gc_watch:
        steps = run_steps(steps_per_mode, cases=CASES, warmup=WARMUP, gc_watch=gc_watch)
    chain = run_verify(chain_events, steps.templates)
    rotation = run_rotation(rotation_keys)
    elapsed = time.perf_counter() - started

    audited, plain, audit_time = latency(steps.with_audit), latency(steps.without_audit), steps.audit
    verify_share = chain.verify_rate / chain.raw_rate
    step_rows = table(
        ("per step", "steps", "median ms", "p95 ms", "mean ms", "max ms"),
        [
            (
                "audit time: the step's `AuditVault.append` calls",
                audit_time.n,
                _ms(audit_time.median_ms),
                _ms(audit_time.p95_ms),
                _ms(audit_time.mean_ms),
                _ms(audit_time.max_ms),
            ),
            (
                "`complete_task` with the audit trail",
                audited.n,
                _ms(audited.median_ms),
                _ms(audited.p95_ms),
                _ms(audited.mean_ms),
                _ms(audited.max_ms),
            ),
            (
                "`complete_task`, `AuditVault.append` a no-op",
                plain.n,
                _ms(plain.median_ms),
                _ms(plain.p95_ms),
                _ms(plain.mean_ms),
                _ms(plain.max_ms),
            ),
            (
                "difference (with − without)",
                "",
                _ms(audited.median_ms - plain.median_ms),
                _ms(audited.p95_ms - plain.p95_ms),
                _ms(audited.mean_ms - plain.mean_ms),
                "",
            ),
        ],
    )
    verify_s = statistics.median(chain.verify_seconds)
    raw_s = statistics.median(chain.raw_seconds)
    fetch_s = statistics.median(chain.fetch_seconds)
    single_s = statistics.median(chain.single_seconds)

    def verify_row(label: str, seconds: float, runs: list[float] | None) -> tuple[str, ...]:
        return (
            label,
            f"{seconds:.2f}",
            f"{seconds / chain.events * 1e6:.2f}",
            _rate(chain.events / seconds),
            f"{chain.hashed_bytes / seconds / 1e6:.0f}",
            ", ".join(f"{s:.2f}" for s in runs) if runs else "",
        )

    verify_rows = table(
        ("over the same events", "median s", "µs/event", "events/s", "MB/s of hash input", "runs (s)"),
        [
            verify_row(
                "`audit.verify(conn, public_key, checkpoint_log)` (ranges in worker processes)",
                verify_s,
                chain.verify_seconds,
            ),
            verify_row("the same verify in one process (`workers=1`)", single_s, chain.single_seconds),
            verify_row(
                "… the verifier's query alone in one process (rows fetched, nothing hashed)",
                fetch_s,
                chain.fetch_seconds,
            ),
            verify_row("raw SHA-256 of the same bytes, in memory", raw_s, chain.raw_seconds),
        ],
    )
    targets = table(
        ("target", "measured", ""),
        [
            (
                f"audit append ≤ {TARGET_APPEND_P95_MS:g} ms p95 on top of a step",
                f"{_ms(audit_time.p95_ms)} ms p95 (median {_ms(audit_time.median_ms)} ms); step latency "
                f"+{_ms(audited.median_ms - plain.median_ms)} ms median, "
                f"+{_ms(audited.p95_ms - plain.p95_ms)} ms p95",
                _verdict(audit_time.p95_ms <= TARGET_APPEND_P95_MS),
            ),
            (
                f"verify ≥ {TARGET_VERIFY_RATE:,} events/s ({chain.events:,} events)",
                f"{_rate(chain.verify_rate)} events/s",
                _verdict(chain.verify_rate >= TARGET_VERIFY_RATE),
            ),
            (
                f"verify ≥ {TARGET_VERIFY_SHARE:.0%} of the raw SHA-256 rate over the same bytes",
                f"{verify_share:.0%} ({_rate(chain.verify_rate)} / {_rate(chain.raw_rate)} events/s)",
                _verdict(verify_share >= TARGET_VERIFY_SHARE),
            ),
            (
                f"key rotation, {rotation.keys:,} data keys (no target: recorded)",
                f"{rotation.seconds:.1f} s, {_rate(rotation.keys / rotation.seconds)} keys/s",
                "—",
            ),
        ],
    )
    mode = "quick smoke run" if quick else "full run"
    load = ", ".join(f"{x:.2f}" for x in load_before)
    types = ", ".join(f"`{t}`" for t in steps.types)
    per_key_us = rotation.seconds / rotation.keys * 1e6
    appends_per_step = steps.appends / max(1, audit_time.n)
    verify_reading = (
        f"Reading: in one process the query alone takes {fetch_s / single_s:.0%} of the verify time "
        f"({fetch_s / chain.events * 1e6:.2f} µs per event: SQLite hands over ten columns per row, each a new "
        f"Python object), which caps a single scan at {_rate(chain.fetch_rate)} events/s. A chain longer than "
        "200,000 events is therefore verified in contiguous ranges by worker processes (one per core, at most "
        "four); the parent checks the seams between the ranges, the counts and the checkpoints, and re-scans "
        f"a failing range alone so that the first bad sequence number is the same as in one process. "
        f"Speed-up over one process in this run: ×{single_s / verify_s:.2f}."
    )
    body = f"""Measured {machine_line(machine())}; {mode}, {elapsed:.0f} s in all
(load average before the run: {load}). Run: `make bench` or `.venv/bin/python -m bench --only audit`.

{targets}

**Append per step.** {steps_per_mode} steps with the audit trail and {steps_per_mode} without,
alternating ABBA, each one call of `CaseEngine.complete_task` on the review task of
`bench/bundles/review_loop/1` (round-robin over {CASES} cases, after {WARMUP} untimed warm-up steps;
the world and the file SQLite database as in the step benchmark, real clock). *Audit time* is the sum
of the `AuditVault.append` calls made inside one step ({appends_per_step:.2f} per step: {types}), timed
by a wrapper set on the class in the bench process only and removed afterwards: header checks,
canonical JSON, lock of the chain head, the case's data key read and unwrapped, AES-256-GCM sealing,
the entry hash, the event insert (four indexes), the head update, and the checkpoints that fell due
({steps.checkpoints} inside the timed steps: an Ed25519 signature, a row and an fsync'd line in
`audit-checkpoints.jsonl`). *Without*: `AuditVault.append` replaced by a no-op, so the difference of
the step latencies also holds what the appends add at commit (index and WAL pages). Garbage collection
inside the timed appends: {steps.gc_seconds * 1000:.1f} ms in all. The chain verified intact
afterwards: {"yes" if steps.chain_ok else "**no**"}.

{step_rows}

**Verify.** A chain of {chain.events:,} events, written straight into a fresh SQLite file
({chain.db_bytes / 1e6:.0f} MB, the audit tables as the migrations create them) in
{chain.build_seconds:.0f} s (untimed): each event made with the library's primitives as `append`
makes it — `header_fields` joined by 0x1F; the payload, the canonical JSON of one of the step run's
real {types} events, sealed with AES-256-GCM under one of {CHAIN_CASES:,} case data keys with the
header as associated data; `entry_hash` — but inserted with `executemany` instead of one transaction
each, and a signed checkpoint every {CHECKPOINT_EVERY:,} events ({chain.checkpoints:,}, in the table
and in the log). Timed: `audit.verify(conn, public_key, checkpoint_log)` end to end — log and
checkpoint signatures, the scan of every row with hashing and linking, the tail checks —
{VERIFY_RUNS} runs, median, each `ok` with {chain.events:,} entries checked; one case's events then
decrypt with `AuditVault.read` ({chain.sample_read} read). *Raw SHA-256*: exactly the bytes the
verifier hashes (header ‖ 0x1F ‖ ciphertext, {chain.hashed_bytes / chain.events:.0f} bytes per event
on average), kept in memory from building the chain and hashed with `hashlib.sha256(b).digest()` in a
Python loop, in the same run. *Query alone*: the verifier's SQL and batch size (1,000 rows) on a plain
`sqlite3` connection, rows fetched and dropped.

{verify_rows}

{verify_reading}

**Rotation.** {rotation.keys:,} data keys wrapped under the current key-encryption key (inserted
untimed, {rotation.setup_seconds:.0f} s). Timed: `AuditVault.rotate(begin, progress)` end to end,
`begin` a writing transaction (`BEGIN IMMEDIATE`) as `CaseEngine.rotate_keys` passes it: a new KEK
file, then {rotation.batches} committed batches of 500 in which every key is unwrapped with the old
KEK, wrapped with the new one and updated — {rotation.seconds:.1f} s, {per_key_us:.0f} µs per key, of
which unwrap + wrap alone take {rotation.crypto_per_key_us:.0f} µs (a sample of 2,000, timed
afterwards). Afterwards no key is left under the old KEK and `AuditVault.check` passes.
"""
    figures = {
        "append_ms": vars(audit_time),
        "step_with_audit_ms": vars(audited),
        "step_without_audit_ms": vars(plain),
        "appends_per_step": steps.appends / max(1, audit_time.n),
        "checkpoints_in_timed_steps": steps.checkpoints,
        "verify_events": chain.events,
        "verify_rate": chain.verify_rate,
        "raw_sha256_rate": chain.raw_rate,
        "fetch_rate": chain.fetch_rate,
        "verify_share": verify_share,
        "rotation_keys": rotation.keys,
        "rotation_seconds": rotation.seconds,
        "seconds": elapsed,
    }
    return Result(name="audit", heading="## Audit benchmark", body=body, figures=figures)
