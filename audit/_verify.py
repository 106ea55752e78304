"""`verify`: recompute the chain and check the signed checkpoints, without any key but the public one.

Speed matters (a Land's ten years are ~10⁸ entries), so the scan avoids Python work per row: the
database hands over each entry's hash input as ready-made byte strings (SQLite: the stored text
itself; PostgreSQL: `convert_to`/`to_char`), and a batch is accepted with three list comparisons
done in C — recomputed hashes against stored ones, previous hashes against the shifted stored
hashes, and the first and last sequence numbers (query and batch check: `_verify_parallel.py`).
Only a batch that fails is walked row by row to name the first bad sequence number and why.

A long chain (more than PARALLEL_THRESHOLD entries) is scanned by worker processes where the
database allows it (see `_verify_parallel.py`), one contiguous range of sequence numbers each, while
this process checks the checkpoint signatures. A worker checks its range as the single scan would,
except the first entry's link to the range before, and reports what it takes to join the ranges: the
first entry's stored previous hash, the last hash, the number of entries, the stored hashes at the
checkpoints. As long as every range is whole, matches its checkpoints and links to the one before,
the single scan would have passed it just so; the first range that does not is scanned again here,
from its start, with the single scan's own code — so the verdict, the sequence number and the reason
are exactly the single scan's.

Reading order guards against concurrent appends: log file and checkpoints first, then the head, then
the entries up to that head; every later commit only adds entries behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from audit import _primitives as p
from audit import _verify_parallel as parallel
from audit._chain import Checkpoint
from audit._verify_parallel import RangeReport, first_failure, intact
from audit.errors import AuditError, ChainBroken
from audit.tables import audit_checkpoints, audit_events, audit_head

#: Chains longer than this are scanned by worker processes where the database allows it (below it a
#: single scan takes under half a second, and starting workers would save little).
PARALLEL_THRESHOLD = 200_000


@dataclass(frozen=True)
class VerifyResult:
    """The verdict: `first_bad_seq` names the first entry that cannot be trusted (None if ok, or if
    only the checkpoint log itself is unreadable)."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str

    def raise_if_broken(self) -> None:
        if not self.ok:
            raise ChainBroken(self.first_bad_seq, self.reason)


@dataclass(frozen=True)
class _Problem:
    seq: int | None
    reason: str


def verify(
    conn: Connection,
    public_keys: Sequence[bytes],
    checkpoint_log: Path | None,
    batch: int = 1000,
    *,
    workers: int | None = None,
    parallel_threshold: int = PARALLEL_THRESHOLD,
    pool: Executor | None = None,
) -> VerifyResult:
    """`workers`: processes for a chain longer than `parallel_threshold` (default: the processors, at
    most four; 1 scans here alone); `pool`: run them there instead of starting processes."""
    trusted = {p.signing_key_id(key): key for key in map(p.load_public_key, public_keys)}
    problems: list[_Problem] = []
    checkpoints = _log_checkpoints(checkpoint_log, problems) + _table_checkpoints(conn)
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
    head_seq, head_hash = (0, p.GENESIS_HASH) if head is None else (head.seq, head.hash)
    if workers is None:
        workers = parallel.default_workers()
    in_workers = head_seq > parallel_threshold and workers > 1
    with _ranges_in_workers(conn, head_seq, checkpoints, workers, pool, batch, start=in_workers) as ranges:
        expected = _expected(checkpoints, trusted, problems)  # while the workers scan
        if head is not None and head.checkpoint_seq > head_seq:
            problems.append(
                _Problem(head_seq + 1, f"Der Kopf der Kette nennt einen Prüfpunkt bei {head.checkpoint_seq}.")
            )
        if 0 in expected and p.GENESIS_HASH not in expected[0]:
            problems.append(_Problem(1, "Der Prüfpunkt bei 0 passt nicht zum Anfang der Kette."))
        reports = ranges()

    if reports is None:
        checked, last_hash, whole = _scan(conn, 0, p.GENESIS_HASH, head_seq, expected, problems, batch)
    else:
        checked, last_hash, whole = _join(conn, reports, head_seq, expected, problems, batch)
    if whole:
        _check_tail(conn, checked, last_hash, head_seq, head_hash, expected, problems)
    if not problems:
        return VerifyResult(True, checked, None, f"{checked} Einträge und {len(expected)} Prüfpunkte sind intakt.")
    first = min(problems, key=lambda problem: (problem.seq is None, problem.seq or 0))
    if first.seq is not None:
        checked = min(checked, first.seq - 1)
    return VerifyResult(False, checked, first.seq, first.reason)


def _log_checkpoints(path: Path | None, problems: list[_Problem]) -> list[Checkpoint]:
    if path is None or not path.exists():
        return []
    found = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                found.append(Checkpoint.from_json(line))
            except (ValueError, KeyError, TypeError):
                problems.append(_Problem(None, f"Zeile {number} von {path.name} ist kein gültiger Prüfpunkt."))
    return found


def _table_checkpoints(conn: Connection) -> list[Checkpoint]:
    rows = conn.execute(
        select(
            audit_checkpoints.c.seq,
            audit_checkpoints.c.hash,
            audit_checkpoints.c.time,
            audit_checkpoints.c.key_id,
            audit_checkpoints.c.signature,
        )
    )
    return [Checkpoint(row.seq, row.hash, row.time, row.key_id, row.signature) for row in rows]


def _expected(
    checkpoints: list[Checkpoint], trusted: dict[str, Any], problems: list[_Problem]
) -> dict[int, set[bytes]]:
    """The hashes validly signed checkpoints vouch for, by sequence number; the others are problems."""
    expected: dict[int, set[bytes]] = {}
    for cp in set(checkpoints):
        key = trusted.get(cp.key_id)
        if key is None:
            problems.append(_Problem(cp.seq, f"Prüfpunkt bei {cp.seq} ist mit einem unbekannten Schlüssel signiert."))
        elif not p.signature_valid(key, cp.signature, cp.message()):
            problems.append(_Problem(cp.seq, f"Prüfpunkt bei {cp.seq} hat eine ungültige Signatur."))
        else:
            expected.setdefault(cp.seq, set()).add(cp.hash)
    return expected


def _scan(
    conn: Connection,
    after: int,
    last_hash: bytes,
    head_seq: int,
    expected: dict[int, set[bytes]],
    problems: list[_Problem],
    batch: int,
) -> tuple[int, bytes, bool]:
    """Walk the entries after `after` (entry `after` ending in `last_hash`, all before it verified) up
    to `head_seq`: (entries verified, last verified hash, no problem found). From the start (0) the
    walk also meets any entry numbered 0 or below."""
    cp_seqs = sorted(seq for seq in expected if seq > after)
    good_cp = max((seq for seq in expected if 0 < seq <= after), default=0)
    next_seq, cp_index = after + 1, 0
    with _rows(conn, after, head_seq) as batches:
        for rows in batches(batch):
            count = len(rows)
            bad = None
            if not intact(rows, next_seq, last_hash):
                bad = _locate(rows, next_seq, last_hash)
                count = bad.seq - next_seq if bad.seq is not None else 0
            while cp_index < len(cp_seqs) and cp_seqs[cp_index] < next_seq + count:
                seq = cp_seqs[cp_index]
                if rows[seq - next_seq][parallel.HASH] not in expected[seq]:
                    problems.append(
                        _Problem(
                            good_cp + 1,
                            f"Einträge {good_cp + 1} bis {seq} passen nicht zum signierten Prüfpunkt bei {seq}: "
                            "die Kette wurde neu geschrieben.",
                        )
                    )
                    return good_cp, last_hash, False
                good_cp, cp_index = seq, cp_index + 1
            if bad is not None:
                problems.append(bad)
                return next_seq - 1 + count, last_hash, False
            next_seq, last_hash = next_seq + count, rows[-1][parallel.HASH]
    return next_seq - 1, last_hash, True


def _locate(rows: list[Any], next_seq: int, last_hash: bytes) -> _Problem:
    """The first missing, unlinked or altered entry of a batch that is not intact, and why."""
    seq, kind, found = first_failure(rows, next_seq, last_hash)
    reasons = {
        "damaged": f"Eintrag {seq} ist beschädigt.",
        "missing": f"Eintrag {seq} fehlt (es folgt Eintrag {found}).",
        "unlinked": f"Eintrag {seq} schließt nicht an Eintrag {seq - 1} an: davor wurde ein Eintrag eingefügt, "
        f"gelöscht oder vertauscht, oder Eintrag {seq} wurde verändert.",
        "altered": f"Eintrag {seq} wurde verändert (Hash stimmt nicht).",
    }
    return _Problem(seq, reasons[kind])


# -- the scan in worker processes ------------------------------------------------------------------


@contextmanager
def _ranges_in_workers(
    conn: Connection,
    head_seq: int,
    checkpoints: list[Checkpoint],
    workers: int,
    pool: Executor | None,
    batch: int,
    *,
    start: bool,
) -> Iterator[Callable[[], list[tuple[int, int, RangeReport]] | None]]:
    """Start checking entries 1 … `head_seq` in `workers` ranges if `start` and the database allows
    it; yield `reports()`: (after, upto, report) for each range in order, or None — scan alone then."""
    connect = parallel.reopen(conn) if start else None
    if connect is None:
        yield lambda: None
        return
    ranges = parallel.split(head_seq, workers)
    cp_seqs = sorted({cp.seq for cp in checkpoints})
    tasks = [(connect, after, upto, [seq for seq in cp_seqs if after < seq <= upto], batch) for after, upto in ranges]
    with parallel.run(tasks, pool) as results:

        def reports() -> list[tuple[int, int, RangeReport]] | None:
            found = results()
            return None if found is None else [(a, u, r) for (a, u), r in zip(ranges, found, strict=True)]

        yield reports


def _join(
    conn: Connection,
    reports: list[tuple[int, int, RangeReport]],
    head_seq: int,
    expected: dict[int, set[bytes]],
    problems: list[_Problem],
    batch: int,
) -> tuple[int, bytes, bool]:
    """`_scan`'s result from the workers' reports: as long as each range is whole, intact, matches its
    checkpoints and links to the one before, the single scan would have passed it just so; from the
    first range that does not, scan here, with the caller's transaction, to name what is wrong."""
    after, last_hash = 0, p.GENESIS_HASH
    for range_after, upto, report in reports:
        whole = (
            report.first_bad is None
            and report.entries == upto - range_after
            and report.first_prev == last_hash
            and all(
                report.checkpoint_hashes.get(seq) in hashes
                for seq, hashes in expected.items()
                if range_after < seq <= upto
            )
        )
        if not whole:
            return _scan(conn, after, last_hash, head_seq, expected, problems, batch)
        after, last_hash = upto, report.last_hash
    return after, last_hash, True


def _check_tail(
    conn: Connection,
    checked: int,
    last_hash: bytes,
    head_seq: int,
    head_hash: bytes,
    expected: dict[int, set[bytes]],
    problems: list[_Problem],
) -> None:
    """After an intact scan: the head, checkpoints and entries must not point beyond its end."""
    if checked < head_seq:
        problems.append(_Problem(checked + 1, f"Einträge ab {checked + 1} fehlen (Kopf der Kette: {head_seq})."))
    elif last_hash != head_hash:
        problems.append(_Problem(checked, f"Eintrag {checked} passt nicht zum Kopf der Kette."))
    beyond = [seq for seq in expected if seq > checked]
    if beyond:
        problems.append(
            _Problem(checked + 1, f"Einträge ab {checked + 1} fehlen: ein Prüfpunkt bei {max(beyond)} bezeugt sie.")
        )
    highest = conn.execute(select(func.max(audit_events.c.seq))).scalar()
    head_now = conn.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar() or 0
    if highest is not None and highest > head_now:
        problems.append(_Problem(head_now + 1, f"Einträge ab {head_now + 1} liegen hinter dem Kopf der Kette."))


@contextmanager
def _rows(conn: Connection, after: int, upto: int) -> Iterator[parallel.Batches]:
    """`batches(size)` over the entries `after < seq ≤ upto` (all up to `upto` if `after` is 0), read
    in the caller's transaction."""
    if conn.dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover
        raise AuditError(f"Datenbank {conn.dialect.name} wird nicht unterstützt.")
    with parallel.open_scan(conn.connection.driver_connection, conn.dialect.name, after, upto) as batches:
        yield batches
