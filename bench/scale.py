"""Scale benchmark: what a caseworker waits for at 10,000 cases and at 1,100,000 cases (1,000,000
closed + 100,000 open, issue 11 item 5) in the same run, on SQLite and on PostgreSQL, and how long
the volume generator takes to get there.

Per database: a fresh instance (SQLite: one file in WAL mode in a temporary folder; PostgreSQL: a
throw-away cluster, `initdb`/`pg_ctl` on a private socket as the test suite starts it), generated with
`generate_volume` (engine/volume, what `schutzpfad demo generate` runs) up to each level. After each
level a fresh *server* process (spawned, so that its memory is what a web worker holds, not the
generator's) times through `CaseEngine`, as the web calls it: the Fachkraft of the Jugendamt with the
most cases — inbox (`tasks`, first page), case list (`cases`, first page), a search by a child's name
(`cases?q=`), the case page of one of her cases; the Fachkraft of the Kita with the most cases —
opening a `traeger_8a` case and completing its first step. It reports the p95 of each and its
resident memory (RSS) after the calls. `--quick`: 100,000 cases instead of 1,100,000.

The cases the server opens are marked as generated afterwards (they are invented, the step
benchmark's child), since the generator refuses a database holding real cases.
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bench.case_journey import _beobachtung
from bench.report import Latency, Result, latency, machine, machine_line, table
from bench.step import CHILD
from engine.accounts import registry
from engine.actor import Actor
from engine.bootstrap import build_engine, initialise
from engine.case_engine import CaseEngine
from engine.clock import SystemClock
from engine.persistence import models as m
from engine.volume.generate import VolumeReport, generate_volume

FULL = (10_000, 1_100_000)
QUICK = (10_000, 100_000)
OPEN_SHARE = 1 / 11  # 100,000 open of 1,100,000
TARGET_LIST_MS = 50.0  # inbox and list page
TARGET_SEARCH_MS = 100.0
TARGET_STEP_RATIO = 1.2  # step p95 at the top level / at 10,000
TARGET_RSS_MB = 50.0
STEP = "anhaltspunkte_dokumentieren"


@dataclass
class Level:
    cases: int
    report: VolumeReport
    timings: dict[str, Latency]
    rss_mb: float
    reach: dict[str, int]


@dataclass
class DatabaseRun:
    name: str
    levels: list[Level]
    seconds: float


# ---- the server process ------------------------------------------------------------------------


def _person(engine: CaseEngine, kind: str, role: str) -> tuple[Actor, list[int]]:
    """A generated person of `role` in the organisation of `kind` with the most cases, and its cases."""
    with engine.reading() as uow:
        session = uow.session
        busiest = session.execute(
            select(m.Case.organisation_id, func.count())
            .join(m.Organisation, m.Organisation.id == m.Case.organisation_id)
            .where(m.Organisation.kind == kind)
            .group_by(m.Case.organisation_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
        assert busiest is not None
        user_id = (
            session.execute(
                select(m.Membership.user_id).where(
                    m.Membership.organisation_id == busiest[0], m.Membership.role == role
                )
            )
            .scalars()
            .first()
        )
        user = session.get(m.User, user_id)
        assert user is not None
        actor = registry.actor_for_user(session, user)
        cases = list(session.execute(select(m.Case.id).where(m.Case.organisation_id == busiest[0])).scalars())
    return actor, cases


def _timed(call: Callable[[], Any], runs: int, warmup: int = 3) -> Latency:
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return latency(seconds)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _names(engine: CaseEngine, actor: Actor, cases: list[int], rng: random.Random, count: int) -> list[str]:
    """Children's names to search for, read from case views (the names are sealed in the database)."""
    names: list[str] = []
    while len(names) < count:
        child = engine.case(actor, rng.choice(cases)).get("child") or {}
        if child.get("vorname") and child.get("nachname"):
            names.append(f"{child['nachname']} {child['vorname']}")
    return names


def _open_and_step(engine: CaseEngine, actor: Actor, opened: list[int], step: list[float]) -> None:
    """Open a case (the call is timed by the caller); complete its first step, timed into `step`."""
    progress = engine.open_case(actor, process_key="traeger_8a", child=CHILD)
    opened.append(progress.case_id)
    [task] = [t["id"] for t in engine.case(actor, progress.case_id)["open_tasks"] if t["task"] == STEP]
    values = _beobachtung(engine.clock.now())
    start = time.perf_counter()
    engine.complete_task(actor, task, values)
    step.append(time.perf_counter() - start)


def serve_and_measure(
    url: str, instance: str, runs: int, seed: int
) -> tuple[dict[str, Latency], float, dict[str, int]]:
    """Runs in a spawned process: the timed calls of one level, then this process's RSS."""
    engine = build_engine(url, SystemClock(), Path(instance))
    rng = random.Random(seed)  # noqa: S311 - which cases are timed, not a secret
    try:
        ja, ja_cases = _person(engine, "jugendamt", "ja_fachkraft")
        kita, kita_cases = _person(engine, "traeger", "fachkraft")
        names = iter(_names(engine, ja, ja_cases, rng, runs + 3))
        timings = {
            "Jugendamt: inbox (first page)": _timed(partial(engine.tasks, ja), runs),
            "Jugendamt: case list (first page)": _timed(partial(engine.cases, ja), runs),
            "Jugendamt: search by name": _timed(lambda: engine.cases(ja, {"q": next(names)}), runs),
            "Jugendamt: case page": _timed(lambda: engine.case_page(ja, rng.choice(ja_cases)), runs),
        }
        opened: list[int] = []
        step: list[float] = []
        timings["Kita: open a case"] = _timed(partial(_open_and_step, engine, kita, opened, step), runs)
        timings["Kita: complete a step"] = latency(step[3:])  # the warm-up's steps are not counted
        rss = _rss_mb()
        with engine.writing() as uow:  # invented cases: let the generator go on (see the module's doc)
            uow.session.execute(update(m.Case).where(m.Case.id.in_(opened)).values(generated=True))
            uow.commit()
    finally:
        engine.db.dispose()
    return timings, rss, {"Jugendamt": len(ja_cases), "Kita": len(kita_cases)}


# ---- the run -----------------------------------------------------------------------------------


@contextmanager
def _sqlite(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'scale.db'}"


@contextmanager
def _postgresql(folder: Path) -> Iterator[str]:
    from tests.support.pg_cluster import PgCluster  # the test suite's throw-away cluster

    with PgCluster() as cluster:
        cluster.create_database("scale")
        yield cluster.url("scale")


DATABASES: dict[str, Callable[[Path], Any]] = {"SQLite": _sqlite, "PostgreSQL": _postgresql}


def _progress(name: str) -> Callable[[int, int], None]:
    started = time.perf_counter()

    def report(done: int, total: int) -> None:
        if done % 100_000 < 2_000:
            print(
                f"scale: {name} {done:,}/{total:,} generated, {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    return report


def run_database(name: str, levels: tuple[int, ...], runs: int) -> DatabaseRun:
    started = time.perf_counter()
    done: list[Level] = []
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="schutzpfad-bench-scale-") as tmp, DATABASES[name](Path(tmp)) as url:
        engine = build_engine(url, SystemClock(), Path(tmp), create_keys=True)
        try:
            initialise(engine)
            total = 0
            for seed, level in enumerate(levels, start=1):
                report = generate_volume(
                    engine,
                    cases=level - total,
                    seed=seed,
                    operator="bench",
                    open_share=OPEN_SHARE,
                    progress=_progress(name),
                )
                total = level
                with spawn.Pool(1) as pool:
                    timings, rss, reach = pool.apply(serve_and_measure, (url, tmp, runs, seed))
                done.append(Level(level, report, timings, rss, reach))
                print(
                    f"scale: {name} {level:,} cases: {report.seconds:.0f} s generation, RSS {rss:.0f} MB, "
                    + ", ".join(f"{k} p95 {v.p95_ms:.1f} ms" for k, v in timings.items()),
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            engine.db.dispose()
    return DatabaseRun(name, done, time.perf_counter() - started)


def run(
    quick: bool = False,
    *,
    levels: tuple[int, ...] | None = None,
    databases: tuple[str, ...] | None = None,
    runs: int | None = None,
) -> Result:
    """`levels`, `databases` and `runs` (timed calls per figure) for a run at tiny scale (the tests')
    or one database at a time."""
    info = machine()
    levels = levels or (QUICK if quick else FULL)
    runs = runs or (20 if quick else 60)
    started = time.perf_counter()
    names = databases or tuple(name for name in DATABASES if name == "SQLite" or _pg_available())
    results = [run_database(name, levels, runs) for name in names]
    return _result(results, info, quick, time.perf_counter() - started)


def _pg_available() -> bool:
    from tests.support.pg_cluster import pg_unavailable_reason

    return pg_unavailable_reason() is None


def _target(name: str, first: Latency, last: Latency) -> str:
    if name.endswith("complete a step"):
        ratio = last.p95_ms / first.p95_ms
        verdict = "met" if ratio <= TARGET_STEP_RATIO else "missed"
        return f"≤ {TARGET_STEP_RATIO}× the first level: {verdict} (×{ratio:.2f})"
    limit = TARGET_SEARCH_MS if "search" in name else TARGET_LIST_MS if "first page" in name else None
    if limit is None:
        return "–"
    worst = max(first.p95_ms, last.p95_ms)
    return f"≤ {limit:.0f} ms: {'met' if worst <= limit else 'missed'}"


def _database_section(run_: DatabaseRun) -> str:
    levels = run_.levels
    generation = table(
        ("cases in the database", "generated", "open", "set-up s", "generation s", "cases/s (generation)"),
        [
            (
                f"{lv.cases:,}",
                f"{lv.report.cases:,}",
                f"{lv.report.open_cases:,}",
                f"{lv.report.setup_seconds:.1f}",
                f"{lv.report.seconds - lv.report.setup_seconds:.1f}",
                f"{lv.report.cases / max(lv.report.seconds - lv.report.setup_seconds, 1e-9):,.0f}",
            )
            for lv in levels
        ],
    )
    first, last = levels[0], levels[-1]
    rows: list[list[object]] = []
    for name in first.timings:
        row: list[object] = [name]
        row += [f"{lv.timings[name].p95_ms:.1f} ({lv.timings[name].median_ms:.1f})" for lv in levels]
        row.append(_target(name, first.timings[name], last.timings[name]))
        rows.append(row)
    growth = last.rss_mb - first.rss_mb
    rows.append(
        [
            "server RSS after the calls, MB",
            *(f"{lv.rss_mb:.0f}" for lv in levels),
            f"growth ≤ {TARGET_RSS_MB:.0f} MB: {'met' if growth <= TARGET_RSS_MB else 'missed'} ({growth:+.0f} MB)",
        ]
    )
    headers = ["p95 ms (median ms)", *(f"{lv.cases:,} cases" for lv in levels), "target"]
    reach = "; ".join(
        f"{lv.cases:,}: Jugendamt {lv.reach['Jugendamt']:,} cases, Kita {lv.reach['Kita']:,}" for lv in levels
    )
    generated = sum(lv.report.seconds for lv in levels)
    return f"""### {run_.name}

{run_.seconds:.0f} s in all; generating {last.cases:,} cases took {generated / 60:.1f} min.

{generation}

Timed organisations: {reach}.

{table(headers, rows)}
"""


def _result(runs: list[DatabaseRun], info: dict[str, Any], quick: bool, seconds: float) -> Result:
    bottom, top = runs[0].levels[0].cases, runs[0].levels[-1].cases
    sections = "\n".join(_database_section(r) for r in runs)
    body = f"""Measured {machine_line(info)}; {"quick run" if quick else "full run"}, {seconds / 60:.0f} min in all.
Run: `make bench` or `nice .venv/bin/python -m bench --only scale` (`--quick`: 100,000 cases at the top).

What is measured (see bench/scale.py): per database a fresh instance, generated with `generate_volume`
(`schutzpfad demo generate`; {OPEN_SHARE:.1%} of the cases open) to {bottom:,} cases and then to {top:,};
after each level a freshly spawned server process times through `CaseEngine` — for the Fachkraft of
the Jugendamt with the most cases the inbox and the case list (first page each, 50 rows, keyset
paging), a search by a child's name (`q=` surname and first name of one of her cases, blind index) and
the case page; for the Fachkraft of the Kita with the most cases opening a `traeger_8a` case and
completing its first step (`{STEP}`). Its RSS is read after the calls.

{sections}"""
    return Result(
        name="scale",
        heading="## Scale benchmark",
        body=body,
        figures={
            r.name: [(lv.cases, {k: v.p95_ms for k, v in lv.timings.items()}, lv.rss_mb) for lv in r.levels]
            for r in runs
        },
    )
