"""The port to SpiffWorkflow: the only package that imports it (an import-linter contract says so).

The rest of the engine sees plain values: a `ParsedProcess` (its user tasks and flow graph), an
`Instance` with `open_steps()`, `timers()`, `outgoing()`, `variables`, and frozen `Step`/`Timer`
values. Modules (spiffworkflow-notes.md measures the library behaviour each one relies on):
- `runtime`: the engine's clock inside Spiff's timers, the script engine with the approved helpers;
- `parsing`: parsing with the XSD validator, user tasks and flow graph as plain values, the schema
  and build problems bundle validation reports;
- `codec`: the stored instance **without** its spec (the spec is stored once per version);
- `instance`: the `Instance` and the compaction of its task tree after every step.
"""

from engine.processes.spiff.codec import INSTANCE_FORMAT
from engine.processes.spiff.instance import Instance, OutgoingMessage, Step, StepNotOpen, Timer
from engine.processes.spiff.parsing import (
    BuildProblem,
    FlowGraph,
    ParsedProcess,
    SchemaError,
    UserTaskInfo,
    build_problem,
    parse_process,
    schema_errors,
)
from engine.processes.spiff.runtime import frozen_time

__all__ = [
    "INSTANCE_FORMAT",
    "BuildProblem",
    "FlowGraph",
    "Instance",
    "OutgoingMessage",
    "ParsedProcess",
    "SchemaError",
    "Step",
    "StepNotOpen",
    "Timer",
    "UserTaskInfo",
    "build_problem",
    "frozen_time",
    "parse_process",
    "schema_errors",
]
