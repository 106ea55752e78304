"""Storing an instance **without** its spec: the spec is stored once per deployed version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.processes.spiff.parsing import ParsedProcess
from engine.processes.spiff.runtime import make_script_engine

#: Version of the stored instance document (our envelope around Spiff's serializer format).
INSTANCE_FORMAT = 1


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Writes an instance without `spec`/`subprocess_specs`; reads one with the specs handed in."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = dct.pop("spec"), dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


def dump_workflow(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The instance as a JSON-compatible dict, without its spec, with a format version."""
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    dct["instance_format"] = INSTANCE_FORMAT
    return dct


def load_workflow(state: Mapping[str, Any], process: ParsedProcess) -> BpmnWorkflow:
    """Rebuild an instance from `dump_workflow` output and its version's parsed spec."""
    if state.get("instance_format") != INSTANCE_FORMAT:
        raise ValueError(f"unsupported instance format {state.get('instance_format')!r}")
    dct = dict(state)
    dct.pop("instance_format")
    _SERIALIZER.migrate(dct)
    dct.pop(_SERIALIZER.VERSION_KEY, None)
    dct["tasks"] = _parent_first(dct["tasks"], dct["root"])
    for sub in dct.get("subprocesses", {}).values():
        sub["tasks"] = _parent_first(sub["tasks"], sub["root"])
    dct["spec"], dct["subprocess_specs"] = process._spec, process._subprocess_specs
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = make_script_engine()
    return workflow


def _parent_first(tasks: Mapping[str, Any], root: str) -> dict[str, Any]:
    """Tasks in tree order. Spiff rebuilds a task's data from its parent's (delta encoding), so a
    mapping in any other order — e.g. after a JSON encoder sorted the keys — would silently
    restore empty task data (spiffworkflow-notes.md §4)."""
    ordered: dict[str, Any] = {}
    queue = [root]
    while queue:
        task_id = queue.pop(0)
        if task_id in tasks and task_id not in ordered:
            ordered[task_id] = tasks[task_id]
            queue.extend(tasks[task_id]["children"])
    ordered.update((k, v) for k, v in tasks.items() if k not in ordered)
    return ordered
