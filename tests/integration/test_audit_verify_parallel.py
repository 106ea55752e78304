"""Verify split over worker processes gives exactly the single scan's verdict — sequence number and
reason included — for the frozen tamper vectors, for random single mutations, and for tampering at the
seams between the ranges; and it steps aside (the caller scans alone) wherever workers would not see
what the caller sees or cannot run.

Most comparisons run the range tasks in a thread pool (`pool=`): the same tasks, each on a connection
of its own, without an interpreter start per verify; a few start the real worker processes. Workers
see committed data only, so every mutation here is committed, and undone afterwards.
"""

from __future__ import annotations

import inspect
import json
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, delete, insert, select, update

import audit
from audit import AuditVault, _verify, metadata
from audit import _primitives as p
from audit import _verify_parallel as parallel
from audit.tables import audit_checkpoints, audit_events, audit_head
from engine.persistence.database import make_engine
from tests.support.audit_chains import MUTATIONS_BY_KIND, Chain, Mutation, build_chain, relink
from tests.vectors.audit.make_vectors import HERE, PUBLIC_FILE, load_into

TABLES = [audit_events, audit_checkpoints, audit_head]
VECTORS = sorted(path.stem for path in HERE.glob("*.json") if path.stem != "fields")


class CountingPool(ThreadPoolExecutor):
    """Runs the range tasks in threads, and counts them: proof that verify did split the scan."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.tasks = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.tasks += 1
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def pool() -> Iterator[CountingPool]:
    with CountingPool() as threads:
        yield threads


@pytest.fixture
def joins(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many ranges each verify that used the workers' reports joined."""
    joined: list[int] = []
    original = _verify._join

    def counting(conn: Connection, reports: Any, *args: Any) -> Any:
        joined.append(len(reports))
        return original(conn, reports, *args)

    monkeypatch.setattr(_verify, "_join", counting)
    return joined


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {table.name: [dict(row._mapping) for row in conn.execute(select(table))] for table in TABLES}


def restore(engine: Engine, saved: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(delete(table))
            if saved[table.name]:
                conn.execute(insert(table), saved[table.name])


@pytest.fixture(scope="module")
def sqlite_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    folder = tmp_path_factory.mktemp("parallel")
    engine = make_engine(f"sqlite:///{folder / 'audit.db'}")
    yield build_chain(engine, folder, 300, seed=8)
    engine.dispose()


def both(
    conn: Connection, keys: list[bytes], log: Path | None, *, workers: int, batch: int, pool: CountingPool | None
) -> tuple[audit.VerifyResult, audit.VerifyResult]:
    """(the single scan's verdict, the split scan's verdict) on the same transaction."""
    alone = _verify.verify(conn, keys, log, batch, workers=1)
    split = _verify.verify(conn, keys, log, batch, workers=workers, parallel_threshold=0, pool=pool)
    return alone, split


def mutated(chain: Chain, mutate: Callable[[Connection], object]) -> None:
    with chain.engine.begin() as conn:  # committed: the workers read through connections of their own
        mutate(conn)


# -- the verdicts agree -------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [2, 3, 4])
@pytest.mark.parametrize("name", VECTORS)
def test_vectors_same_verdict(
    name: str, workers: int, tmp_path: Path, pool: CountingPool, joins: list[int], vector_cache: dict[str, Any]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'vector.db'}")
    try:
        metadata.create_all(engine)
        log = tmp_path / "audit-checkpoints.jsonl"
        with engine.begin() as conn:
            load_into(conn, vector_cache[name], log)
        with engine.connect() as conn, conn.begin():
            alone, split = both(conn, [PUBLIC_FILE.read_bytes()], log, workers=workers, batch=2, pool=pool)
    finally:
        engine.dispose()
    assert split == alone
    assert (alone.ok, alone.first_bad_seq) == (
        vector_cache[name]["expected"]["ok"],
        vector_cache[name]["expected"]["first_bad_seq"],
    )
    assert pool.tasks == min(workers, vector_cache[name]["head"][0]["seq"]) and len(joins) == 1


@pytest.fixture(scope="module")
def vector_cache() -> dict[str, Any]:
    return {name: json.loads((HERE / f"{name}.json").read_text()) for name in VECTORS}


def test_random_mutations_same_verdict(sqlite_chain: Chain, pool: CountingPool, joins: list[int]) -> None:
    chain, rng = sqlite_chain, random.Random(20260303)
    pristine = snapshot(chain.engine)
    differing: list[str] = []
    for number in range(240):
        mutate, workers, batch = rng.choice(MUTATIONS), rng.choice([2, 3, 4]), rng.choice([1, 7, 50, 1000])
        with chain.engine.begin() as conn:  # committed: the workers read through connections of their own
            expected = mutate(conn, chain, rng)
        try:
            with chain.engine.connect() as conn, conn.begin():
                alone, split = both(conn, [chain.public_key], chain.log, workers=workers, batch=batch, pool=pool)
        finally:
            restore(chain.engine, pristine)
        assert not alone.ok and alone.first_bad_seq == expected, (mutate.__name__, alone)
        if split != alone:
            differing.append(f"#{number} {mutate.__name__} ({workers} workers, batch {batch}): {alone} ≠ {split}")
    assert not differing, "\n".join(differing[:20])
    assert len(joins) == 240


def relink_suffix(conn: Connection, chain: Chain, rng: random.Random) -> int:
    start = rng.randint(1, chain.size)
    relink(conn, start, rng.randbytes(32))
    return start


MUTATIONS: list[Mutation] = [*MUTATIONS_BY_KIND, relink_suffix]


def seam_mutations(chain: Chain, workers: int) -> list[tuple[str, Callable[[Connection], object]]]:
    """Tampering right at the borders of the ranges `workers` workers get, where a range's first
    link is only checked by the join."""
    found: list[tuple[str, Callable[[Connection], object]]] = []
    for _after, upto in parallel.split(chain.size, workers)[:-1]:
        for seq in (upto, upto + 1):
            found += [
                (f"delete {seq}", lambda c, s=seq: c.execute(delete(audit_events).where(audit_events.c.seq == s))),
                (
                    f"prev_hash of {seq}",
                    lambda c, s=seq: c.execute(
                        update(audit_events).where(audit_events.c.seq == s).values(prev_hash=bytes(32))
                    ),
                ),
                (
                    f"hash of {seq}",
                    lambda c, s=seq: c.execute(
                        update(audit_events).where(audit_events.c.seq == s).values(hash=bytes(32))
                    ),
                ),
                (
                    f"actor of {seq}",
                    lambda c, s=seq: c.execute(update(audit_events).where(audit_events.c.seq == s).values(actor="x")),
                ),
            ]
        found += [
            (f"swap {upto} and {upto + 1}", lambda c, s=upto: _swap(c, s, s + 1)),
            (f"relink from {upto + 1}", lambda c, s=upto: relink(c, s + 1, bytes(32))),
            (f"relink from {upto}", lambda c, s=upto: relink(c, s, bytes(32))),
        ]
    found += [
        ("an entry numbered 0", lambda c: _copy_entry(c, 1, 0)),
        ("an entry numbered -5", lambda c: _copy_entry(c, 1, -5)),
        ("head one further", lambda c: c.execute(update(audit_head).values(seq=chain.size + 1))),
        ("all checkpoints gone", lambda c: c.execute(delete(audit_checkpoints))),
    ]
    return found


def _swap(conn: Connection, first: int, second: int) -> None:
    rows = {
        row.seq: row._asdict()
        for row in conn.execute(select(audit_events).where(audit_events.c.seq.in_([first, second])))
    }
    for at, source in ((first, second), (second, first)):
        values = {k: v for k, v in rows[source].items() if k != "seq"}
        conn.execute(update(audit_events).where(audit_events.c.seq == at).values(**values))


def _copy_entry(conn: Connection, source: int, target: int) -> None:
    row = conn.execute(select(audit_events).where(audit_events.c.seq == source)).one()._asdict()
    conn.execute(insert(audit_events).values({**row, "seq": target}))


@pytest.mark.parametrize("workers", [2, 3, 4])
@pytest.mark.parametrize("signed", [True, False], ids=["checkpoints", "no checkpoints"])
def test_tampering_at_the_seams_same_verdict(
    sqlite_chain: Chain, workers: int, signed: bool, pool: CountingPool, joins: list[int]
) -> None:
    """Without checkpoints, only the join's link check sees a range that was rewritten from its start."""
    chain = sqlite_chain
    pristine = snapshot(chain.engine)
    differing = []
    cases = seam_mutations(chain, workers)
    for label, mutate in cases:
        mutated(chain, mutate)
        if not signed:
            mutated(chain, lambda c: c.execute(delete(audit_checkpoints)))
        try:
            with chain.engine.connect() as conn, conn.begin():
                log = chain.log if signed else None
                alone, split = both(conn, [chain.public_key], log, workers=workers, batch=10, pool=pool)
        finally:
            restore(chain.engine, pristine)
        assert label == "all checkpoints gone" or not alone.ok, label
        if split != alone:
            differing.append(f"{label}: {alone} ≠ {split}")
    assert not differing, "\n".join(differing)
    assert len(joins) == len(cases)


def test_intact_chain_same_verdict(sqlite_chain: Chain, pool: CountingPool, joins: list[int]) -> None:
    with sqlite_chain.engine.connect() as conn, conn.begin():
        for workers in (2, 3, 4):
            alone, split = both(
                conn, [sqlite_chain.public_key], sqlite_chain.log, workers=workers, batch=1000, pool=pool
            )
            assert alone.ok and alone.checked == sqlite_chain.size and split == alone
    assert joins == [2, 3, 4]


def test_real_worker_processes(sqlite_chain: Chain, joins: list[int]) -> None:
    chain = sqlite_chain
    pristine = snapshot(chain.engine)
    with chain.engine.connect() as conn, conn.begin():
        alone, split = both(conn, [chain.public_key], chain.log, workers=3, batch=20, pool=None)
    assert alone.ok and split == alone
    mutated(chain, lambda c: c.execute(update(audit_events).where(audit_events.c.seq == 250).values(actor="x")))
    try:
        with chain.engine.connect() as conn, conn.begin():
            alone, split = both(conn, [chain.public_key], chain.log, workers=2, batch=20, pool=None)
    finally:
        restore(chain.engine, pristine)
    assert alone.first_bad_seq == 250 and split == alone
    assert joins == [3, 2]


def test_same_verdict_on_both_databases(database_url: str, tmp_path: Path, joins: list[int]) -> None:
    engine = make_engine(database_url)
    try:
        chain = build_chain(engine, tmp_path / "instance", 100, seed=3)
        assert len(chain.checkpoints) >= 3
        pristine = snapshot(engine)
        rng = random.Random(7)
        with engine.connect() as conn, conn.begin():
            alone, split = both(conn, [chain.public_key], chain.log, workers=2, batch=5, pool=None)  # real workers
        assert alone.ok and split == alone
        with CountingPool() as threads:
            for mutate in MUTATIONS:
                with engine.begin() as conn:
                    mutate(conn, chain, rng)
                try:
                    with engine.connect() as conn, conn.begin():
                        alone, split = both(conn, [chain.public_key], chain.log, workers=3, batch=4, pool=threads)
                finally:
                    restore(engine, pristine)
                assert not alone.ok and split == alone, mutate.__name__
    finally:
        engine.dispose()
    assert len(joins) == 1 + len(MUTATIONS)


# -- where the caller scans alone ---------------------------------------------------------------


def test_uncommitted_changes_are_verified_alone(database_url: str, tmp_path: Path, joins: list[int]) -> None:
    engine = make_engine(database_url)
    try:
        chain = build_chain(engine, tmp_path / "instance", 40, seed=5)
        with CountingPool() as threads, engine.connect() as conn:  # rolled back when closed
            conn.begin()
            assert parallel.reopen(conn) is not None  # nothing written yet: workers would see the same
            conn.execute(update(audit_events).where(audit_events.c.seq == 17).values(actor="x"))
            assert parallel.reopen(conn) is None  # the workers would not see the change
            alone, split = both(conn, [chain.public_key], chain.log, workers=2, batch=5, pool=threads)
            assert alone.first_bad_seq == 17 and split == alone
            assert threads.tasks == 0
    finally:
        engine.dispose()
    assert joins == []


def test_in_memory_sqlite_is_verified_alone(tmp_path: Path) -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    try:
        with engine.connect() as conn:
            assert parallel.reopen(conn) is None
    finally:
        engine.dispose()


def test_workers_that_cannot_run_leave_the_scan_to_the_caller(
    sqlite_chain: Chain, monkeypatch: pytest.MonkeyPatch, joins: list[int]
) -> None:
    chain = sqlite_chain

    class Refusing(ThreadPoolExecutor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            raise RuntimeError("cannot schedule new futures after shutdown")

    class Failing(ThreadPoolExecutor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            return super().submit(lambda: 1 / 0)

    with chain.engine.connect() as conn, conn.begin():
        alone = _verify.verify(conn, [chain.public_key], chain.log, workers=1)
        with Failing() as failing:
            assert (
                _verify.verify(conn, [chain.public_key], chain.log, workers=2, parallel_threshold=0, pool=failing)
                == alone
            )
        with Refusing() as refusing:
            assert (
                _verify.verify(conn, [chain.public_key], chain.log, workers=2, parallel_threshold=0, pool=refusing)
                == alone
            )
        monkeypatch.setattr(sys, "executable", str(Path(sys.executable).parent / "no-such-python"))
        assert _verify.verify(conn, [chain.public_key], chain.log, workers=2, parallel_threshold=0) == alone
    assert joins == []


def test_a_worker_that_fails_yields_no_reports(tmp_path: Path) -> None:
    task = (("sqlite", [str(tmp_path)], {}), 0, 10, [], 5)  # a folder, not a database
    with parallel.run([task, task]) as reports:
        assert reports() is None


def test_the_callers_unguarded_script_does_not_run_again_in_the_workers(sqlite_chain: Chain, tmp_path: Path) -> None:
    # multiprocessing's spawn would import the main script in every worker: this one has no
    # `if __name__ == "__main__"` guard, as an auditor's quick script might not.
    script = tmp_path / "check.py"
    runs = tmp_path / "runs.txt"
    script.write_text(
        textwrap.dedent(
            f"""
            from pathlib import Path
            from sqlalchemy import create_engine
            from audit import _verify

            with open({str(runs)!r}, "a") as runs:
                runs.write("ran\\n")
            joined = []
            original = _verify._join
            _verify._join = lambda conn, reports, *a: joined.append(len(reports)) or original(conn, reports, *a)
            engine = create_engine({str(chain_url(sqlite_chain))!r})
            with engine.connect() as conn:
                result = _verify.verify(conn, [{sqlite_chain.public_key!r}], Path({str(sqlite_chain.log)!r}),
                                        workers=2, parallel_threshold=0)
            print(result.ok, result.checked, joined)
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.split() == ["True", str(sqlite_chain.size), "[2]"], done.stderr
    assert runs.read_text() == "ran\n"


def chain_url(chain: Chain) -> str:
    return chain.engine.url.render_as_string(hide_password=False)


# -- pieces ---------------------------------------------------------------------------------------


def test_the_worker_module_hashes_with_the_header_separator() -> None:
    assert parallel.SEP == p.SEP


@pytest.mark.parametrize(("last", "parts"), [(1, 1), (1, 4), (2, 3), (10, 3), (12, 4), (1_000_000, 3), (7, 7)])
def test_split_covers_every_entry_once_in_order(last: int, parts: int) -> None:
    ranges = parallel.split(last, parts)
    assert len(ranges) == min(parts, last)
    assert ranges[0][0] == 0 and ranges[-1][1] == last
    assert all(after < upto for after, upto in ranges)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_default_workers_is_bounded() -> None:
    assert 1 <= parallel.default_workers() <= parallel.MAX_WORKERS


def test_public_signatures_unchanged() -> None:
    assert list(inspect.signature(audit.verify).parameters) == ["conn", "public_keys", "checkpoint_log", "workers"]
    assert inspect.signature(audit.verify).parameters["workers"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(AuditVault.verify).parameters) == ["self", "conn"]
