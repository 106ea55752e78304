"""Step benchmark: the latency of completing one task, by the length of the case's history.

Two paths on the same BPMN (`bench/bundles/review_loop/1`, a Schutzplan review that loops on
"weiter beobachten"):

- **engine**: `CaseEngine.complete_task` — the public entry point, one unit of work with guards,
  form validation, the SpiffWorkflow step, state/projection/history writes, the returned step result and
  the commit — on a file SQLite database (WAL), with a real clock;
- **naive**: SpiffWorkflow used directly as its documentation suggests: one JSON document per case
  with the embedded spec in an SQLite row; per action read row → `deserialize_json` → set data,
  `run()`, `do_engine_steps()` → `serialize_json` → write row → commit.

"History H" means the case has H completed review steps before the timed one. So that a timed step
really sees about H, each case takes at most max(1, H/10) timed steps (history H … 1.1·H), round-robin
over as many cases as that needs: 200 cases at H=10, 20 at H=100, 4 at H=500 (full run).
"""

from __future__ import annotations

import math
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import text

from bench.report import GcWatch, Latency, Result, instrumented, latency, machine, machine_line, table
from engine.accounts import registry as accounts
from engine.actor import Actor
from engine.bootstrap import build_engine, initialise
from engine.case_engine import CaseEngine
from engine.cases import queries
from engine.cases import state as case_state
from engine.clock import SystemClock
from engine.processes.spiff import Instance
from engine.transactions import UnitOfWork

BUNDLES = Path(__file__).resolve().parent / "bundles"
PROCESS = "review_loop"
BPMN_FILE = BUNDLES / PROCESS / "1" / f"{PROCESS}.bpmn"
LEVELS = (10, 100, 500)

TARGET_P95_MS = 15.0
TARGET_FLATNESS = 1.5  # p95 at the longest history / p95 at the shortest
TARGET_SPEEDUP = 10.0  # naive / engine at the longest history

CHILD = {
    "vorname": "Mia",
    "nachname": "Beispielkind",
    "geburtsdatum": "2020-05-17",
    "wohnort_gemeinde": "Goch",
    "anschrift": {"strasse": "Markt 1", "plz": "47574", "ort": "Goch"},
}


def review(i: int, wirksam: str = "weiter_beobachten") -> dict[str, str]:
    return {
        "wirksam": wirksam,
        "vermerk": f"Überprüfung {i}: Hausbesuch mit der Mutter, Absprachen des Schutzplans eingehalten, "
        "Kind besucht regelmäßig die Kita. Weiter beobachten.",
    }


def plan(history: int, timed: int) -> tuple[int, int]:
    """(timed steps per case, number of cases) so that no case grows by more than 10 % while timed."""
    per_case = max(1, history // 10)
    return per_case, math.ceil(timed / per_case)


@dataclass
class Series:
    path: str
    history: int
    seconds: list[float] = field(default_factory=list)
    cases: int = 0
    per_case: int = 0
    state_bytes: float = 0.0
    tree_tasks: float = 0.0
    gc_seconds: float = 0.0  # garbage collection inside the timed calls
    gc_full: int = 0  # full (generation 2) collections inside the timed calls

    def timed(self, call: Callable[[], Any], gc_watch: GcWatch) -> Any:
        gc_seconds, gc_full = gc_watch.seconds, gc_watch.full
        start = time.perf_counter()
        result = call()
        self.seconds.append(time.perf_counter() - start)
        self.gc_seconds += gc_watch.seconds - gc_seconds
        self.gc_full += gc_watch.full - gc_full
        return result

    @property
    def stats(self) -> Latency:
        return latency(self.seconds)

    @property
    def history_span(self) -> str:
        return f"{self.history}" if self.per_case <= 1 else f"{self.history}–{self.history + self.per_case - 1}"


# --------------------------------------------------------------------------------------------------
# Engine path


@dataclass
class _Case:
    id: int
    task_id: str
    done: int = 0


#: Phases of an engine step for the instrumented pass: (module or class, attribute, label).
_PHASES: tuple[tuple[Any, str, str], ...] = (
    (case_state, "load", "load instance"),
    (Instance, "complete", "Spiff step + compaction"),
    (case_state, "save", "save state + projection"),
    (queries, "step_result", "step result (returned)"),
    (UnitOfWork, "commit", "commit"),
)


def world(engine: CaseEngine) -> Actor:
    now = engine.clock.now()
    with engine.writing() as uow:
        accounts.create_organisation(
            uow.session,
            key="traeger-bench",
            name="Kita Benchmark Goch",
            kind="traeger",
            now=now,
            jugendamt_key="ja-goch",
        )
        user = accounts.create_user(
            uow.session,
            username="bench_leitung",
            organisation_key="traeger-bench",
            role="leitung",
            password=None,
            now=now,
            display_name="Bench Leitung",
            mfa_required=False,
        )
        actor = accounts.actor_for_user(uow.session, user)
        uow.commit()
    return actor


def _advance(engine: CaseEngine, actor: Actor, case: _Case, until: int) -> None:
    while case.done < until:
        view = engine.complete_task(actor, case.task_id, review(case.done))
        case.task_id = view.open_tasks[0].id
        case.done += 1


def _inbox(engine: CaseEngine, actor: Actor) -> dict[int, str]:
    """Each case's open task from the actor's task list, page by page."""
    found: dict[int, str] = {}
    params = {"limit": "200"}
    while True:
        page = engine.tasks(actor, params)
        found.update({t["case_id"]: t["id"] for t in page.rows})
        if page.next_cursor is None:
            return found
        params["cursor"] = page.next_cursor


def _instance_sizes(engine: CaseEngine, case_ids: list[int]) -> tuple[float, float]:
    wanted = set(case_ids)
    with engine.db.connect() as conn:
        rows = [
            r for r in conn.execute(text("SELECT case_id, length(state), tree_size FROM instances")) if r[0] in wanted
        ]
    return sum(r[1] for r in rows) / len(rows), sum(r[2] for r in rows) / len(rows)


def run_engine(
    levels: tuple[int, ...], timed: int, breakdown_steps: int, gc_watch: GcWatch
) -> tuple[list[Series], dict[int, dict[str, float]]]:
    series: list[Series] = []
    breakdown: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="schutzpfad-bench-") as tmp:
        engine = build_engine(f"sqlite:///{Path(tmp) / 'bench.db'}", SystemClock(), Path(tmp), create_keys=True)
        try:
            initialise(engine, BUNDLES)
            actor = world(engine)
            cases: list[_Case] = []
            for history in levels:
                per_case, count = plan(history, timed)
                chosen = sorted((c for c in cases if c.done <= history), key=lambda c: -c.done)[:count]
                while len(chosen) < count:
                    view = engine.open_case(actor, process_key=PROCESS, child=CHILD)
                    case = _Case(view.case_id, view.open_tasks[0].id)
                    cases.append(case)
                    chosen.append(case)
                for case in chosen:
                    _advance(engine, actor, case, history)
                inbox = _inbox(engine, actor)  # the open task, as a user finds it
                for case in chosen:
                    case.task_id = inbox[case.id]
                current = Series("engine", history, cases=count, per_case=per_case)
                for _ in range(per_case):
                    for case in chosen:
                        if len(current.seconds) == timed:
                            break
                        values = review(case.done)
                        view = current.timed(partial(engine.complete_task, actor, case.task_id, values), gc_watch)
                        case.task_id = view.open_tasks[0].id
                        case.done += 1
                current.state_bytes, current.tree_tasks = _instance_sizes(engine, [c.id for c in chosen])
                series.append(current)
                breakdown[history] = _breakdown(engine, actor, chosen, breakdown_steps)
            _check_end(engine, actor, cases[0])
        finally:
            engine.db.dispose()
    return series, breakdown


def _breakdown(engine: CaseEngine, actor: Actor, chosen: list[_Case], steps: int) -> dict[str, float]:
    """Mean ms per phase over `steps` extra steps (not part of the figures above: wrappers cost a little)."""
    totals: dict[str, float] = {}
    total, histories = 0.0, 0
    with instrumented(_PHASES, totals):
        for i in range(steps):
            case = chosen[i % len(chosen)]
            histories += case.done
            start = time.perf_counter()
            view = engine.complete_task(actor, case.task_id, review(case.done))
            total += time.perf_counter() - start
            case.task_id = view.open_tasks[0].id
            case.done += 1
    result = {label: totals.get(label, 0.0) * 1000 / steps for _, _, label in _PHASES}
    result["rest (lookup, lock, guards, form, history row, session)"] = total * 1000 / steps - sum(result.values())
    result["total"] = total * 1000 / steps
    result["history"] = histories / steps
    return result


def _check_end(engine: CaseEngine, actor: Actor, case: _Case) -> None:
    """The benchmark's case is a real one: its history is complete and `ja` closes it."""
    view = engine.case(actor, case.id)
    assert len(view["history"]) == case.done, (len(view["history"]), case.done)
    closed = engine.complete_task(actor, case.task_id, review(case.done, "ja"))
    assert closed.status == "abgeschlossen" and not closed.open_tasks, closed.status


# --------------------------------------------------------------------------------------------------
# Naive path


@contextmanager
def deep_task_iterator() -> Iterator[None]:
    """spiffworkflow-notes.md §5: without compaction the READY task of a long loop lies deeper than the
    task iterator's max_depth=1000 and becomes invisible (~250 iterations). Naive benchmark only."""
    original = BpmnBaseWorkflow.get_tasks_iterator

    def deep(self: BpmnBaseWorkflow, first_task: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("max_depth", 10**9)
        return original(self, first_task, **kwargs)

    BpmnBaseWorkflow.get_tasks_iterator = deep
    try:
        yield
    finally:
        BpmnBaseWorkflow.get_tasks_iterator = original


def _naive_workflow() -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN_FILE))
    workflow = BpmnWorkflow(parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS))
    start = workflow.get_next_task(state=TaskState.READY)
    assert start is not None
    start.data.update({"meldung": None})
    workflow.do_engine_steps()
    return workflow


def _step_in_memory(workflow: BpmnWorkflow, i: int) -> bool:
    task = workflow.get_next_task(state=TaskState.READY, manual=True)
    if task is None:
        return False
    task.data.update(review(i))
    task.run()
    workflow.do_engine_steps()
    return True


def naive_stall_point(limit: int = 600) -> int | None:
    """Completed reviews after which unpatched SpiffWorkflow no longer finds the next READY task."""
    workflow = _naive_workflow()
    for i in range(limit):
        if not _step_in_memory(workflow, i):
            hidden = [t for t in workflow.tasks.values() if t.state == TaskState.READY]
            return i if hidden else None  # a READY task exists, but the iterator no longer reaches it
    return None


def _naive_step(
    conn: sqlite3.Connection, serializer: BpmnWorkflowSerializer, row_id: int, task_id: UUID, values: dict[str, str]
) -> UUID:
    conn.execute("BEGIN IMMEDIATE")
    try:
        (document,) = conn.execute("SELECT state FROM naive_cases WHERE id = ?", (row_id,)).fetchone()
        workflow = serializer.deserialize_json(document)
        task = workflow.get_task_from_id(task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise RuntimeError("task is not an open user task")
        task.data.update(values)
        task.run()
        workflow.do_engine_steps()
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        conn.execute("UPDATE naive_cases SET state = ? WHERE id = ?", (serializer.serialize_json(workflow), row_id))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return ready[0].id


def run_naive(levels: tuple[int, ...], timed: int, gc_watch: GcWatch) -> list[Series]:
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    series: list[Series] = []
    with tempfile.TemporaryDirectory(prefix="schutzpfad-bench-naive-") as tmp, deep_task_iterator():
        conn = sqlite3.connect(Path(tmp) / "naive.db", isolation_level=None)
        try:
            for pragma in ("journal_mode=WAL", "synchronous=FULL"):  # as engine/persistence/database.py
                conn.execute(f"PRAGMA {pragma}")
            conn.execute("CREATE TABLE naive_cases (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
            workflow, done = _naive_workflow(), 0
            for history in levels:
                while done < history:  # one case advanced in memory, then copied into every row
                    assert _step_in_memory(workflow, done), f"naive case stalled after {done} steps"
                    done += 1
                document = serializer.serialize_json(workflow)
                per_case, count = plan(history, timed)
                ready = workflow.get_next_task(state=TaskState.READY, manual=True)
                assert ready is not None
                conn.execute("DELETE FROM naive_cases")
                rows = {}
                for _ in range(count):
                    cursor = conn.execute("INSERT INTO naive_cases (state) VALUES (?)", (document,))
                    assert cursor.lastrowid is not None
                    rows[cursor.lastrowid] = ready.id
                current = Series(
                    "naive",
                    history,
                    cases=count,
                    per_case=per_case,
                    state_bytes=len(document.encode()),
                    tree_tasks=len(workflow.tasks),
                )
                for step in range(per_case):
                    for row_id, task_id in rows.items():
                        if len(current.seconds) == timed:
                            break
                        values = review(history + step)
                        rows[row_id] = current.timed(
                            partial(_naive_step, conn, serializer, row_id, task_id, values), gc_watch
                        )
                series.append(current)
        finally:
            conn.close()
    return series


# --------------------------------------------------------------------------------------------------
# Report


def _kb(n: float) -> str:
    return f"{n / 1024:.1f} kB"


def _ms(x: float) -> str:
    return f"{x:.2f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def run(*, quick: bool = False) -> Result:
    timed = 50 if quick else 200
    breakdown_steps = 10 if quick else 20
    started = time.perf_counter()
    with GcWatch() as gc_watch:
        engine_series, breakdown = run_engine(LEVELS, timed, breakdown_steps, gc_watch)
        stall = naive_stall_point()
        naive_series = run_naive(LEVELS, timed, gc_watch)
    elapsed = time.perf_counter() - started

    engine_by = {s.history: s.stats for s in engine_series}
    naive_by = {s.history: s.stats for s in naive_series}
    low, high = LEVELS[0], LEVELS[-1]
    worst_p95 = max(s.p95_ms for s in engine_by.values())
    p95_ratio = engine_by[high].p95_ms / engine_by[low].p95_ms
    median_ratio = engine_by[high].median_ms / engine_by[low].median_ms
    speedup_median = naive_by[high].median_ms / engine_by[high].median_ms
    speedup_p95 = naive_by[high].p95_ms / engine_by[high].p95_ms

    rows = []
    for s in sorted(engine_series + naive_series, key=lambda s: (s.history, s.path)):
        st = s.stats
        label = "engine: `CaseEngine.complete_task`" if s.path == "engine" else "naive: JSON with spec"
        rows.append(
            (
                s.history_span,
                label,
                f"{st.n} ({s.cases} cases)",
                _ms(st.median_ms),
                _ms(st.p95_ms),
                _ms(st.max_ms),
                f"{st.steps_per_s:.0f}",
                f"{s.gc_full} full, {s.gc_seconds / sum(s.seconds):.0%} of the time",
                f"{_kb(s.state_bytes)}, {s.tree_tasks:.0f} tasks",
            )
        )
    figures = table(
        (
            "history (completed steps)",
            "path",
            "timed steps",
            "median ms",
            "p95 ms",
            "max ms",
            "steps/s",
            "GC in timed steps",
            "stored instance",
        ),
        rows,
    )
    targets = table(
        ("target", "measured", ""),
        [
            (
                f"p95 ≤ {TARGET_P95_MS:.0f} ms per step (engine, every history length)",
                ", ".join(f"{h}: {_ms(engine_by[h].p95_ms)} ms" for h in LEVELS),
                _verdict(worst_p95 <= TARGET_P95_MS),
            ),
            (
                f"cost independent of history: p95({high}) / p95({low}) ≤ {TARGET_FLATNESS}",
                f"p95 ×{p95_ratio:.2f} (median ×{median_ratio:.2f})",
                _verdict(p95_ratio <= TARGET_FLATNESS),
            ),
            (
                f"at {high}: ≥ {TARGET_SPEEDUP:.0f}× faster than the naive way (same run)",
                f"median ×{speedup_median:.1f}, p95 ×{speedup_p95:.1f}",
                _verdict(speedup_median >= TARGET_SPEEDUP),
            ),
        ],
    )
    phase_labels = [k for k in breakdown[low] if k not in ("total", "history")]
    phases = table(
        ("history (mean)", *phase_labels, "total"),
        [
            (
                f"{breakdown[h]['history']:.0f}",
                *(_ms(breakdown[h][k]) for k in phase_labels),
                _ms(breakdown[h]["total"]),
            )
            for h in LEVELS
        ],
    )
    stall_text = (
        f"without it, the naive case silently stalled after **{stall}** completed reviews "
        "in this run (a READY task exists, but `get_tasks` and `do_engine_steps` no longer reach it, "
        "so the review task never becomes ready again)"
        if stall is not None
        else "in this run the unpatched naive case did not stall within 600 reviews"
    )
    engine_low, engine_high = engine_series[0], engine_series[-1]
    findings = (
        f"Reading: total step time per phase from history {low} to {high}: "
        f"{_ms(breakdown[low]['total'])} → {_ms(breakdown[high]['total'])} ms. `complete_task` returns the "
        "step result (the case's open tasks), not the case view with its history: the view is a query "
        "(`CaseEngine.case`), so a step's cost does not grow with the history. "
        f"Full garbage collections ran in {engine_high.gc_full} of "
        f"{len(engine_high.seconds)} timed engine steps at {high} "
        f"({engine_high.gc_seconds / sum(engine_high.seconds):.0%} of their time) and in {engine_low.gc_full} "
        f"at {low}."
    )
    mode = "quick smoke run" if quick else "full run"
    body = f"""Measured {machine_line(machine())}; {mode}, {timed} timed steps per history length and path,
{elapsed:.0f} s in all. Run: `make bench` or `.venv/bin/python -m bench --only step`.

{figures}

{targets}

**What a step is.** *Engine*: one call of `CaseEngine.complete_task(actor, task_id, values)` on the
review task of `bench/bundles/review_loop/1` (Schutzplan überprüfen → zählen → back on
`weiter_beobachten`), timed around the call: its own unit of work on a file SQLite database (WAL,
`synchronous=FULL`, `BEGIN IMMEDIATE`), lookup and lock, guards, form validation, SpiffWorkflow
step with compaction, state + open-task projection + history row written, the step result it returns,
commit. The next task id comes from that result; the inbox (`CaseEngine.tasks`) is read untimed at the
start of each history length. Real clock (`SystemClock`). *Naive*: the same BPMN with SpiffWorkflow
alone, one JSON document per case with the embedded spec (`BpmnWorkflowSerializer` with
`SPIFF_CONFIG`) in an SQLite row (same pragmas); timed: `BEGIN IMMEDIATE`, read row, `deserialize_json`,
find the task, set data, `run()`, `do_engine_steps()`, list the READY user tasks, `serialize_json`,
write row, commit — no guards, no validation, no history, no projection.

**History.** A timed step on "history H" runs on a case with H completed reviews (and as many stored
history rows); each case takes at most max(1, H/10) timed steps, round-robin over the cases, so the
history grows by at most 10 % while measured (column "history"). Engine cases are opened and advanced
through the entry point; the naive case is advanced in memory and copied into every row. "stored
instance" is the mean size of what is read and written per step (engine: the instance without spec,
compacted; naive: the whole document) and the number of tasks in its tree. p95 is nearest-rank;
steps/s is 1 / mean latency of sequential steps.

**Workaround in the naive path only.** The naive tree is never compacted, so it grows by 4 tasks (and 4
levels) per review; SpiffWorkflow's task iterator stops at depth 1000 (spiffworkflow-notes.md §5).
While the naive benchmark runs, `BpmnBaseWorkflow.get_tasks_iterator` is wrapped to default
`max_depth` to 10⁹ and restored afterwards; {stall_text}. The engine path runs unpatched.

**Where an engine step's time goes** (a separate instrumented pass of {breakdown_steps} further steps per
history length, right after the timed ones; mean ms per step, wrappers included, so the total is a
little above the figures above):

{phases}

{findings}
"""
    figures_dict = {
        "engine": {h: vars(st) for h, st in engine_by.items()},
        "naive": {h: vars(st) for h, st in naive_by.items()},
        "p95_ratio": p95_ratio,
        "median_ratio": median_ratio,
        "speedup_median": speedup_median,
        "speedup_p95": speedup_p95,
        "naive_stall_point": stall,
        "breakdown": breakdown,
        "seconds": elapsed,
    }
    return Result(name="step", heading="## Step benchmark", body=body, figures=figures_dict)
