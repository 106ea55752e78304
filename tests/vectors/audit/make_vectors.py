"""Make the audit test vectors of this folder: a valid chain, its tampered variants, sealed fields.

Run from the repository root: `.venv/bin/python -m tests.vectors.audit.make_vectors`.
The chain is built through the public API (`AuditVault.append` on an in-memory SQLite database) with
the test-only keys of this folder (created on the first run, kept afterwards). AES-GCM nonces are
random, so a re-run changes the bytes but not the verdicts. Each tampered variant is derived from
the valid snapshot by plain data edits; its expected verdict is written down here from what the edit
does — not copied from `verify` — and the run stops if `verify` disagrees.

`load_into` is also the reader the tests use, so the JSON format is defined in one place.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import Connection, create_engine, insert

import audit
from audit import _primitives as p
from audit.tables import audit_checkpoints, audit_events, audit_head, data_keys

HERE = Path(__file__).parent
KEK_ID = "7e57000000000001"  # "test", key 1
KEK_FILE = HERE / "test-only-kek.hex"
SIGNING_FILE = HERE / "test-only-checkpoint-signing.txt"
PUBLIC_FILE = HERE / "test-only-checkpoint-public.txt"
FIELD_SCOPE = "case:KS-2026-000001"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

Vector = dict[str, Any]


def instance_with_test_only_keys(folder: Path) -> Path:
    """An instance folder whose `keys/` holds the test-only KEK and signing key (FileKeyProvider layout)."""
    keys = folder / "keys"
    keys.mkdir(mode=0o700, parents=True)
    files = {
        f"kek-{KEK_ID}.key": f"schutzpfad-kek/1 {KEK_FILE.read_text().strip()}\n".encode(),
        "current": f"{KEK_ID}\n".encode(),
        "checkpoint-signing.key": SIGNING_FILE.read_bytes(),
    }
    for name, data in files.items():
        (keys / name).write_bytes(data)
        (keys / name).chmod(0o600)
    return folder


def _ensure_test_only_keys() -> None:
    if not KEK_FILE.exists():
        KEK_FILE.write_text(p.new_key().hex() + "\n")
    if not SIGNING_FILE.exists():
        key = p.new_signing_key()
        SIGNING_FILE.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        PUBLIC_FILE.write_bytes(p.public_key_pem(key.public_key()))


# -- snapshot ↔ database -------------------------------------------------------------------------


def _text_time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime(p.TIME_FORMAT)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, p.TIME_FORMAT).replace(tzinfo=UTC)


_BINARY = {"ciphertext", "prev_hash", "hash", "signature", "wrapped"}
_TIMES = {"time", "checkpoint_time", "created_at", "shredded_at"}
_TABLES = {"events": audit_events, "checkpoints": audit_checkpoints, "head": audit_head, "data_keys": data_keys}


def _to_json(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key in _BINARY and value is not None:
            value = value.hex()
        elif key in _TIMES:
            value = _text_time(value)
        out[key] = value
    return out


def _from_json(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key in _BINARY and value is not None:
            value = bytes.fromhex(value)
        elif key in _TIMES:
            value = _time(value)
        out[key] = value
    return out


def snapshot(conn: Connection, log: Path) -> Vector:
    rows = {
        name: [_to_json(dict(row._mapping)) for row in conn.execute(table.select().order_by(*table.primary_key))]
        for name, table in _TABLES.items()
    }
    for row in rows["checkpoints"]:
        del row["id"]
    return {**rows, "checkpoint_log": log.read_text().splitlines() if log.exists() else []}


def load_into(conn: Connection, vector: Vector, log: Path) -> None:
    """Write a vector's tables into an empty database (tables created) and its log lines into `log`."""
    for name, table in _TABLES.items():
        if vector[name]:
            rows = [_from_json({k: v for k, v in row.items() if k in table.c}) for row in vector[name]]
            conn.execute(insert(table), rows)
    log.write_text("".join(line + "\n" for line in vector["checkpoint_log"]))


# -- the valid chain -----------------------------------------------------------------------------


def build(instance: Path) -> tuple[Vector, Vector]:
    """The valid chain (12 events, checkpoints by the 60-s rule and one explicit) and the field vector."""
    engine = create_engine("sqlite://")
    audit.metadata.create_all(engine)
    log = instance / "audit-checkpoints.jsonl"
    vault = audit.AuditVault(audit.FileKeyProvider(instance), log)
    payloads = {}
    gaps = [0, 20, 50, 20, 70, 10, 10, 90, 30, 30, 80, 20]
    at = T0
    for seq, gap in enumerate(gaps, start=1):
        at += timedelta(seconds=gap, microseconds=seq)
        case = f"KS-2026-00000{seq % 3}" if seq % 4 else None
        payloads[seq] = {"schritt": seq, "feld": "wert ✓"}
        with engine.begin() as conn:
            made = vault.append(
                conn,
                time=at,
                actor=["kita_fk", "kita_leitung", "system"][seq % 3],
                organisation=None if seq % 5 == 0 else "kita-kevelaer",
                case_ref=case,
                scope=f"case:{case}" if case else "system",
                type=["case.created", "task.completed", "deadline.armed"][seq % 3],
                payload=payloads[seq],
            )
            assert made == seq
            if seq == 8:
                vault.checkpoint(conn, at + timedelta(seconds=1))
    fields = []
    with engine.begin() as conn:
        for record, value in [
            ("children/1/nachname", "Beispielkind"),
            ("children/1/foto", b"\x89PNG\x00"),
            ("children/1/anschrift", {"ort": "Goch", "plz": "47574"}),
        ]:
            blob = vault.seal_field(conn, FIELD_SCOPE, record, value)
            shown = value.hex() if isinstance(value, bytes) else value
            fields.append({"record": record, "type": type(value).__name__, "value": shown, "blob": blob.hex()})
        chain = snapshot(conn, log)
    for row in chain["events"]:
        row["expected_payload"] = payloads[row["seq"]]
    moved = fields[0]["blob"]
    refused = [
        ("moved to another row", FIELD_SCOPE, "children/2/nachname", moved),
        ("moved to another field", FIELD_SCOPE, "children/1/vorname", moved),
        ("moved to another case", "case:KS-2026-000002", "children/1/nachname", moved),
        ("swapped with another field", FIELD_SCOPE, "children/1/nachname", fields[2]["blob"]),
        ("unknown format version 2", FIELD_SCOPE, "children/1/nachname", "02" + moved[2:]),
    ]
    field_vector = {
        "description": "Sealed fields of one case; each opens only for its own scope and record.",
        "data_keys": chain["data_keys"],
        "scope": FIELD_SCOPE,
        "fields": fields,
        "refused": [dict(zip(["why", "scope", "record", "blob"], case, strict=True)) for case in refused],
    }
    return chain, field_vector


# -- tampered variants: (description, edit, first bad seq) ---------------------------------------


def _event(v: Vector, seq: int) -> dict[str, Any]:
    return next(row for row in v["events"] if row["seq"] == seq)


def _row_hash(prev: bytes, row: dict[str, Any]) -> bytes:
    """What anyone can compute without a key: the hash is public, only checkpoints are signed."""
    header = [row[k] for k in ("actor", "organisation", "case_ref", "scope", "type")]
    fields = p.header_fields(prev, row["seq"], _time(row["time"]), *header)  # type: ignore[arg-type]
    return p.entry_hash(p.SEP.join(fields), bytes.fromhex(row["ciphertext"]))


def _rehash(v: Vector, start: int) -> None:
    """Recompute hashes from `start` on, as an attacker without any key can."""
    prev = bytes.fromhex(_event(v, start - 1)["hash"]) if start > 1 else p.GENESIS_HASH
    for row in sorted(v["events"], key=lambda r: r["seq"]):
        if row["seq"] >= start:
            row["prev_hash"], prev = prev.hex(), _row_hash(prev, row)
            row["hash"] = prev.hex()
    v["head"][0]["hash"] = prev.hex()


def _flip(hex_text: str, at: int) -> str:
    raw = bytearray(bytes.fromhex(hex_text))
    raw[at] ^= 0x01
    return raw.hex()


def _swap(v: Vector, a: int, b: int, keys: list[str]) -> None:
    first, second = _event(v, a), _event(v, b)
    for key in keys:
        first[key], second[key] = second[key], first[key]


def _truncate(v: Vector, cut: int, *, checkpoints: bool) -> None:
    v["events"] = [row for row in v["events"] if row["seq"] <= cut]
    v["head"][0].update(seq=cut, hash=_event(v, cut)["hash"])
    if checkpoints:  # covering the tracks: the head's bookkeeping points at the last kept checkpoint
        v["checkpoints"] = [row for row in v["checkpoints"] if row["seq"] <= cut]
        last = max(v["checkpoints"], key=lambda row: row["seq"])
        v["head"][0].update(checkpoint_seq=last["seq"], checkpoint_time=last["time"])


def _insert(v: Vector, at: int) -> None:
    """A forged entry with a valid hash that links to its predecessor; later entries renumbered."""
    for row in v["events"]:
        if row["seq"] >= at:
            row["seq"] += 1
    before = _event(v, at - 1)
    forged = {**before, "seq": at, "actor": "eingeschleust", "ciphertext": "01" + "ab" * 40}
    del forged["expected_payload"]
    forged.update(prev_hash=before["hash"], hash=_row_hash(bytes.fromhex(before["hash"]), forged).hex())
    v["events"] = sorted([*v["events"], forged], key=lambda r: r["seq"])


def _shift_time(v: Vector, seq: int) -> None:
    _event(v, seq)["time"] = _text_time(_time(_event(v, seq)["time"]) + timedelta(microseconds=1))  # type: ignore[operator]


def _rewrite(v: Vector, seq: int) -> None:
    _event(v, seq)["actor"] = "someone_else"
    _rehash(v, seq)


def _forge_checkpoint(v: Vector, seq: int) -> None:
    checkpoint = next(row for row in v["checkpoints"] if row["seq"] == seq)
    checkpoint["signature"] = _flip(checkpoint["signature"], 5)


def variants(checkpoint_seqs: list[int]) -> dict[str, tuple[str, Callable[[Vector], None], int]]:
    last_cp = max(checkpoint_seqs)
    before_7 = max(s for s in checkpoint_seqs if s < 7)
    assert 6 not in checkpoint_seqs and last_cp > 6
    all_but_seq = ["time", "actor", "organisation", "case_ref", "scope", "type", "ciphertext", "prev_hash", "hash"]
    return {
        "modified_header": ("actor of entry 5 changed", lambda v: _event(v, 5).update(actor="kita_leitung"), 5),
        "modified_time": ("time of entry 9 moved by 1 µs", lambda v: _shift_time(v, 9), 9),
        "modified_ciphertext": (
            "one bit of entry 7's ciphertext flipped",
            lambda v: _event(v, 7).update(ciphertext=_flip(_event(v, 7)["ciphertext"], 20)),
            7,
        ),
        "modified_hash": (
            "one bit of entry 3's stored hash flipped",
            lambda v: _event(v, 3).update(hash=_flip(_event(v, 3)["hash"], 0)),
            3,
        ),
        "deleted": ("entry 6 removed", lambda v: v["events"].remove(_event(v, 6)), 6),
        "inserted": ("a forged entry with a valid hash inserted as 6, the rest renumbered", lambda v: _insert(v, 6), 7),
        "reordered": ("entries 3 and 8 swapped", lambda v: _swap(v, 3, 8, all_but_seq), 3),
        "truncated": (
            "entries after 5 removed and the head moved back; the checkpoints remain",
            lambda v: _truncate(v, 5, checkpoints=False),
            6,
        ),
        "truncated_with_checkpoints": (
            "as truncated, and the checkpoints after 5 removed too: only the log file knows",
            lambda v: _truncate(v, 5, checkpoints=True),
            6,
        ),
        "ciphertexts_swapped": ("ciphertexts of entries 2 and 9 swapped", lambda v: _swap(v, 2, 9, ["ciphertext"]), 2),
        "rewritten": (
            "entry 7 changed and every later hash recomputed: only the checkpoint at 7 disagrees",
            lambda v: _rewrite(v, 7),
            before_7 + 1,
        ),
        "forged_checkpoint": (
            f"signature of the checkpoint at {last_cp} altered",
            lambda v: _forge_checkpoint(v, last_cp),
            last_cp,
        ),
    }


def verdict(vector: Vector) -> tuple[bool, int | None]:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine("sqlite://")
        audit.metadata.create_all(engine)
        with engine.begin() as conn:
            load_into(conn, vector, Path(folder) / "log.jsonl")
            result = audit.verify(conn, PUBLIC_FILE.read_bytes(), Path(folder) / "log.jsonl")
        return result.ok, result.first_bad_seq


def main() -> None:
    _ensure_test_only_keys()
    with tempfile.TemporaryDirectory() as folder:
        chain, fields = build(instance_with_test_only_keys(Path(folder) / "instance"))
    chain.update(description="A valid chain of 12 events with signed checkpoints.")
    chain.update(expected={"ok": True, "first_bad_seq": None})
    written = {"valid": chain, "fields": fields}
    for name, (description, edit, bad) in variants([row["seq"] for row in chain["checkpoints"]]).items():
        vector = copy.deepcopy(chain)
        edit(vector)
        vector.update(description=description, expected={"ok": False, "first_bad_seq": bad})
        written[name] = vector
    for name, vector in written.items():
        if name != "fields" and verdict(vector) != (vector["expected"]["ok"], vector["expected"]["first_bad_seq"]):
            sys.exit(f"{name}: verify says {verdict(vector)}, expected {vector['expected']}")
        (HERE / f"{name}.json").write_text(json.dumps(vector, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(written)} vectors to {HERE}")


if __name__ == "__main__":
    main()
