"""The part of `verify` that runs in worker processes — the scan query and the batch check — and the
running of those workers.

Why workers: one process scans a few hundred thousand entries a second, much of it the database
driver handing over Python objects (four per row, since the database joins the hash input; ten
before). A long chain is therefore cut into contiguous ranges of sequence numbers, each checked
by a worker process on a connection of its own, while the caller checks the checkpoint signatures;
`_verify` decides when, and joins what the workers report.

This module imports nothing but the standard library (and the database driver, to connect), and a
worker loads it by its file name, not as part of the `audit` package: a worker is ready in some 40 ms
instead of the 300 ms that importing the library with SQLAlchemy and cryptography takes. That is
why the query and the batch check live here; `_verify`'s single-process scan uses the same ones.

When: only where a worker sees what the caller's transaction sees — a database another process can
open (a SQLite file, or PostgreSQL through psycopg; never an in-memory SQLite) and a transaction that
has not written yet (a worker would not see its uncommitted rows). Entries that others append and
commit meanwhile lie behind the head the caller read, which bounds every range.

How: workers are fresh interpreters (`sys.executable -c …`, which is what multiprocessing's `spawn`
does): the server runs threads, and a forked child could inherit a lock held by one of them. Not
multiprocessing itself, because its `spawn` re-runs the caller's main script in every worker unless
that script guards itself with `if __name__ == "__main__"` — an auditor's ad-hoc script calling
`audit.verify` would run again in each worker. A worker reads the caller's import path and its task
from stdin and writes its report to stdout (pickles between this process and its own children). If
anything goes wrong — no interpreter, a worker cannot connect, fails or dies — there is no report,
and the caller scans alone as before.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy import Connection

#: The header separator, `_primitives.SEP` (not imported: see above; a unit test compares them).
SEP = b"\x1f"

#: More workers than this gain little: the ranges then compete for the same disk and database.
MAX_WORKERS = 4

# One row of the scan: 0 the hash input, 1 prev_hash, 2 seq, 3 hash. The hash input is joined by the
# database, exactly as `_primitives.header_fields` encodes it (prev_hash, the text fields, the ciphertext,
# separated by 0x1F; SQLite: the stored text itself, read as bytes; PostgreSQL: `convert_to`/`to_char`),
# so that a row costs the driver four Python objects instead of ten and needs no Python work before it
# is hashed. A NULL in any part makes the whole input NULL: the entry then fails as altered.
_SQLITE_COLUMNS = (
    f" || x'{SEP.hex()}' || ".join(
        ("prev_hash", "CAST(seq AS TEXT)", "time", "actor", "coalesce(organisation, x'00')")
        + ("coalesce(case_ref, x'00')", "scope", "type", "ciphertext")
    )
    + ", prev_hash, seq, hash FROM audit_events"
)
SQLITE_SCAN = f"SELECT {_SQLITE_COLUMNS} WHERE seq <= ? ORDER BY seq"
SQLITE_SCAN_AFTER = f"SELECT {_SQLITE_COLUMNS} WHERE seq > ? AND seq <= ? ORDER BY seq"
_POSTGRESQL_COLUMNS = (
    f" || decode('{SEP.hex()}', 'hex') || ".join(
        ("prev_hash", "convert_to(seq::text, 'UTF8')", "convert_to(to_char(time, 'YYYY-MM-DD HH24:MI:SS.US'), 'UTF8')")
        + ("convert_to(actor, 'UTF8')", "coalesce(convert_to(organisation, 'UTF8'), decode('00', 'hex'))")
        + ("coalesce(convert_to(case_ref, 'UTF8'), decode('00', 'hex'))", "convert_to(scope, 'UTF8')")
        + ("convert_to(type, 'UTF8')", "ciphertext")
    )
    + ", prev_hash, seq, hash FROM audit_events"
)
POSTGRESQL_SCAN = f"SELECT {_POSTGRESQL_COLUMNS} WHERE seq <= %s ORDER BY seq"
POSTGRESQL_SCAN_AFTER = f"SELECT {_POSTGRESQL_COLUMNS} WHERE seq > %s AND seq <= %s ORDER BY seq"
#: Where a scanned row holds what (see above).
INPUT, PREV_HASH, SEQ, HASH = 0, 1, 2, 3

Batches = Callable[[int], Iterator[list[Any]]]


@contextmanager
def open_scan(raw: Any, dialect: str, after: int, upto: int) -> Iterator[Batches]:
    """On a DBAPI connection, yield `batches(size)`: the rows of the entries `after < seq ≤ upto` in
    sequence order — of all entries up to `upto` if `after` is 0, so that a walk from the start also
    meets any entry numbered 0 or below."""
    if dialect == "sqlite":
        previous = raw.text_factory
        raw.text_factory = bytes  # hash the stored text as it is: no decode, no re-encode
        cursor = raw.cursor()
        try:
            cursor.execute(*((SQLITE_SCAN_AFTER, (after, upto)) if after else (SQLITE_SCAN, (upto,))))
            yield lambda size: iter(lambda: cursor.fetchmany(size), [])
        finally:
            cursor.close()
            raw.text_factory = previous
    elif dialect == "postgresql":
        # Server-side (the chain never sits in memory), binary (bytea arrives raw instead of hex-encoded).
        cursor = raw.cursor(name="schutzpfad_audit_verify", binary=True)
        try:
            cursor.execute(*((POSTGRESQL_SCAN_AFTER, (after, upto)) if after else (POSTGRESQL_SCAN, (upto,))))
            yield lambda size: iter(lambda: cursor.fetchmany(size), [])
        finally:
            cursor.close()
    else:
        raise ValueError(f"unsupported database {dialect}")


_HASH_INPUT, _STORED_HASH, _PREV_HASH = itemgetter(INPUT), itemgetter(HASH), itemgetter(PREV_HASH)
_DIGEST = methodcaller("digest")


def intact(rows: list[Any], next_seq: int, last_hash: bytes) -> bool:
    """Whether a batch holds entries `next_seq`, `next_seq + 1`, … each hashing to its stored hash and
    linked to the one before (the first to `last_hash`) — checked with C-level maps and three list
    comparisons, no Python code per row."""
    try:
        hashes = list(map(_STORED_HASH, rows))
        return (
            list(map(_DIGEST, map(hashlib.sha256, map(_HASH_INPUT, rows)))) == hashes
            and rows[0][PREV_HASH] == last_hash
            and list(map(_PREV_HASH, rows[1:])) == hashes[:-1]
            and int(rows[0][SEQ]) == next_seq
            and int(rows[-1][SEQ]) == next_seq + len(rows) - 1  # sequence numbers are unique and ordered
        )
    except (TypeError, ValueError):  # a column of the wrong type: somebody wrote it by hand
        return False


def first_failure(rows: list[Any], next_seq: int, last_hash: bytes) -> tuple[int, str, Any]:
    """Walk a batch that is not `intact` row by row: (sequence number, what is wrong, the number
    found instead) for its first damaged, missing, unlinked or altered entry."""
    for offset, row in enumerate(rows):
        expected = next_seq + offset
        try:
            seq = int(row[SEQ])
        except (TypeError, ValueError):
            return expected, "damaged", None
        if seq != expected:
            return expected, "missing", seq
        if row[PREV_HASH] != last_hash:
            return seq, "unlinked", None
        try:
            digest = hashlib.sha256(row[INPUT]).digest()
        except TypeError:  # NULL somewhere in the hash input
            digest = b""
        if digest != row[HASH]:
            return seq, "altered", None
        last_hash = row[HASH]
    raise AssertionError("a batch failed verification but no row is bad")  # pragma: no cover


# -- one range, in a worker ------------------------------------------------------------------------


class RangeReport(NamedTuple):
    """What a worker found in the entries `after < seq ≤ upto` (the caller knows which range it gave).
    If `first_bad` is set, the other fields are left empty: the caller scans that range itself."""

    first_bad: int | None  # the first entry that fails in the range; its link to the range before is not checked
    entries: int  # entries in the range
    first_prev: Any  # the first entry's stored previous hash (None if the range is empty)
    last_hash: Any  # the last entry's hash (recomputed, and equal to the stored one)
    checkpoint_hashes: dict[int, Any]  # the stored hash at each asked-for checkpoint in the range


def check_range(batches: Iterable[list[Any]], after: int, checkpoint_seqs: Sequence[int]) -> RangeReport:
    """The single scan's checks over one range, except the first entry's link, which is taken on
    trust: the caller compares `first_prev` with the range before."""
    next_seq, cp_index = after + 1, 0
    first_prev: Any = None
    last_hash: Any = None
    found: dict[int, Any] = {}
    for rows in batches:
        if next_seq == after + 1:
            first_prev = last_hash = rows[0][PREV_HASH]
        if not intact(rows, next_seq, last_hash):
            return RangeReport(first_failure(rows, next_seq, last_hash)[0], 0, None, None, {})
        while cp_index < len(checkpoint_seqs) and checkpoint_seqs[cp_index] < next_seq + len(rows):
            seq = checkpoint_seqs[cp_index]
            found[seq] = rows[seq - next_seq][HASH]
            cp_index += 1
        next_seq, last_hash = next_seq + len(rows), rows[-1][HASH]
    return RangeReport(None, next_seq - 1 - after, first_prev, last_hash, found)


Connect = tuple[str, list[Any], dict[str, Any]]  # dialect, positional and keyword arguments of the driver's connect


def scan_range(connect: Connect, after: int, upto: int, checkpoint_seqs: Sequence[int], batch: int) -> RangeReport:
    """A worker's task: check the entries `after < seq ≤ upto` on a connection of its own."""
    dialect, args, kwargs = connect
    if dialect == "sqlite":
        raw: Any = sqlite3.connect(*args, **kwargs)
    else:
        import psycopg  # only a PostgreSQL worker needs it

        raw = psycopg.connect(*args, **kwargs)
    try:
        with open_scan(raw, dialect, after, upto) as batches:
            return check_range(batches(batch), after, checkpoint_seqs)
    finally:
        raw.close()


# -- whether, and running the workers --------------------------------------------------------------


def default_workers() -> int:
    """The processors this process may run on, at most MAX_WORKERS."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_WORKERS))


def reopen(conn: Connection) -> Connect | None:
    """How a worker process connects to the database `conn` reads — or None if a worker would not see
    the same entries: an in-memory SQLite, another database or driver, or a transaction that has
    written (its rows are visible to itself only)."""
    url = conn.engine.url
    if conn.dialect.name == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:") or url.query:
            return None  # in memory, or a URI whose meaning (mode=memory, …) we do not second-guess
        path = Path(database).resolve()
        if not path.is_file() or _sqlite_write_pending(path):
            return None
        return "sqlite", [str(path)], {}
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        if conn.exec_driver_sql("SELECT txid_current_if_assigned()").scalar() is not None:
            return None  # this transaction has written: its rows are invisible to other connections
        args, kwargs = conn.dialect.create_connect_args(url)
        return "postgresql", list(args), {k: v for k, v in kwargs.items() if isinstance(v, str | int)}
    return None


def _sqlite_write_pending(path: Path) -> bool:
    """Whether some connection — the caller's, perhaps — holds SQLite's write lock on `path`.

    Python's sqlite3 cannot tell whether a transaction has written; trying to take the write lock,
    and giving it back at once with nothing written, can. A writer elsewhere makes the answer yes as
    well: then the caller just scans alone.
    """
    try:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return True
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    except sqlite3.Error:  # locked, or a read-only copy: no way to tell, so assume the worst
        return True
    finally:
        probe.close()
    return False


def split(last: int, parts: int) -> list[tuple[int, int]]:
    """`parts` contiguous, non-empty ranges `(after, upto)` — the entries `after < seq ≤ upto` —
    covering 1 … `last` in order."""
    parts = max(1, min(parts, last))
    bounds = [last * part // parts for part in range(parts + 1)]
    return list(zip(bounds, bounds[1:], strict=False))


@contextmanager
def run(tasks: list[tuple[Any, ...]], pool: Executor | None = None) -> Iterator[Callable[[], list[RangeReport] | None]]:
    """Start `scan_range(*task)` for every task at once, each in a worker process of its own (or in
    `pool`, if given), and yield `reports()`: the reports in order, or None if any task could not be
    started or did not finish. Workers still running on exit are killed."""
    if pool is not None:
        try:
            futures = [pool.submit(scan_range, *task) for task in tasks]
        except Exception:  # the pool is shut down or broken
            futures = []

        def from_pool() -> list[RangeReport] | None:
            try:
                return [future.result() for future in futures] if futures else None
            except Exception:  # a task could not connect, or failed
                return None

        yield from_pool
        return

    workers: list[subprocess.Popen[bytes]] = []
    try:
        for task in tasks:
            workers.append(_start(task))
        started = True
    except (OSError, ValueError, pickle.PicklingError):  # no interpreter, or it died at once
        started = False

    def from_workers() -> list[RangeReport] | None:
        if not started:
            return None
        reports = []
        for worker in workers:
            try:
                ok, value = _outcome(worker)
            except Exception:  # it died, or wrote something other than its outcome
                return None
            if not ok:
                return None
            reports.append(RangeReport._make(value))
        return reports

    try:
        yield from_workers
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()


# A worker's first lines: take the caller's import path, load this file (not the package), serve.
_BOOTSTRAP = """\
import importlib.util, pickle, sys
sys.path[:] = pickle.load(sys.stdin.buffer)
spec = importlib.util.spec_from_file_location("schutzpfad_audit_verify_worker", sys.argv[1])
worker = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(worker)
worker.serve()
"""


def _start(task: tuple[Any, ...]) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [sys.executable, "-c", _BOOTSTRAP, __file__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert worker.stdin is not None
        with worker.stdin:  # through the pipe, not the command line: the task may hold a password
            pickle.dump(sys.path, worker.stdin)
            pickle.dump(task, worker.stdin)
    except BaseException:
        worker.kill()
        worker.wait()
        raise
    return worker


def _outcome(worker: subprocess.Popen[bytes]) -> tuple[bool, Any]:
    assert worker.stdout is not None
    output = worker.stdout.read()
    if worker.wait() != 0:
        return False, None
    # Written by this process's own child, from plain values (see serve).
    outcome: tuple[bool, Any] = pickle.loads(output)  # noqa: S301
    return outcome


def serve() -> None:
    """A worker process (see _BOOTSTRAP): run `scan_range` on the task read from stdin and write
    `(True, report as a plain tuple)` or `(False, error)` to stdout."""
    task = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by the parent process, see _start
    try:
        outcome: tuple[bool, Any] = (True, tuple(scan_range(*task)))
    except Exception as exc:  # reported to the parent, which then scans alone
        outcome = (False, f"{type(exc).__name__}: {exc}")
    pickle.dump(outcome, sys.stdout.buffer)
    sys.stdout.flush()
