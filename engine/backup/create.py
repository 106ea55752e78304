"""`schutzpfad backup DIR --keys KEYDIR`: database, checkpoint log and shred ledger into DIR, the key
material into KEYDIR — two places that must be stored apart.

The backup is audited (`backup.created`) and a checkpoint is signed right after that event, so the
copy's chain ends in a signed head. The checkpoint log is copied before the database: every
checkpoint in the copied log is then covered by the database copy, and `audit verify` passes on the
restored installation.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audit.keys import copy_key_material
from engine.auditing.events import EventType
from engine.backup import database_copy
from engine.backup.manifest import Manifest, checksum
from engine.bootstrap import CHECKPOINT_LOG, SHRED_LEDGER
from engine.case_engine import CaseEngine
from engine.errors import OperationFailed
from engine.persistence.migrate import current_revision

SQLITE_FILE = "datenbank.sqlite3"
POSTGRESQL_FILE = "datenbank.pgdump"


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    keys_folder: Path
    manifest: Manifest
    key_files: int


def create_backup(
    engine: CaseEngine,
    instance: Path,
    folder: Path,
    keys_folder: Path,
    *,
    operator: str,
    pg_bin: Path | None,
    say: Callable[[str], None],
    progress: database_copy.Progress,
) -> BackupReport:
    folder, keys_folder, instance = folder.resolve(), keys_folder.resolve(), instance.resolve()
    _check_apart(folder, keys_folder, instance)
    _new_folder(folder)
    _new_folder(keys_folder)
    dialect = engine.db.dialect.name
    if dialect == "postgresql":
        database_copy.check_client_version(engine.db, pg_bin)
    signed = engine.record_operation(EventType.BACKUP_CREATED, operator=operator, payload={"ordner": folder.name})
    for name in (CHECKPOINT_LOG, SHRED_LEDGER):
        if (instance / name).exists():
            shutil.copyfile(instance / name, folder / name)
    say("Datenbank wird gesichert …")
    if dialect == "sqlite":
        database_file = SQLITE_FILE
        database_copy.copy_sqlite(
            database_copy.sqlite_file(engine.db.url.render_as_string()), folder / SQLITE_FILE, progress
        )
        head_seq = _sqlite_head(folder / SQLITE_FILE)
    else:
        database_file = POSTGRESQL_FILE
        database_copy.dump_postgresql(
            engine.db.url.render_as_string(hide_password=False), folder / POSTGRESQL_FILE, pg_bin
        )
        head_seq = signed.seq  # pg_dump's snapshot starts after that checkpoint committed
    say("Schlüssel werden getrennt abgelegt …")
    key_files = copy_key_material(instance / "keys", keys_folder)
    manifest = Manifest(
        created_at=signed.time,
        dialect=dialect,
        database_file=database_file,
        schema_revision=current_revision(engine.db),
        head_seq=head_seq,
        checksums={path.name: checksum(path) for path in sorted(folder.iterdir()) if path.is_file()},
    )
    manifest.write(folder)
    return BackupReport(folder, keys_folder, manifest, key_files)


def _check_apart(folder: Path, keys_folder: Path, instance: Path) -> None:
    """The keys never go into the backup folder (or it into theirs), and the backup not into the
    instance folder: one stolen folder must never hold data and keys together."""
    if folder == keys_folder or folder in keys_folder.parents or keys_folder in folder.parents:
        raise OperationFailed(
            "Sicherung und Schlüssel gehören in getrennte Ordner (nicht ineinander): wer beides hat, kann alles lesen."
        )
    for path in (folder, keys_folder):
        if path == instance or instance in path.parents:
            raise OperationFailed(f"{path} liegt im Instanzordner {instance}: bitte einen Ordner außerhalb wählen.")


def _new_folder(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OperationFailed(f"{path} existiert und ist nicht leer: bitte einen neuen Ordner angeben.")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _sqlite_head(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT seq FROM audit_head WHERE id = 1").fetchone()
    finally:
        connection.close()
    return 0 if row is None else int(row[0])
