"""What every benchmark shares: its result type, latency statistics, the machine, docs/performance.md.

Each benchmark owns one `## …` section of docs/performance.md and replaces only that section, so the
benchmarks of later issues (audit, deadlines) can be run on their own without erasing the others.
"""

from __future__ import annotations

import gc
import math
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"

INTRO = """# Performance

What the benchmarks of `bench/` measure, on which machine, with which result. Run them with
`make bench` (= `.venv/bin/python -m bench`); `--only step` runs one benchmark, `--quick` is a smoke
run with fewer repetitions that prints its tables but leaves this file alone.

Each benchmark replaces its own `## …` section below and the `## Machine` section describes the
machine of the latest run. Absolute figures depend on the machine and on its noise, so the targets
are checked on ratios measured within one run; speed is never asserted in tests.
"""


@dataclass
class Result:
    """What a benchmark returns: a markdown section for docs/performance.md and the raw figures."""

    name: str
    heading: str  # e.g. "## Step benchmark"
    body: str  # markdown without the heading
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Latency:
    """Summary of the timed calls of one series, in milliseconds."""

    n: int
    median_ms: float
    p95_ms: float
    mean_ms: float
    max_ms: float

    @property
    def steps_per_s(self) -> float:
        """Sequential throughput: timed calls per second of timed time."""
        return 1000.0 / self.mean_ms if self.mean_ms else math.inf


class GcWatch:
    """Time spent in Python's garbage collector while active (gc.callbacks), full collections counted.

    Latency tails of a Python service are often full (generation 2) collections, not the code measured.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._start
        self.full += info["generation"] == 2

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually measured."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency(seconds: Sequence[float]) -> Latency:
    ms = [s * 1000 for s in seconds]
    return Latency(
        n=len(ms),
        median_ms=statistics.median(ms),
        p95_ms=percentile(ms, 95),
        mean_ms=statistics.fmean(ms),
        max_ms=max(ms),
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# The machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def machine() -> dict[str, Any]:
    ram = _ram_gib()
    return {
        "date": datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram": f"{ram:.1f} GiB" if ram is not None else "?",
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": _version("SQLAlchemy"),
        "spiffworkflow": _version("SpiffWorkflow"),
    }


def machine_section(info: dict[str, Any]) -> str:
    return table(
        ("", ""),
        [
            ("Date of the run", info["date"]),
            ("CPU", f"{info['cpu']}, {info['cores']} logical cores (os.cpu_count)"),
            ("RAM", info["ram"]),
            ("OS", info["os"]),
            ("Python", info["python"]),
            ("SQLite", info["sqlite"]),
            ("SQLAlchemy / SpiffWorkflow", f"{info['sqlalchemy']} / {info['spiffworkflow']}"),
        ],
    )


def machine_line(info: dict[str, Any]) -> str:
    """One line for a benchmark section, so a section read alone still names its machine."""
    return (
        f"{info['date']}, {info['cpu']} ({info['cores']} cores, {info['ram']}), {info['python']}, "
        f"SQLite {info['sqlite']}"
    )


# --------------------------------------------------------------------------------------------------
# docs/performance.md


def replace_section(path: Path, heading: str, body: str) -> None:
    """Replace the section `heading` (a `## …` line) up to the next `## ` heading, or append it.

    Creates the file with the intro if it does not exist; every other section is kept byte for byte.
    """
    if not heading.startswith("## "):
        raise ValueError(f"a section heading starts with '## ': {heading!r}")
    text = path.read_text(encoding="utf-8") if path.exists() else INTRO
    lines = text.splitlines()
    section = [heading, "", *body.strip("\n").splitlines(), ""]
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *section]
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = section
    while lines and not lines[-1].strip():
        lines.pop()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextmanager
def instrumented(phases: Sequence[tuple[Any, str, str]], totals: dict[str, float]) -> Iterator[None]:
    """Time named phases — (owner, attribute, label) — by wrapping the attributes in this process only;
    restored on exit. `totals` collects seconds per label."""
    originals = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in phases]

    def timed(original: Callable[..., Any], label: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - start

        return wrapper

    try:
        for (owner, attr, original), (_, _, label) in zip(originals, phases, strict=True):
            setattr(owner, attr, timed(original, label))
        yield
    finally:
        for owner, attr, original in originals:
            setattr(owner, attr, original)
