"""The § 99 Abs. 6 SGB VIII statistics of a Jugendamt as files for the Land's statistics office (R23)."""

from __future__ import annotations

from pathlib import Path

import click

from engine.clock import BERLIN
from web.cli.base import OPERATOR, fail, main, one_line_errors, ready_engine


@main.group(help="Statistik nach § 99 Abs. 6 SGB VIII (R23).")
def statistik() -> None:
    pass


@statistik.command("export", help="Die Datensätze eines Jahres als CSV, dazu die Übersicht (…-uebersicht.csv).")
@click.option("--jugendamt", "jugendamt_key", required=True, help="Schlüssel des Jugendamts")
@click.option("--jahr", "year", required=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@one_line_errors
def statistik_export(jugendamt_key: str, year: int, out: Path) -> None:
    """Writes nothing while a record needs fixing: the year goes out complete and plausible or not at all.
    A year the Leitung locked goes out exactly as locked; cases changed since are named on stderr."""
    _, case_engine = ready_engine()
    stats = case_engine.statistics_99(None, jugendamt_key, year, operator=OPERATOR)
    for problem in stats.problems:
        click.echo(f"{problem.reference}\t{problem.text}", err=True)
    if stats.problems:
        fail(f"{len(stats.problems)} Angaben sind zu korrigieren; nichts exportiert.")
    for skipped in (*stats.not_counted, *stats.changed_after_lock):
        click.echo(f"{skipped.reference}\t{skipped.text}", err=True)
    if stats.lock is not None:
        when = stats.lock.locked_at.astimezone(BERLIN).strftime("%d.%m.%Y")
        click.echo(f"Abgeschlossen am {when} von {stats.lock.locked_by}, SHA-256 {stats.lock.sha256}", err=True)
    overview = out.with_name(f"{out.stem}-uebersicht.csv")
    out.write_text(stats.csv, encoding="utf-8")
    overview.write_text(stats.summary_csv, encoding="utf-8")
    click.echo(f"{len(stats.records)} Datensätze → {out}, Übersicht → {overview}", err=True)
