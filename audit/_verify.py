"""`verify`: recompute the chain and check the signed checkpoints, without any key but the public one.

Speed matters (a Land's ten years are ~10⁸ entries), so the scan avoids Python work per row: the
database hands over each entry's hash input as ready-made byte strings (SQLite: the stored text
itself; PostgreSQL: `convert_to`/`to_char`), and a batch is accepted with three list comparisons
done in C — recomputed hashes against stored ones, previous hashes against the shifted stored
hashes, and the first and last sequence numbers. Only a batch that fails is walked row by row to
name the first bad sequence number and why.

Reading order guards against concurrent appends: log file and checkpoints first, then the head, then
the entries up to that head; every later commit only adds entries behind it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from audit import _primitives as p
from audit._chain import Checkpoint
from audit.errors import AuditError, ChainBroken
from audit.tables import audit_checkpoints, audit_events, audit_head

_SQLITE_SCAN = (
    "SELECT prev_hash, CAST(seq AS TEXT), time, actor, coalesce(organisation, x'00'), coalesce(case_ref, x'00'),"
    " scope, type, ciphertext, hash FROM audit_events WHERE seq <= ? ORDER BY seq"
)
_POSTGRESQL_SCAN = (
    "SELECT prev_hash, convert_to(seq::text, 'UTF8'),"
    " convert_to(to_char(time, 'YYYY-MM-DD HH24:MI:SS.US'), 'UTF8'), convert_to(actor, 'UTF8'),"
    " coalesce(convert_to(organisation, 'UTF8'), decode('00', 'hex')),"
    " coalesce(convert_to(case_ref, 'UTF8'), decode('00', 'hex')),"
    " convert_to(scope, 'UTF8'), convert_to(type, 'UTF8'), ciphertext, hash"
    " FROM audit_events WHERE seq <= %s ORDER BY seq"
)


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
    conn: Connection, public_keys: Sequence[bytes], checkpoint_log: Path | None, batch: int = 1000
) -> VerifyResult:
    trusted = {p.signing_key_id(key): key for key in map(p.load_public_key, public_keys)}
    problems: list[_Problem] = []
    checkpoints = _log_checkpoints(checkpoint_log, problems) + _table_checkpoints(conn)
    expected: dict[int, set[bytes]] = {}
    for cp in set(checkpoints):
        key = trusted.get(cp.key_id)
        if key is None:
            problems.append(_Problem(cp.seq, f"Prüfpunkt bei {cp.seq} ist mit einem unbekannten Schlüssel signiert."))
        elif not p.signature_valid(key, cp.signature, cp.message()):
            problems.append(_Problem(cp.seq, f"Prüfpunkt bei {cp.seq} hat eine ungültige Signatur."))
        else:
            expected.setdefault(cp.seq, set()).add(cp.hash)
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
    head_seq, head_hash = (0, p.GENESIS_HASH) if head is None else (head.seq, head.hash)
    if head is not None and head.checkpoint_seq > head_seq:
        problems.append(_Problem(head_seq + 1, f"Der Kopf der Kette nennt einen Prüfpunkt bei {head.checkpoint_seq}."))

    checked, last_hash, intact = _scan(conn, head_seq, expected, problems, batch)
    if intact:
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


def _scan(
    conn: Connection, head_seq: int, expected: dict[int, set[bytes]], problems: list[_Problem], batch: int
) -> tuple[int, bytes, bool]:
    """Walk the entries up to `head_seq`: (entries verified, last verified hash, no problem found)."""
    cp_seqs = sorted(seq for seq in expected if seq > 0)
    if 0 in expected and p.GENESIS_HASH not in expected[0]:
        problems.append(_Problem(1, "Der Prüfpunkt bei 0 passt nicht zum Anfang der Kette."))
    next_seq, last_hash, good_cp, cp_index = 1, p.GENESIS_HASH, 0, 0
    with _rows(conn, head_seq) as batches:
        for rows in batches(batch):
            count = len(rows)
            bad = None
            intact = _intact(rows, next_seq, last_hash)
            if not intact:
                bad = _locate(rows, next_seq, last_hash)
                count = bad.seq - next_seq if bad.seq is not None else 0
            while cp_index < len(cp_seqs) and cp_seqs[cp_index] < next_seq + count:
                seq = cp_seqs[cp_index]
                if rows[seq - next_seq][9] not in expected[seq]:
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
            next_seq, last_hash = next_seq + count, rows[-1][9]
    return next_seq - 1, last_hash, True


# Row layout of the scan: 0 prev_hash, 1 seq, 2–7 text fields, 8 ciphertext, 9 hash; the hash input is 0–8.
_HASH_INPUT, _STORED_HASH, _PREV_HASH = itemgetter(slice(0, 9)), itemgetter(9), itemgetter(0)
_DIGEST = methodcaller("digest")


def _intact(rows: list[Any], next_seq: int, last_hash: bytes) -> bool:
    """The fast path: a whole batch checked with C-level maps and list comparisons."""
    try:
        hashes = list(map(_STORED_HASH, rows))
        return (
            list(map(_DIGEST, map(hashlib.sha256, map(p.SEP.join, map(_HASH_INPUT, rows))))) == hashes
            and rows[0][0] == last_hash
            and list(map(_PREV_HASH, rows[1:])) == hashes[:-1]
            and int(rows[0][1]) == next_seq
            and int(rows[-1][1]) == next_seq + len(rows) - 1
        )
    except (TypeError, ValueError):  # a column of the wrong type: somebody wrote it by hand
        return False


def _locate(rows: list[Any], next_seq: int, last_hash: bytes) -> _Problem:
    """Walk a failed batch row by row: the first missing, unlinked or altered entry."""
    for offset, row in enumerate(rows):
        expected = next_seq + offset
        try:
            seq = int(row[1])
        except (TypeError, ValueError):
            return _Problem(expected, f"Eintrag {expected} ist beschädigt.")
        if seq != expected:
            return _Problem(expected, f"Eintrag {expected} fehlt (es folgt Eintrag {seq}).")
        if row[0] != last_hash:
            return _Problem(
                seq,
                f"Eintrag {seq} schließt nicht an Eintrag {seq - 1} an: davor wurde ein Eintrag eingefügt, "
                f"gelöscht oder vertauscht, oder Eintrag {seq} wurde verändert.",
            )
        try:
            digest = hashlib.sha256(p.SEP.join(row[:9])).digest()
        except TypeError:
            digest = b""
        if digest != row[9]:
            return _Problem(seq, f"Eintrag {seq} wurde verändert (Hash stimmt nicht).")
        last_hash = row[9]
    raise AssertionError("a batch failed verification but no row is bad")  # pragma: no cover


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
def _rows(conn: Connection, head_seq: int) -> Iterator[Any]:
    """Yield a `batches(size)` generator over raw DBAPI rows of bytes, in sequence order."""
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        previous = raw.text_factory
        raw.text_factory = bytes  # hash the stored text as it is: no decode, no re-encode
        cursor = raw.cursor()
        try:
            cursor.execute(_SQLITE_SCAN, (head_seq,))
            yield lambda size: iter(lambda: cursor.fetchmany(size), [])
        finally:
            cursor.close()
            raw.text_factory = previous
    elif conn.dialect.name == "postgresql":
        # Server-side (the chain never sits in memory), binary (bytea arrives raw instead of hex-encoded).
        cursor = raw.cursor(name="schutzpfad_audit_verify", binary=True)
        try:
            cursor.execute(_POSTGRESQL_SCAN, (head_seq,))
            yield lambda size: iter(lambda: cursor.fetchmany(size), [])
        finally:
            cursor.close()
    else:  # pragma: no cover
        raise AuditError(f"Datenbank {conn.dialect.name} wird nicht unterstützt.")
