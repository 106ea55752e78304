"""Copying the database out of and back into its server, consistently while it runs.

SQLite: the online backup API copies page by page under SQLite's own locks, so a running server
may keep writing (a plain file copy could catch a half-written page or miss the `-wal`). PostgreSQL:
`pg_dump` in its custom format (one consistent snapshot) and `pg_restore` into an emptied schema.
The PostgreSQL client programs must be at least the server's major version; they are looked up in
the configured folder (`SCHUTZPFAD_PG_BIN`) or on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, make_url

from engine.errors import OperationFailed

#: (done, total) in pages: SQLite's backup reports after each batch.
Progress = Callable[[int, int], None]
_PAGES_PER_STEP = 1024


def sqlite_file(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise OperationFailed("Eine SQLite-Datenbank im Arbeitsspeicher kann nicht gesichert werden.")
    return Path(database)


def copy_sqlite(source: Path, target: Path, progress: Progress) -> None:
    """Copy `source` into `target` (created or overwritten) with the online backup API."""
    try:
        origin = sqlite3.connect(source)
        destination = sqlite3.connect(target)
        try:
            origin.backup(
                destination,
                pages=_PAGES_PER_STEP,
                progress=lambda _status, remaining, total: progress(total - remaining, total),
            )
            destination.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            destination.close()
            origin.close()
    except sqlite3.Error as exc:
        raise OperationFailed(f"SQLite-Kopie von {source} nach {target} fehlgeschlagen: {exc}") from None


def dump_postgresql(database_url: str, target: Path, pg_bin: Path | None) -> None:
    pg_dump = _tool("pg_dump", pg_bin)
    conninfo, env = _libpq(database_url)
    _run(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={conninfo}"],
        env,
        "pg_dump",
    )


def restore_postgresql(db: Engine, source: Path, pg_bin: Path | None) -> None:
    """Empty the schema, then load the dump into it (a table added after the backup goes too)."""
    pg_restore = _tool("pg_restore", pg_bin)
    conninfo, env = _libpq(db.url.render_as_string(hide_password=False))
    with db.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    db.dispose()  # no pooled connection may keep a plan of the dropped tables
    _run(
        [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={conninfo}", str(source)],
        env,
        "pg_restore",
    )


def check_client_version(db: Engine, pg_bin: Path | None) -> None:
    """Refuse client programs older than the server before starting (pg_dump would stop half-way)."""
    with db.connect() as connection:
        server = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
    for name in ("pg_dump", "pg_restore"):
        tool = _tool(name, pg_bin)
        output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", output)
        if found is None or int(found.group(1)) < server:
            raise OperationFailed(
                f"{tool} ({output.strip() or 'Version unbekannt'}) ist älter als der PostgreSQL-Server "
                f"(Version {server}): die Client-Programme derselben Hauptversion installieren oder "
                "SCHUTZPFAD_PG_BIN auf ihren Ordner setzen."
            )


def _tool(name: str, pg_bin: Path | None) -> str:
    found = str(pg_bin / name) if pg_bin is not None and (pg_bin / name).is_file() else shutil.which(name)
    if found is None:
        where = f"in {pg_bin}" if pg_bin is not None else "auf dem PATH"
        raise OperationFailed(
            f"{name} nicht gefunden ({where}): die PostgreSQL-Client-Programme installieren oder "
            "SCHUTZPFAD_PG_BIN auf ihren Ordner setzen."
        )
    return found


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the URL; the password goes into the environment, never onto
    the command line (where every local user could read it in the process list)."""
    url = make_url(database_url)
    parts = {
        "host": url.host or url.query.get("host"),
        "port": str(url.port) if url.port else url.query.get("port"),
        "dbname": url.database,
        "user": url.username,
    }
    conninfo = " ".join(f"{key}={_quoted(str(value))}" for key, value in parts.items() if value)
    env = {"PGPASSWORD": url.password} if url.password else {}
    return conninfo, env


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _run(command: list[str], env: dict[str, str], name: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, **env})
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise OperationFailed(f"{name} fehlgeschlagen: {lines[-1] if lines else f'Rückgabewert {result.returncode}'}")
