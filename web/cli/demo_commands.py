"""`schutzpfad demo generate`: invented cases in realistic states, for benchmarks and training
instances (engine/volume). Progress goes to stderr, the summary with the rate to stdout."""

from __future__ import annotations

import time

import click

from engine.api import generate_volume
from web.cli.base import OPERATOR, main, one_line_errors, ready_engine


@main.group(help="Demo- und Testdaten.")
def demo() -> None:
    pass


@demo.command(
    "generate",
    help="Erfundene Fälle in realistischen Zuständen erzeugen (verweigert eine Datenbank mit echten Fällen).",
)
@click.option("--cases", "count", type=int, required=True, help="Anzahl der Fälle.")
@click.option("--seed", type=int, default=None, help="Startwert des Zufalls: gleicher Startwert, gleiche Fälle.")
@one_line_errors
def demo_generate(count: int, seed: int | None) -> None:
    _, case_engine = ready_engine()
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        click.echo(f"\r{done}/{total} Fälle ({rate:,.0f}/s)".replace(",", "."), err=True, nl=False)

    report = generate_volume(case_engine, cases=count, seed=seed, operator=OPERATOR, progress=progress)
    click.echo("", err=True)
    click.echo(
        f"{report.cases} Fälle erzeugt, davon {report.open_cases} offen, in {report.seconds:.1f} s: "
        f"{report.rate:.0f} Fälle/s (Vorlagen, Organisationen und Personen: {report.setup_seconds:.1f} s); "
        f"Startwert {report.seed}"
    )
