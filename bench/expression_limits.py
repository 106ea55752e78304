"""Expression limits benchmark (issue 13, finding 1): how long a refused expression runs, and how
long it holds up another thread.

Each attack of the red-team run (and the worst cases of the guards: the operation budget used up,
a value weighed up to its limit) is evaluated through the real script engine
(`engine.processes.spiff.runtime.make_script_engine`) with its operand as form data, so only the
runtime guards stand between it and the computation. Meanwhile a second thread sleeps 1 ms in a loop
and records how late it wakes up: its lateness is how long the attacks kept the interpreter lock
from other requests (the red-team run saw 15.7 s for an unrelated `GET /api/v1/processes`).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from bench.report import Result, latency, machine, machine_line, table
from engine.errors import LimitExceeded
from engine.processes.spiff.runtime import make_script_engine

#: (what, snippet, mode, task data)
ATTACKS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "`3 ** n`, n = 31,000,000 (red team)",
        "akute_gefahr == True and 3 ** n > 0",
        "eval",
        {"akute_gefahr": True, "n": 31_000_000},
    ),
    ("`n ** n ** n`, n = 9", "n ** n ** n", "eval", {"n": 9}),
    ("`text * n`, n = 10**12", "len(text * n)", "eval", {"text": "x", "n": 10**12}),
    (
        "nested loops over a 1,000-character text (operation budget)",
        "any(a != b for a in t for b in t)",
        "eval",
        {"t": "x" * 1000},
    ),
    ("a list of 300,000 elements twice (weighed to the limit)", "len([l, l])", "eval", {"l": [0] * 300_000}),
    ("`l = [l, l]` 100 times (shared per path)", "for i in [0] * 100:\n    l = [l, l]", "exec", {"l": [0]}),
]


class _Lateness(threading.Thread):
    """Sleeps 1 ms again and again and records how much later than that it woke up."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.late: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            time.sleep(0.001)
            self.late.append(max(0.0, time.perf_counter() - start - 0.001))


def _refusal_seconds(snippet: str, mode: str, data: dict[str, Any]) -> float:
    environment = make_script_engine().environment
    start = time.perf_counter()
    try:
        if mode == "eval":
            environment.evaluate(snippet, dict(data))
        else:
            environment.execute(snippet, dict(data))
    except LimitExceeded:
        return time.perf_counter() - start
    raise AssertionError(f"not refused: {snippet}")


def run(*, quick: bool = False) -> Result:
    repetitions = 3 if quick else 15
    idle = _Lateness()
    idle.start()
    time.sleep(0.5)
    idle.stop.set()
    idle.join()
    watcher = _Lateness()
    watcher.start()
    rows, figures = [], {}
    for what, snippet, mode, data in ATTACKS:
        series = latency([_refusal_seconds(snippet, mode, data) for _ in range(repetitions)])
        rows.append((what, f"{series.median_ms:.2f}", f"{series.max_ms:.2f}"))
        figures[what] = series
    watcher.stop.set()
    watcher.join()
    base, busy = latency(idle.late), latency(watcher.late)
    body = "\n\n".join(
        [
            machine_line(machine()),
            f"Each attack refused {repetitions} times through the real script engine, operands as form data "
            "(`python -m bench --only expression_limits`). Without the limits the first took 16.7 s in the "
            "red-team run and the second would take hours.",
            table(["attack", "refused after, median ms", "max ms"], rows),
            "Another thread sleeping 1 ms in a loop woke up late by (ms):",
            table(
                ["while", "median", "p95", "max"],
                [
                    ("idle", f"{base.median_ms:.2f}", f"{base.p95_ms:.2f}", f"{base.max_ms:.2f}"),
                    ("the attacks ran", f"{busy.median_ms:.2f}", f"{busy.p95_ms:.2f}", f"{busy.max_ms:.2f}"),
                ],
            ),
        ]
    )
    return Result("expression_limits", "## Expression limits benchmark", body, figures)
