"""The frozen audit vectors of tests/vectors/audit: verify's verdict on each, and that today's code
still opens what an earlier version sealed (how they were made: tests/vectors/audit/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import audit
from audit import AuditVault, DecryptionFailed, FileKeyProvider
from tests.vectors.audit.make_vectors import HERE, PUBLIC_FILE, instance_with_test_only_keys, load_into

CHAINS = sorted(path.stem for path in HERE.glob("*.json") if path.stem != "fields")


def vector(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text())
    return data


def test_the_promised_vectors_are_there() -> None:
    assert set(CHAINS) >= {
        "valid",
        "modified_header",
        "modified_ciphertext",
        "deleted",
        "inserted",
        "reordered",
        "truncated",
        "truncated_with_checkpoints",
        "ciphertexts_swapped",
        "rewritten",
        "forged_checkpoint",
    }
    assert (HERE / "README.md").exists() and (HERE / "test-only-kek.hex").exists()


@pytest.mark.parametrize("name", CHAINS)
def test_verify_verdict(name: str, db: Engine, tmp_path: Path) -> None:
    data = vector(name)
    log = tmp_path / "audit-checkpoints.jsonl"
    with db.begin() as conn:
        load_into(conn, data, log)
    with db.begin() as conn:
        result = audit.verify(conn, PUBLIC_FILE.read_bytes(), log)
    assert (result.ok, result.first_bad_seq) == (data["expected"]["ok"], data["expected"]["first_bad_seq"]), (
        data["description"],
        result.reason,
    )


def test_valid_chain_decrypts_with_the_test_only_kek(db: Engine, tmp_path: Path) -> None:
    data = vector("valid")
    instance = instance_with_test_only_keys(tmp_path / "instance")
    vault = AuditVault(FileKeyProvider(instance))
    with db.begin() as conn:
        load_into(conn, data, tmp_path / "log.jsonl")
    with db.begin() as conn:
        vault.check(conn)
        events = list(vault.read(conn))
    assert [event.payload for event in events] == [row["expected_payload"] for row in data["events"]]


def test_ciphertexts_swapped_between_rows_do_not_decrypt(db: Engine, tmp_path: Path) -> None:
    vault = AuditVault(FileKeyProvider(instance_with_test_only_keys(tmp_path / "instance")))
    with db.begin() as conn:
        load_into(conn, vector("ciphertexts_swapped"), tmp_path / "log.jsonl")
    with db.begin() as conn, pytest.raises(DecryptionFailed, match="Eintrag 2"):
        list(vault.read(conn))


def test_sealed_fields_open_only_where_they_belong(db: Engine, tmp_path: Path) -> None:
    data = vector("fields")
    vault = AuditVault(FileKeyProvider(instance_with_test_only_keys(tmp_path / "instance")))
    with db.begin() as conn:
        load_into(conn, {**vector("valid"), "data_keys": data["data_keys"]}, tmp_path / "log.jsonl")
    with db.begin() as conn:
        for field in data["fields"]:
            expected = bytes.fromhex(field["value"]) if field["type"] == "bytes" else field["value"]
            assert vault.open_field(conn, data["scope"], field["record"], bytes.fromhex(field["blob"])) == expected
        for refused in data["refused"]:
            with pytest.raises(DecryptionFailed):
                vault.open_field(conn, refused["scope"], refused["record"], bytes.fromhex(refused["blob"]))
