"""Durability benchmark: what SQLite's `synchronous=FULL` costs a step next to `NORMAL` (issue 13, 10).

In WAL mode `NORMAL` syncs the WAL only at a checkpoint, so a power loss may take the last
acknowledged commits with it; `FULL` syncs the WAL at every commit (engine/persistence/database.py).
One file database, the step benchmark's BPMN and world, real `CaseEngine.complete_task` steps
round-robin over the cases; each unit of work's connection gets the level when it is checked out of the pool,
alternating ABBA (neither level always first or on the same case), so both series share the run's
noise and the ratio is meaningful even on a busy machine.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.report import Result, latency, machine, machine_line, table
from bench.step import BUNDLES, CHILD, PROCESS, review, world
from engine.bootstrap import build_engine, initialise
from engine.clock import SystemClock

CASES = 25
WARMUP = 50
LEVELS = ("NORMAL", "FULL")


@dataclass
class DurabilityRun:
    seconds: dict[str, list[float]] = field(default_factory=lambda: {level: [] for level in LEVELS})
    filesystem: str = ""


def run_steps(steps_per_level: int) -> DurabilityRun:
    run = DurabilityRun()
    with tempfile.TemporaryDirectory(prefix="schutzpfad-bench-durability-") as tmp:
        run.filesystem = _filesystem(Path(tmp))
        engine = build_engine(f"sqlite:///{Path(tmp) / 'bench.db'}", SystemClock(), Path(tmp), create_keys=True)
        level = ["FULL"]

        def set_level(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            dbapi_connection.execute(f"PRAGMA synchronous={level[0]}")

        try:
            initialise(engine, BUNDLES)
            actor = world(engine)
            # On checkout, before the unit of work's BEGIN: the level cannot change inside a transaction.
            event.listen(engine.db, "checkout", set_level)
            tasks: list[tuple[int, str]] = []
            for _ in range(CASES):
                view = engine.open_case(actor, process_key=PROCESS, child=CHILD)
                tasks.append((0, view.open_tasks[0].id))

            def step(index: int) -> float:
                done, task_id = tasks[index % CASES]
                start = time.perf_counter()
                view = engine.complete_task(actor, task_id, review(done))
                seconds = time.perf_counter() - start
                tasks[index % CASES] = (done + 1, view.open_tasks[0].id)
                return seconds

            for i in range(WARMUP):
                step(i)
            for i in range(2 * steps_per_level):
                level[0] = LEVELS[1] if (i % 4) in (0, 3) else LEVELS[0]
                run.seconds[level[0]].append(step(WARMUP + i))
        finally:
            engine.db.dispose()
    return run


def _filesystem(folder: Path) -> str:
    """The file system the database lived on (an fsync's cost depends on it)."""
    best = ("", "")
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                _, point, kind, *_ = line.split()
                if str(folder).startswith(point) and len(point) >= len(best[0]):
                    best = (point, kind)
    except OSError:
        return "unknown"
    return f"{best[1]} at {best[0]}" if best[1] else "unknown"


def run(*, quick: bool = False) -> Result:
    steps_per_level = 60 if quick else 600
    load_before = os.getloadavg()
    started = time.perf_counter()
    measured = run_steps(steps_per_level)
    elapsed = time.perf_counter() - started
    stats = {level: latency(measured.seconds[level]) for level in LEVELS}
    normal, full = stats["NORMAL"], stats["FULL"]
    rows = table(
        ("`synchronous`", "steps", "median ms", "p95 ms", "mean ms", "max ms"),
        [
            (level, s.n, f"{s.median_ms:.2f}", f"{s.p95_ms:.2f}", f"{s.mean_ms:.2f}", f"{s.max_ms:.2f}")
            for level, s in stats.items()
        ]
        + [
            (
                "FULL − NORMAL",
                "",
                f"{full.median_ms - normal.median_ms:+.2f}",
                f"{full.p95_ms - normal.p95_ms:+.2f}",
                f"{full.mean_ms - normal.mean_ms:+.2f}",
                "",
            ),
            (
                "FULL / NORMAL",
                "",
                f"×{full.median_ms / normal.median_ms:.2f}",
                f"×{full.p95_ms / normal.p95_ms:.2f}",
                f"×{full.mean_ms / normal.mean_ms:.2f}",
                "",
            ),
        ],
    )
    info = machine()
    body = f"""Measured {machine_line(info)}; {"quick" if quick else "full"} run, {elapsed:.0f} s in all, load average
before {load_before[0]:.2f}. Database on {measured.filesystem}. Run: `make bench` or
`.venv/bin/python -m bench --only durability`.

{rows}

**What is measured.** `CaseEngine.complete_task` on the review task of `bench/bundles/review_loop/1`
(the step benchmark's world), {CASES} cases round-robin after {WARMUP} untimed warm-up steps, on one
file SQLite database in WAL mode. When a unit of work checks its connection out of the pool, it is set to
`synchronous=NORMAL` or `FULL`, alternating ABBA, so both series share the run's noise. `FULL` (what
Schutzpfad runs since issue 13, finding 10) syncs the WAL at every commit: an acknowledged step
survives a power loss; `NORMAL` syncs only at checkpoints and may lose the last commits.

**Reading.** A step costs {full.median_ms - normal.median_ms:+.2f} ms at the median
(×{full.median_ms / normal.median_ms:.2f}, p95 ×{full.p95_ms / normal.p95_ms:.2f}) with `FULL`: the price of one
fsync of the WAL per commit on this file system. A disk whose flush is slower (no battery-backed
write cache, a rotating disk) pays more per commit; measure there with `--only durability`.
"""
    figures: dict[str, Any] = {level: s.__dict__ for level, s in stats.items()}
    return Result("durability", "## Durability benchmark (synchronous=FULL)", body, figures)
