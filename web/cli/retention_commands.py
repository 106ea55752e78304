"""Retention (rule R25): the periods, the run that crypto-shreds what is due, the Löschsperre."""

from __future__ import annotations

import sys

import click

from engine.api import load_policy
from web.cli.base import OPERATOR, main, one_line_errors, ready_engine


@main.group(help="Aufbewahrungsfristen und Löschsperren (R25).")
def retention() -> None:
    pass


@retention.command("show", help="Die geltenden Fristen je Datensatzart.")
@one_line_errors
def retention_show() -> None:
    settings, _ = ready_engine()
    policy = load_policy(settings.retention_file)
    for record_type, period in policy.periods.items():
        action = "wird vernichtet" if period.shredded else "wird nur gemeldet"
        click.echo(f"{record_type}\t{period.text}\t{action}\t{period.label}")


@retention.command("run", help="Fällige abgeschlossene Fälle auflisten und kryptografisch vernichten.")
@click.option("--dry-run", is_flag=True, help="Nur auflisten, nichts vernichten (wird ebenfalls protokolliert).")
@one_line_errors
def retention_run(dry_run: bool) -> None:
    settings, case_engine = ready_engine()
    policy = load_policy(settings.retention_file)
    with click.progressbar(length=1, label="Fälle", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        report = case_engine.run_retention(policy, dry_run=dry_run, operator=OPERATOR, progress=progress)
    shredded = set(report.shredded)
    skipped = "übersprungen (inzwischen gesperrt oder vernichtet)"
    for item in report.due:
        state = "fällig" if dry_run else ("vernichtet" if item.reference in shredded else skipped)
        click.echo(f"{item.reference}\t{item.record_type}\tfällig seit {item.due:%d.%m.%Y}\t{state}")
    for note in report.reported:
        click.echo(f"{note.record_type}: {note.count} über der Frist, nicht vernichtet — {note.note}", err=True)
    summary = f"{len(report.due)} fällig" + ("" if dry_run else f", {len(report.shredded)} vernichtet")
    click.echo(f"{summary}{' (Probelauf)' if dry_run else ''}", err=True)


@retention.command("hold", help="Löschsperre für einen Fall setzen (mit Grund).")
@click.option("--case", "reference", required=True, help="Aktenzeichen")
@click.option("--reason", required=True)
@one_line_errors
def retention_hold(reference: str, reason: str) -> None:
    _, case_engine = ready_engine()
    case_engine.hold_case(reference, reason=reason, operator=OPERATOR)
    click.echo(f"{reference}: Löschsperre gesetzt", err=True)


@retention.command("release", help="Löschsperre eines Falls aufheben (mit Grund).")
@click.option("--case", "reference", required=True, help="Aktenzeichen")
@click.option("--reason", required=True)
@one_line_errors
def retention_release(reference: str, reason: str) -> None:
    _, case_engine = ready_engine()
    case_engine.release_case(reference, reason=reason, operator=OPERATOR)
    click.echo(f"{reference}: Löschsperre aufgehoben", err=True)
