"""Path coverage of the shipped processes: which BPMN sequence flows the process tests took.

The collector wraps `engine.processes.spiff.instance.compact`, which the port calls after every step (a task
completion, a delivered message, fired timers) *before* it cuts finished history from the task tree.
At that moment every task that was reached since the previous cut is still in the tree, so looking at
each reached task and its nearest BPMN ancestor gives the transitions of the step:

- a task counts as *reached* when it is WAITING, READY, STARTED or COMPLETED — predicted tasks
  (MAYBE, LIKELY, FUTURE) and CANCELLED ones (the branch of a parallel join that did not fire, an
  unchosen path) do not;
- SpiffWorkflow's internal tasks (`Root`, `Start`, `<process>.EndJoin`, `End`, …) carry no BPMN id of
  the process XML: the walk up the tree passes through them;
- the pair (source node, target node) is mapped to the sequence flow with that `sourceRef` and
  `targetRef` in the bundle's BPMN XML. A pair that matches no flow is kept as *unmapped* and fails
  the coverage check: it means the mapping (or this collector) is wrong.

Each transition is recorded with the node id of the test that took it, so a test module can assert
that *its own* tests take every flow of its process, however the session was composed. At the end of
the `tests/process` package the report `tests/artifacts/path-coverage.md` lists every flow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.util.task import TaskState

from engine.bootstrap import BPMN_ROOT
from engine.processes.bundles import discover_bundles
from engine.processes.spiff import instance as spiff_instance

#: The processes whose every sequence flow the path tests must take: every shipped version of every
#: shipped process (a version 2 is a process of its own for the path tests; version 1 stays deployed).
PROCESSES = [(path.parent.name, int(path.name)) for path in discover_bundles(BPMN_ROOT)]
REPORT = Path(__file__).resolve().parents[1] / "artifacts" / "path-coverage.md"

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_REACHED = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED
_FLOW_NODE_TAGS = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "userTask",
    "scriptTask",
    "serviceTask",
    "manualTask",
    "task",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
}


def model_name(key: str, version: int = 1) -> str:
    """How the collector, the tests and the report name one version of a process: `jugendamt_8a` for
    version 1 (as before there were others), `jugendamt_8a v2` for a later one."""
    return key if version == 1 else f"{key} v{version}"


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    source: str
    target: str


@dataclass
class ProcessModel:
    """Nodes and sequence flows of one process version, read from its bundle's BPMN XML."""

    key: str
    version: int
    nodes: dict[str, str]  # id → German name (or the id)
    flows: dict[str, Flow]  # id → flow, in document order
    by_pair: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, key: str, version: int, root: Path = BPMN_ROOT) -> ProcessModel:
        folder = root / key / str(version)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        nodes: dict[str, str] = {}
        flows: dict[str, Flow] = {}
        for name in manifest["bpmn"]:
            document = etree.fromstring((folder / name).read_bytes(), parser)
            for process in document.iter(f"{{{BPMN_NS}}}process"):
                if process.get("id") != key:
                    continue
                for element in process.iter():
                    if not isinstance(element.tag, str):
                        continue
                    tag = etree.QName(element).localname
                    if tag in _FLOW_NODE_TAGS:
                        nodes[element.get("id")] = element.get("name") or element.get("id")
                    elif tag == "sequenceFlow":
                        flow = Flow(
                            element.get("id"),
                            element.get("name") or "",
                            element.get("sourceRef"),
                            element.get("targetRef"),
                        )
                        flows[flow.id] = flow
        if not flows:
            raise ValueError(f"no sequence flows for process {key!r} in {folder}")
        model = cls(key, version, nodes, flows)
        for flow in flows.values():
            model.by_pair.setdefault((flow.source, flow.target), []).append(flow.id)
        return model

    @property
    def name(self) -> str:
        return model_name(self.key, self.version)

    def label(self, node_id: str) -> str:
        name = self.nodes.get(node_id, node_id)
        return f"`{node_id}`" if name == node_id else f"{name} (`{node_id}`)"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str


class PathCoverage:
    """Records the sequence flows taken per process while tests drive cases through the engine."""

    def __init__(self, models: Iterable[ProcessModel]) -> None:
        self.models = {model.name: model for model in models}
        #: model name (`model_name`) → flow id → node ids of the tests that took it (in order)
        self.taken: dict[str, dict[str, list[str]]] = {key: {} for key in self.models}
        #: model name → (source, target) pairs that match no sequence flow → tests
        self.unmapped: dict[str, dict[Transition, list[str]]] = {key: {} for key in self.models}
        #: node id of the running test (None: outside a test — nothing is recorded)
        self.current: str | None = None
        self.tests_run: list[str] = []
        #: model name → path-test module that checked it completely (its every test ran)
        self.checked: dict[str, str] = {}
        self._spec_matches: dict[int, tuple[ProcessModel, ...]] = {}

    @classmethod
    def for_shipped_bundles(cls) -> PathCoverage:
        return cls(ProcessModel.load(key, version) for key, version in PROCESSES)

    # ---- recording ------------------------------------------------------------------------------
    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Wrap the adapter's compaction: observe the tree, then let it cut."""
        original = spiff_instance.compact

        def observing_compact(workflow: Any) -> int:
            self.observe(workflow)
            return original(workflow)

        monkeypatch.setattr(spiff_instance, "compact", observing_compact)

    def _models_for(self, workflow: Any) -> tuple[ProcessModel, ...]:
        """The shipped versions whose nodes the workflow's spec has (a fixture version deployed by a test
        matches none). Versions of one key usually differ in their nodes; where a later version changes
        only its forms (kindertagespflege_8a 2: the same graph, texts checked for names), the spec cannot
        tell them apart and a flow taken counts for each — the graph, and so every path, is the same."""
        spec_key = id(workflow.spec)
        if spec_key not in self._spec_matches:
            ids = {getattr(ts, "bpmn_id", None) for ts in workflow.spec.task_specs.values()} - {None}
            self._spec_matches[spec_key] = tuple(
                m for m in self.models.values() if m.key == workflow.spec.name and ids == set(m.nodes)
            )
        return self._spec_matches[spec_key]

    def observe(self, workflow: Any) -> None:
        if self.current is None:
            return
        for model in self._models_for(workflow):
            self._observe(workflow, model, self.current)

    def _observe(self, workflow: Any, model: ProcessModel, test: str) -> None:
        for task in list(workflow.tasks.values()):
            target = getattr(task.task_spec, "bpmn_id", None)
            if target not in model.nodes or not task.has_state(_REACHED):
                continue
            parent = task.parent
            while parent is not None and getattr(parent.task_spec, "bpmn_id", None) not in model.nodes:
                parent = parent.parent
            if parent is None or not parent.has_state(TaskState.COMPLETED):
                continue  # a start event, or its predecessor was cut by an earlier compaction
            pair = (parent.task_spec.bpmn_id, target)
            flows = model.by_pair.get(pair)
            if flows is None or len(flows) != 1:
                self._note(self.unmapped[model.name].setdefault(Transition(*pair), []), test)
                continue
            self._note(self.taken[model.name].setdefault(flows[0], []), test)

    @staticmethod
    def _note(tests: list[str], test: str) -> None:
        if test not in tests:
            tests.append(test)

    # ---- questions ------------------------------------------------------------------------------
    def flows_taken(self, key: str, module: str | None = None) -> set[str]:
        """Flow ids of `key` taken (by the tests of `module`, a node-id prefix like `tests/…/x.py`)."""
        return {
            flow
            for flow, tests in self.taken[key].items()
            if module is None or any(t.split("::")[0] == module for t in tests)
        }

    def flows_taken_by(self, key: str, test: str) -> list[str]:
        """Flow ids of `key` that the test with node id `test` took, in document order."""
        return [flow for flow in self.models[key].flows if test in self.taken[key].get(flow, [])]

    def missing(self, key: str, module: str | None = None) -> list[Flow]:
        taken = self.flows_taken(key, module)
        return [flow for flow in self.models[key].flows.values() if flow.id not in taken]

    def unmapped_transitions(self, key: str, module: str | None = None) -> list[Transition]:
        return [
            transition
            for transition, tests in self.unmapped[key].items()
            if module is None or any(t.split("::")[0] == module for t in tests)
        ]

    def assert_complete(self, key: str, module: str) -> None:
        """Fail with a readable list unless the tests of `module` took every flow of `key`."""
        model = self.models[key]
        problems = [
            f"NOT TAKEN {flow.id}: {model.label(flow.source)} → {model.label(flow.target)}"
            for flow in self.missing(key, module)
        ]
        problems += [
            f"UNMAPPED transition {t.source} → {t.target} (no sequence flow in the XML)"
            for t in self.unmapped_transitions(key, module)
        ]
        assert not problems, f"path coverage of {key} by {module}:\n" + "\n".join(problems)

    # ---- the report -----------------------------------------------------------------------------
    def markdown(self) -> str:
        lines = [
            "# Path coverage of the shipped processes",
            "",
            "Written by `tests/process` (collector: `tests/process/coverage.py`). A sequence flow is",
            "*taken* when a test drove a case through it via the engine's public entry point.",
            f"Tests that ran in the package: {len(self.tests_run)}.",
            "",
        ]
        partial = [key for key in self.models if key not in self.checked]
        if partial:
            lines += [
                f"**Partial run**: the path tests of {', '.join(f'`{k}`' for k in partial)} did not all run; "
                "run `tests/process` for the complete report.",
                "",
            ]
        lines += [
            "| process | version | sequence flows | taken | not taken | asserted by |",
            "|---|---|---|---|---|---|",
        ]
        for key, model in self.models.items():
            taken = self.flows_taken(key)
            total = len(model.flows)
            count = sum(1 for f in model.flows if f in taken)
            checker = f"`{self.checked[key]}`" if key in self.checked else "—"
            lines.append(f"| `{model.key}` | {model.version} | {total} | {count} | {total - count} | {checker} |")
        for key, model in self.models.items():
            taken = self.taken[key]
            lines += [
                "",
                f"## `{model.key}` (version {model.version})",
                "",
                "| sequence flow | label | source → target | status | first taken by |",
                "|---|---|---|---|---|",
            ]
            for flow in model.flows.values():
                tests = taken.get(flow.id, [])
                status = "taken" if tests else "**NOT TAKEN**"
                first = f"`{tests[0].split('::')[-1]}`" if tests else ""
                lines.append(
                    f"| `{flow.id}` | {flow.name} | {model.label(flow.source)} → {model.label(flow.target)} "
                    f"| {status} | {first} |"
                )
            unmapped = self.unmapped[key]
            if unmapped:
                lines += ["", "Transitions that match no sequence flow (collector or mapping error):", ""]
                lines += [f"- `{t.source}` → `{t.target}` ({', '.join(tests)})" for t, tests in unmapped.items()]
        return "\n".join(lines) + "\n"

    def write(self, path: Path = REPORT) -> Path | None:
        """Write the report — unless no path test ran (a run of other process tests alone would
        overwrite a complete report with an empty one)."""
        if not any("/test_paths_" in nodeid for nodeid in self.tests_run):
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.markdown(), encoding="utf-8")
        return path


def check_module_coverage(coverage: PathCoverage, key: str, request: pytest.FixtureRequest, version: int = 1) -> None:
    """The last test of a path-test module: every flow of `key` (that version) taken by this module's tests.

    Skipped when a test function of the module did not run (`-k`, a single node id): a partial run
    cannot cover the process and would only fail for that reason.
    """
    module = request.node.nodeid.split("::")[0]
    own = request.node.originalname
    functions = [
        name
        for name, value in vars(request.module).items()
        if name.startswith("test_") and callable(value) and name != own
    ]
    ran = {nodeid.split("::")[-1].split("[")[0] for nodeid in coverage.tests_run if nodeid.split("::")[0] == module}
    not_run = [name for name in functions if name not in ran]
    if not_run:
        pytest.skip(f"path coverage needs every test of {module} in the run; not run: {', '.join(not_run)}")
    name = model_name(key, version)
    coverage.checked[name] = module
    coverage.assert_complete(name, module)
