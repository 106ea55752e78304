"""`schutzpfad restore DIR [--keys KEYDIR]`: bring a backup back, then shred again what was shredded since.

Order, and why:
1. the manifest and every checksum are checked before anything is touched;
2. key files from KEYDIR are added to the instance's `keys/` (none is overwritten);
3. the database is replaced by the copy (SQLite's backup API into the database file; PostgreSQL:
   schema emptied, `pg_restore`); the service must be stopped meanwhile (docs/backup-and-retention.md);
4. the instance's checkpoint log is kept aside (`audit-checkpoints.bis-<time>.jsonl`: it signs
   events the copy does not have) and the backup's log takes its place, so `audit verify` checks
   the restored chain against the checkpoints taken before the backup;
5. the backup's shred ledger is merged into the instance's, which names every shred since — also
   those after the backup — and `init`'s migrations bring an older copy to the current schema;
6. every ledger scope whose key the copy still holds is shredded again — a blind-index key retired
   since the backup too, and then the index is rebuilt under a new key (the copy's index used the
   old one) — and `backup.restored` is recorded and signed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from audit.keys import copy_key_material
from engine.auditing.events import EventType
from engine.backup import database_copy
from engine.backup.manifest import Manifest, read
from engine.bootstrap import CHECKPOINT_LOG, SHRED_LEDGER, build_engine, initialise
from engine.cases.child_index import is_index_scope
from engine.clock import Clock
from engine.errors import OperationFailed


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    key_files: int
    reshredded: list[str]
    #: Where the instance's own checkpoint log was kept aside (None: it had none, or the same).
    set_aside: Path | None


def read_backup(folder: Path, database_url: str) -> Manifest:
    """The backup's manifest, checked, and refused for a database of another kind."""
    manifest = read(folder)
    dialect = make_url(database_url).get_backend_name()
    if manifest.dialect != dialect:
        raise OperationFailed(
            f"Die Sicherung stammt aus einer {manifest.dialect}-Datenbank, konfiguriert ist {dialect}: "
            "eine Sicherung wird in eine Datenbank derselben Art wiederhergestellt."
        )
    return manifest


def restore_backup(
    database_url: str,
    clock: Clock,
    instance: Path,
    folder: Path,
    keys_folder: Path | None,
    *,
    operator: str,
    pg_bin: Path | None,
    say: Callable[[str], None],
    progress: database_copy.Progress,
) -> RestoreReport:
    manifest = read_backup(folder, database_url)
    key_files = copy_key_material(keys_folder, instance / "keys") if keys_folder is not None else 0
    if not (instance / "keys").is_dir():
        raise OperationFailed(
            f"Im Instanzordner {instance} fehlen die Schlüssel: den getrennt aufbewahrten Schlüsselordner "
            "mit --keys angeben."
        )
    engine = build_engine(database_url, clock, instance)
    try:
        say("Datenbank wird wiederhergestellt …")
        source = folder / manifest.database_file
        if manifest.dialect == "sqlite":
            engine.db.dispose()
            database_copy.copy_sqlite(source, database_copy.sqlite_file(database_url), progress)
        else:
            database_copy.check_client_version(engine.db, pg_bin)
            database_copy.restore_postgresql(engine.db, source, pg_bin)
        set_aside = _swap_checkpoint_log(instance, folder, clock)
        if (folder / SHRED_LEDGER).exists():
            engine.vault.merge_ledger(folder / SHRED_LEDGER)
        say("Schema und Schlüssel werden geprüft …")
        initialise(engine)
        say("Vernichtungsprotokoll wird erneut angewandt …")
        reshredded = engine.reapply_shred_ledger(operator=operator)
        if any(map(is_index_scope, reshredded)):  # a blind-index key retired since the backup: index anew
            say("Suchindex wird neu aufgebaut …")
            engine.rotate_index_key(operator=operator, progress=progress)
        engine.record_operation(
            EventType.BACKUP_RESTORED,
            operator=operator,
            payload={"gesichert_am": manifest.created_at.isoformat(), "erneut_vernichtet": len(reshredded)},
        )
    finally:
        engine.db.dispose()
    return RestoreReport(manifest, key_files, reshredded, set_aside)


def _swap_checkpoint_log(instance: Path, folder: Path, clock: Clock) -> Path | None:
    current, restored = instance / CHECKPOINT_LOG, folder / CHECKPOINT_LOG
    set_aside = None
    if current.exists():
        if restored.exists() and current.read_bytes() == restored.read_bytes():
            return None
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        set_aside = instance / f"{current.stem}.bis-{stamp}{current.suffix}"
        current.replace(set_aside)
    if restored.exists():
        shutil.copyfile(restored, current)
        current.chmod(0o600)
    return set_aside
