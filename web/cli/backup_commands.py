"""Backup and restore of the installation (docs/backup-and-retention.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from engine.api import create_backup, read_backup, restore_backup
from engine.clock import SystemClock
from web.cli.base import OPERATOR, fail, main, one_line_errors, ready_engine
from web.config import load_settings

KEYS_WARNING = (
    "WARNUNG: Die Schlüssel liegen in {keys}. Bewahren Sie diesen Ordner getrennt von der Sicherung auf "
    "(anderer Datenträger, anderer Ort, anderer Zugriff): wer Sicherung und Schlüssel zusammen hat, kann "
    "jeden Fall lesen; ohne die Schlüssel ist die Sicherung wertlos."
)


@contextmanager
def _pages() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr over the database pages copied (SQLite; PostgreSQL reports stages)."""
    with click.progressbar(length=1, label="Datenbankseiten", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield progress


def _say(message: str) -> None:
    click.echo(message, err=True)


@main.command(help="Datenbank, Prüfpunkt-Protokoll und Vernichtungsprotokoll sichern; Schlüssel getrennt davon.")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--keys",
    "keys_folder",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Eigener Ordner für die Schlüssel (nicht im Sicherungsordner; getrennt aufbewahren).",
)
@one_line_errors
def backup(folder: Path, keys_folder: Path) -> None:
    settings, case_engine = ready_engine()
    with _pages() as progress:
        report = create_backup(
            case_engine,
            settings.instance_path,
            folder,
            keys_folder,
            operator=OPERATOR,
            pg_bin=settings.pg_bin,
            say=_say,
            progress=progress,
        )
    manifest = report.manifest
    click.echo(f"{report.folder}\t{manifest.database_file}\tProtokoll bis Eintrag {manifest.head_seq}")
    click.echo(KEYS_WARNING.format(keys=report.keys_folder), err=True)


@main.command(help="Eine Sicherung zurückspielen und seither Vernichtetes erneut vernichten (Dienst vorher anhalten).")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--keys",
    "keys_folder",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Der getrennt aufbewahrte Schlüsselordner der Sicherung (fehlende Schlüssel werden ergänzt).",
)
@click.option("--yes", is_flag=True, help="Ohne Rückfrage ersetzen.")
@one_line_errors
def restore(folder: Path, keys_folder: Path | None, yes: bool) -> None:
    settings = load_settings()
    manifest = read_backup(folder, settings.database_url)
    question = (
        f"Die Datenbank wird durch die Sicherung vom {manifest.created_at:%d.%m.%Y %H:%M} UTC ersetzt; "
        "Änderungen seither gehen verloren. Fortfahren?"
    )
    if not yes and not click.confirm(question, err=True):
        fail("Abgebrochen, nichts geändert.")
    with _pages() as progress:
        report = restore_backup(
            settings.database_url,
            SystemClock(),
            settings.instance_path,
            folder,
            keys_folder,
            operator=OPERATOR,
            pg_bin=settings.pg_bin,
            say=_say,
            progress=progress,
        )
    if report.set_aside is not None:
        _say(f"Das bisherige Prüfpunkt-Protokoll liegt jetzt in {report.set_aside}.")
    click.echo(
        f"wiederhergestellt: Stand {manifest.created_at.isoformat()}, "
        f"{len(report.reshredded)} seither vernichtete Bereiche erneut vernichtet"
    )
