"""Key material in the instance folder: file modes, missing and wrong keys, one clear error each."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, update

from audit import AuditVault, FileKeyProvider, KeyMaterialError, Shredded
from audit import _primitives as p
from audit.tables import data_keys

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


def test_create_writes_private_files(instance: Path) -> None:
    provider = FileKeyProvider.create(instance)
    keys = instance / "keys"
    assert _mode(keys) == 0o700
    kek_id = provider.current_kek_id()
    for name in ["current", f"kek-{kek_id}.key", "checkpoint-signing.key"]:
        assert _mode(keys / name) == 0o600, name
    assert (keys / f"kek-{kek_id}.key").read_text().startswith("schutzpfad-kek/1 ")
    assert provider.export_public_key().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_create_is_idempotent_and_keeps_existing_keys(instance: Path) -> None:
    first = FileKeyProvider.create(instance)
    second = FileKeyProvider.create(instance)
    assert first.current_kek_id() == second.current_kek_id()
    assert first.export_public_key() == second.export_public_key()


def test_missing_folder_is_one_clear_error(instance: Path) -> None:
    with pytest.raises(KeyMaterialError, match="Schlüsselordner fehlt: .*keys"):
        FileKeyProvider(instance)


def test_missing_kek_is_named(instance: Path) -> None:
    kek_id = FileKeyProvider.create(instance).current_kek_id()
    (instance / "keys" / f"kek-{kek_id}.key").unlink()
    with pytest.raises(KeyMaterialError, match=f"Schlüsseldatei fehlt: .*kek-{kek_id}.key"):
        FileKeyProvider(instance)


def test_missing_signing_key_is_named(instance: Path) -> None:
    FileKeyProvider.create(instance)
    (instance / "keys" / "checkpoint-signing.key").unlink()
    with pytest.raises(KeyMaterialError, match="checkpoint-signing.key"):
        FileKeyProvider(instance)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_key_readable_by_others_is_refused(instance: Path, mode: int) -> None:
    kek_id = FileKeyProvider.create(instance).current_kek_id()
    path = instance / "keys" / f"kek-{kek_id}.key"
    path.chmod(mode)
    with pytest.raises(KeyMaterialError, match="chmod 600"):
        FileKeyProvider(instance)


def test_folder_open_to_others_is_refused(instance: Path) -> None:
    FileKeyProvider.create(instance)
    (instance / "keys").chmod(0o755)
    with pytest.raises(KeyMaterialError, match="chmod 700"):
        FileKeyProvider(instance)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_key_is_named(instance: Path) -> None:
    kek_id = FileKeyProvider.create(instance).current_kek_id()
    path = instance / "keys" / f"kek-{kek_id}.key"
    path.chmod(0o000)
    with pytest.raises(KeyMaterialError, match="nicht lesbar"):
        FileKeyProvider(instance)


def test_key_that_cannot_be_read_is_named(instance: Path) -> None:
    kek_id = FileKeyProvider.create(instance).current_kek_id()
    path = instance / "keys" / f"kek-{kek_id}.key"
    path.unlink()
    path.mkdir(mode=0o700)  # works as root too: a directory opens but does not read
    with pytest.raises(KeyMaterialError, match=f"nicht lesbar: .*kek-{kek_id}.key"):
        FileKeyProvider(instance)


def test_malformed_kek_file_is_refused(instance: Path) -> None:
    kek_id = FileKeyProvider.create(instance).current_kek_id()
    path = instance / "keys" / f"kek-{kek_id}.key"
    path.write_text("schutzpfad-kek/1 abcd\n")
    with pytest.raises(KeyMaterialError, match="kein gültiges Format"):
        FileKeyProvider(instance)


def test_kek_id_from_the_database_cannot_name_a_path(instance: Path) -> None:
    provider = FileKeyProvider.create(instance)
    with pytest.raises(KeyMaterialError, match="Ungültige Schlüssel-ID"):
        provider.unwrap("../../etc/passwd", b"\x01" + bytes(60))


def test_new_kek_becomes_current_and_old_stays_usable(instance: Path) -> None:
    provider = FileKeyProvider.create(instance)
    other_node = FileKeyProvider(instance)
    dek = p.new_key()
    old_id, wrapped = provider.wrap(dek)
    assert other_node.current_kek_id() == old_id
    new_id = provider.create_kek()
    assert other_node.current_kek_id() == new_id  # a long-running process sees the rotation
    assert new_id != old_id and provider.current_kek_id() == new_id
    assert provider.unwrap(old_id, wrapped) == dek
    assert provider.wrap(dek)[0] == new_id
    # Another process sharing the folder sees the rotation without a restart.
    assert FileKeyProvider(instance).current_kek_id() == new_id


def test_check_detects_a_replaced_kek(instance: Path, db: Engine) -> None:
    vault = AuditVault(FileKeyProvider.create(instance))
    with db.begin() as conn:
        vault.seal_field(conn, "case:KS-2026-000001", "children/1/nachname", "Beispielkind", now=NOW)
        vault.check(conn)
    kek_id = vault.provider.current_kek_id()
    path = instance / "keys" / f"kek-{kek_id}.key"
    path.write_text(f"schutzpfad-kek/1 {p.new_key().hex()}\n")  # same id, other key: a wrong backup
    with db.begin() as conn, pytest.raises(KeyMaterialError, match=f"kek-{kek_id}.key passt nicht"):
        AuditVault(FileKeyProvider(instance)).check(conn)


def test_check_detects_a_missing_old_kek(instance: Path, db: Engine) -> None:
    vault = AuditVault(FileKeyProvider.create(instance))
    with db.begin() as conn:
        vault.seal_field(conn, "case:KS-2026-000001", "children/1/nachname", "Beispielkind", now=NOW)
    old = vault.provider.current_kek_id()
    vault.provider.create_kek()
    (instance / "keys" / f"kek-{old}.key").unlink()
    with db.begin() as conn, pytest.raises(KeyMaterialError, match=f"Schlüsseldatei fehlt: .*kek-{old}.key"):
        AuditVault(FileKeyProvider(instance)).check(conn)


def test_check_detects_a_tampered_wrapped_key(instance: Path, db: Engine) -> None:
    vault = AuditVault(FileKeyProvider.create(instance))
    with db.begin() as conn:
        vault.seal_field(conn, "case:KS-2026-000001", "children/1/nachname", "Beispielkind", now=NOW)
        conn.execute(
            update(data_keys).values(wrapped=p.wrap_key(p.new_key(), vault.provider.current_kek_id(), p.new_key()))
        )
        with pytest.raises(KeyMaterialError):
            vault.check(conn)


def test_check_detects_a_replaced_signing_key(instance: Path, db: Engine, tmp_path: Path) -> None:
    vault = AuditVault(FileKeyProvider.create(instance))
    with db.begin() as conn:
        vault.append(
            conn, time=NOW, actor="system", organisation=None, case_ref=None, scope="system", type="t", payload={}
        )
        vault.checkpoint(conn, NOW)
    other = tmp_path / "other"
    FileKeyProvider.create(other)
    signing = instance / "keys" / "checkpoint-signing.key"
    signing.unlink()
    signing.write_bytes((other / "keys" / "checkpoint-signing.key").read_bytes())
    signing.chmod(0o600)
    with db.begin() as conn, pytest.raises(KeyMaterialError, match="Signaturschlüssel"):
        AuditVault(FileKeyProvider(instance)).check(conn)


def test_check_passes_on_an_empty_database(instance: Path, db: Engine) -> None:
    with db.begin() as conn:
        AuditVault(FileKeyProvider.create(instance)).check(conn)


def test_a_transaction_reads_a_data_key_once_and_forgets_it_when_shredded(instance: Path, db: Engine) -> None:
    vault = AuditVault(FileKeyProvider.create(instance))
    scope = "case:KS-2026-000001"
    with db.begin() as conn:
        vault.seal_field(conn, scope, "children/1/nachname", "Beispielkind", now=NOW)  # creates the key
    reads: list[str] = []
    event.listen(db, "before_cursor_execute", lambda *a: reads.append(a[2]) if "FROM data_keys" in a[2] else None)
    with db.begin() as conn:
        blob = vault.seal_field(conn, scope, "children/1/vorname", "Mia", now=NOW)
        assert vault.open_field(conn, scope, "children/1/vorname", blob) == "Mia"
        vault.seal_field(conn, scope, "children/1/ort", "Goch", now=NOW)
        assert len(reads) == 1  # one read and unwrap for the transaction
    with db.begin() as conn:
        assert vault.open_field(conn, scope, "children/1/vorname", blob) == "Mia"
        assert len(reads) == 2  # the next transaction reads the row again
        vault.shred(conn, scope, reason="Löschfrist abgelaufen", now=NOW)
        with pytest.raises(Shredded):
            vault.open_field(conn, scope, "children/1/vorname", blob)
        with pytest.raises(Shredded):
            vault.seal_field(conn, scope, "children/1/ort", "Goch", now=NOW)
