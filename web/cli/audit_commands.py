"""Commands of the audit trail and the key material: verify, public key, checkpoint, export, key
rotation and crypto-shredding — for the operator and the Revision."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click

from engine.api import (
    CHECKPOINT_LOG,
    verify_with_public_key,
)
from engine.clock import BERLIN
from web.cli.base import OPERATOR, fail, main, one_line_errors, ready_engine
from web.config import load_settings


@main.group(help="Revisionssicheres Protokoll.")
def audit() -> None:
    pass


@audit.command("verify", help="Kette und signierte Prüfpunkte prüfen, ohne zu entschlüsseln.")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--public-key",
    "public_key",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Nur mit diesem öffentlichen Schlüssel prüfen (Revision: ohne Zugriff auf die Instanzschlüssel).",
)
@click.option(
    "--checkpoints",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Eine eigene Kopie von audit-checkpoints.jsonl statt der im Instanzordner.",
)
@one_line_errors
def audit_verify(as_json: bool, public_key: Path | None, checkpoints: Path | None) -> None:
    settings = load_settings()
    log = checkpoints or settings.instance_path / CHECKPOINT_LOG
    if public_key is not None:
        result = verify_with_public_key(settings.database_url, public_key.read_bytes(), log)
    else:
        _, case_engine = ready_engine()
        result = case_engine.verify_trail(checkpoint_log=log)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "checked": result.checked,
                    "first_bad_seq": result.first_bad_seq,
                    "reason": result.reason,
                },
                ensure_ascii=False,
            )
        )
    elif result.ok:
        click.echo(f"ok: {result.checked} Einträge geprüft")
    if not result.ok:
        fail(f"Protokoll verletzt ab Eintrag {result.first_bad_seq}: {result.reason}")


@audit.command("public-key", help="Den öffentlichen Prüfschlüssel der Prüfpunkte ausgeben (PEM, für die Revision).")
@one_line_errors
def audit_public_key() -> None:
    _, case_engine = ready_engine()
    click.echo(case_engine.vault.export_public_key().decode().strip())


@audit.command("checkpoint", help="Jetzt einen signierten Prüfpunkt des Kettenkopfs schreiben.")
@one_line_errors
def audit_checkpoint() -> None:
    _, case_engine = ready_engine()
    checkpoint = case_engine.checkpoint()
    click.echo(f"{checkpoint.seq}\t{checkpoint.hash.hex()}\t{checkpoint.time.isoformat()}")


@audit.command("export", help="Entschlüsselte Ereignisse als JSON Lines (wird selbst protokolliert).")
@click.option("--case", "case_reference", default=None)
@click.option("--from", "since", default=None, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "until", default=None, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--reason", required=True)
@one_line_errors
def audit_export(case_reference: str | None, since: datetime | None, until: datetime | None, reason: str) -> None:
    if (case_reference is None) == (since is None and until is None):
        fail("Entweder --case oder --from/--to angeben.")
    _, case_engine = ready_engine()
    case_engine.export_trail(
        lambda event: click.echo(json.dumps(event, ensure_ascii=False)),
        reason=reason,
        operator=OPERATOR,
        case_reference=case_reference,
        since=_berlin_day(since),
        until=_berlin_day(until, next_day=True),
    )


def _berlin_day(day: datetime | None, *, next_day: bool = False) -> datetime | None:
    """A date given on the command line means that day in Europe/Berlin; `--to` includes its day."""
    if day is None:
        return None
    start = day.replace(tzinfo=BERLIN)
    return start + timedelta(days=1) if next_day else start


@main.group(help="Schlüsselverwaltung.")
def keys() -> None:
    pass


@keys.command("rotate", help="Neuer Schlüssel-Verschlüsselungsschlüssel; alle Datenschlüssel neu verpacken.")
@one_line_errors
def keys_rotate() -> None:
    _, case_engine = ready_engine()
    with click.progressbar(length=1, label="Datenschlüssel", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        report = case_engine.rotate_keys(operator=OPERATOR, progress=progress)
    click.echo(f"{report.kek_id}\t{report.rewrapped} neu verpackt{' (fortgesetzt)' if report.resumed else ''}")


@keys.command(
    "rotate-index", help="Neuer Schlüssel des Suchindex; alle Fälle neu indexieren, alten Schlüssel vernichten."
)
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 10_000), help="Fälle je Transaktion")
@one_line_errors
def keys_rotate_index(batch: int) -> None:
    _, case_engine = ready_engine()
    with click.progressbar(length=1, label="Fälle", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        report = case_engine.rotate_index_key(operator=OPERATOR, progress=progress, batch=batch)
    retired = ", ".join(str(v) for v in report["retired"]) or "keine"
    resumed = " (fortgesetzt)" if report["resumed"] else ""
    click.echo(
        f"Version {report['version']}\t{report['reindexed']} Fälle neu indexiert, vernichtet: {retired}{resumed}"
    )


@keys.command("shred", help="Datenschlüssel eines abgeschlossenen Falls vernichten (Ende der Aufbewahrung).")
@click.option("--case", "reference", required=True)
@click.option("--reason", required=True)
@one_line_errors
def keys_shred(reference: str, reason: str) -> None:
    _, case_engine = ready_engine()
    case_engine.shred_case(reference, reason=reason, operator=OPERATOR)
    click.echo(f"{reference}: Inhalt unwiderruflich unlesbar gemacht", err=True)
