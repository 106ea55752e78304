"""What SpiffWorkflow sees while it runs: the engine's clock and the approved script helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from typing import Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.processes.sandbox.guards import checked_sum, step_budget
from engine.processes.sandbox.rewrite import GUARD_GLOBALS, guarded_code
from engine.processes.script_helpers import APPROVED_HELPERS, SAFE_BUILTINS

# SpiffWorkflow's timer module calls datetime.now() itself and offers no clock parameter
# (spiffworkflow-notes.md §2). This is the one place that patches it: within `frozen_time(now)`
# SpiffWorkflow sees the engine's instant; elsewhere the real time.

_FROZEN: ContextVar[datetime | None] = ContextVar("schutzpfad_spiff_now", default=None)


class _EngineDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        frozen = _FROZEN.get()
        if frozen is None:
            return datetime.now(tz)
        return frozen.astimezone(tz) if tz else frozen.astimezone().replace(tzinfo=None)


_timer_module.datetime = _EngineDatetime


@contextmanager
def frozen_time(now: datetime) -> Iterator[None]:
    """SpiffWorkflow's timers see `now` (aware) for the duration of the block."""
    token = _FROZEN.set(now)
    try:
        yield
    finally:
        _FROZEN.reset(token)


class GuardedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, running each snippet as guarded code
    (`engine.processes.sandbox.rewrite`) within the budget of the current step."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        with step_budget():
            return super().evaluate(guarded_code(expression, "eval"), context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        with step_budget():
            return bool(super().execute(guarded_code(script, "exec"), context, external_context))


def make_script_engine() -> PythonScriptEngine:
    """Expressions see the task data, the approved helpers and a few pure builtins — nothing else
    (`sum` for numbers only) — plus the guards their code was rewritten to call."""
    env_globals: dict[str, Any] = {**APPROVED_HELPERS, **GUARD_GLOBALS}
    env_globals["__builtins__"] = {**SAFE_BUILTINS, "sum": checked_sum}
    return PythonScriptEngine(environment=GuardedEnvironment(environment_globals=env_globals))
