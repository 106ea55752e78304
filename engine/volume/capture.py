"""Reading a snapshot of the scratch world into a `Template`: every row its cases left, each column
classified by what a clone does with it (`COLUMNS`), every sealed value and audit payload opened and
cut into a `Pattern`.

The classification is exhaustive on purpose: a test fails when a table the generator clones gains a
column nobody has decided about, instead of the generator silently copying it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.persistence import models as m
from engine.persistence.sealed import open_history_values, open_message, open_prefill, open_state
from engine.transactions import Work
from engine.volume.patterns import Cutter, Pattern, compact
from engine.volume.scratch import CHILD, Snapshot

#: A history entry of a filed message is `message-<id of the case_messages row>`.
MESSAGE_ENTRY = "message-"
#: Stands for the template child wherever its whole record appears (the `case.created` payload).
CHILD_MARK = "@@KIND@@"

# What a clone does with a column: `serial` a new autoincrement id; `case` the id of a member case;
# `uuid` a task id (fresh per clone); `entry` a history entry's id: a task id, or `message-<id>` for a
# message filed to the case (the clone's message id); `text` a plain text cut like a sealed value (a
# filed message's title names the sender's reference); `user`/`org` the clone's person or
# organisation of the same slot; `network` the clone's network; `definition` the target's process
# version; `ref`/`pseudonym` those of the row's case; `time` moved by the clone's shift (the lists'
# "no due time", 9999-12-31, stays); `sealed` re-sealed under the clone's key; `fixed` set by the
# writer; `copy` taken over as it is.
COLUMNS: dict[str, dict[str, str]] = {
    "cases": {
        "id": "serial",
        "reference": "ref",
        "status": "copy",
        "definition_id": "definition",
        "organisation_id": "org",
        "jugendamt_id": "org",
        "pseudonym": "pseudonym",
        "child_data": "sealed",
        "opened_by_user_id": "user",
        "responsible_user_id": "user",
        "opened_at": "time",
        "closed_at": "time",
        "version": "copy",
        "views_written": "copy",
        "dringlichkeit": "copy",
        "akut": "copy",
        "current_task_key": "copy",
        "current_task_title": "copy",
        "indexed": "fixed",
        "generated": "fixed",
        "befund": "copy",  # the template's result is the clone's: the same retention period
        "hold": "fixed",  # a generated case starts without a Löschsperre
        "list_rank": "copy",
        "list_due": "time",
    },
    "instances": {"case_id": "case", "state": "sealed", "tree_size": "copy"},
    "open_tasks": {
        "id": "uuid",
        "case_id": "case",
        "case_reference": "ref",
        "pseudonym": "pseudonym",
        "task_key": "copy",
        "title": "copy",
        "lane": "copy",
        "lane_roles": "copy",
        "kind": "copy",
        "organisation_id": "org",
        "network_key": "network",
        "pool_role": "copy",
        "offered_to_user_id": "user",
        "due_at": "time",
        "created_at": "time",
        "prefill": "sealed",
    },
    "open_task_bars": {"task_id": "uuid", "user_id": "user"},
    "task_history": {
        "id": "serial",
        "case_id": "case",
        "task_uuid": "entry",
        "task_key": "copy",
        "title": "text",
        "lane": "copy",
        "completed_by_user_id": "user",
        "completed_at": "time",
        "values": "sealed",
        "started_at": "time",
        "kennzahlen": "copy",
    },
    "deadlines": {
        "id": "serial",
        "case_id": "case",
        "task_uuid": "uuid",
        "task_key": "copy",
        "title": "copy",
        "kind": "copy",
        "frist_key": "copy",
        "frist_value": "copy",
        "started_at": "time",
        "remind_at": "time",
        "due_at": "time",
        "next_at": "time",
        "state": "copy",
        "reminded_at": "time",
        "fired_at": "time",
        "closed_at": "time",
    },
    "case_links": {"id": "serial", "case_id": "case", "linked_case_id": "case", "relation": "copy"},
    "case_waits": {"case_id": "case", "message": "copy"},
    "case_messages": {
        "id": "serial",
        "case_id": "case",
        "from_case_id": "case",
        "name": "copy",
        "payload": "sealed",
        "received_at": "time",
    },
}
MODELS: dict[str, type[m.Base]] = {
    "cases": m.Case,
    "instances": m.Instance,
    "open_tasks": m.OpenTask,
    "open_task_bars": m.OpenTaskBar,
    "task_history": m.TaskHistory,
    "deadlines": m.Deadline,
    "case_links": m.CaseLink,
    "case_waits": m.CaseWait,
    "case_messages": m.CaseMessage,
}
#: Rows that belong to a case through `case_id` (the bars through their task).
CHILD_TABLES = ("instances", "open_tasks", "task_history", "deadlines", "case_links", "case_waits", "case_messages")


@dataclass
class EventTemplate:
    """An audit event of a member case: who acted as a slot (None: `actor` as it is, e.g. `system`)."""

    time: datetime
    actor: str
    actor_slot: str | None
    organisation: str | None
    member: int | None
    case_scope: bool
    type: str
    payload: Pattern


@dataclass
class Template:
    """One snapshot, ready to clone: per member case its rows by table (values classified as in
    `COLUMNS`: members by index, people and organisations by slot, sealed values as patterns)."""

    scenario: str
    step: int
    cases: list[dict[str, list[dict[str, Any]]]]
    events: list[EventTemplate]
    uuids: list[str]
    dates: list[str]
    start: datetime
    at: datetime
    closed: bool
    #: the processes (key, version) of the member cases, for the target's definition ids
    processes: list[tuple[str, int]] = field(default_factory=list)
    #: the rows compiled for writing (`rows.plan`), per member and table; filled on first use
    plans: list[dict[str, list[Any]]] = field(default_factory=list, compare=False, repr=False)


@dataclass(frozen=True)
class Slots:
    """How the scratch world's ids and names map to slots."""

    users: dict[int, str]
    usernames: dict[str, str]
    orgs: dict[int, str]
    org_keys: dict[str, str]
    definitions: dict[int, tuple[str, int]]


def capture(work: Work, snapshot: Snapshot, slots: Slots, cutter: Cutter) -> Template:
    """The snapshot's cases as a template; `cutter` knows the scratch world's tokens (and collects
    this template's task ids and dates: give every template a fresh one)."""
    session = work.session
    members = {case_id: index for index, case_id in enumerate(snapshot.case_ids)}
    cases, processes = [], []
    for case_id in snapshot.case_ids:
        case = session.get(m.Case, case_id)
        assert case is not None
        entities: dict[str, list[Any]] = {"cases": [case]}
        for name in CHILD_TABLES:
            model: Any = MODELS[name]
            entities[name] = list(session.execute(select(model).where(model.case_id == case_id)).scalars())
        task_ids = [task.id for task in entities["open_tasks"]]
        bars = select(m.OpenTaskBar).where(m.OpenTaskBar.task_id.in_(task_ids))
        entities["open_task_bars"] = list(session.execute(bars).scalars())
        raw = {name: [_raw(name, entity) for entity in rows] for name, rows in entities.items()}
        _open_sealed(work, case, entities, raw, cutter)
        cases.append(
            {name: [_classified(name, row, members, slots, cutter) for row in rows] for name, rows in raw.items()}
        )
        processes.append(slots.definitions[case.definition_id])
    opened = [tables["cases"][0]["opened_at"] for tables in cases]
    return Template(
        scenario=snapshot.scenario,
        step=snapshot.step,
        cases=cases,
        events=_events(work, snapshot, members, slots, cutter),
        uuids=sorted(cutter.uuids),
        dates=sorted(cutter.dates),
        start=min(opened),
        at=snapshot.at,
        closed=all(tables["cases"][0]["status"] == "abgeschlossen" for tables in cases),
        processes=processes,
    )


def _raw(name: str, entity: Any) -> dict[str, Any]:
    return {column: getattr(entity, column) for column in COLUMNS[name]}


def _classified(
    name: str, row: dict[str, Any], members: dict[int, int], slots: Slots, cutter: Cutter
) -> dict[str, Any]:
    """The row's values as a clone needs them (sealed columns are filled by `_open_sealed`)."""
    out: dict[str, Any] = {}
    for column, kind in COLUMNS[name].items():
        value = row[column]
        if kind == "case":
            value = members[value]
        elif kind == "user":
            value = None if value is None else slots.users[value]
        elif kind == "org":
            value = slots.orgs[value]
        elif kind == "definition":
            value = slots.definitions[value]
        elif kind == "uuid" or (kind == "entry" and not value.startswith(MESSAGE_ENTRY)):
            cutter.note_uuid(value)
        elif kind == "entry":
            value = int(value.removeprefix(MESSAGE_ENTRY))
        elif kind == "text":
            value = cutter.cut(value)
        out[column] = value
    return out


def _open_sealed(
    work: Work, case: m.Case, entities: dict[str, list[Any]], raw: dict[str, list[dict[str, Any]]], cutter: Cutter
) -> None:
    """Each sealed value opened (in the scratch world) and cut into a pattern."""
    reference = case.reference
    raw["cases"][0]["child_data"] = None  # the clone's own child
    instance = entities["instances"][0]
    raw["instances"][0]["state"] = cutter.cut(compact(open_state(work, case, instance.state)))
    for task, row in zip(entities["open_tasks"], raw["open_tasks"], strict=True):
        row["prefill"] = None if task.prefill is None else cutter.cut(compact(open_prefill(work, reference, task)))
    for history, row in zip(entities["task_history"], raw["task_history"], strict=True):
        if history.values is not None:  # a step (a filed message has none)
            row["values"] = cutter.cut(compact(open_history_values(work, reference, history)))
    for message, row in zip(entities["case_messages"], raw["case_messages"], strict=True):
        row["payload"] = cutter.cut(compact(open_message(work, reference, message)))


def _events(
    work: Work, snapshot: Snapshot, members: dict[int, int], slots: Slots, cutter: Cutter
) -> list[EventTemplate]:
    """The members' audit events in chain order, their payloads cut (the template child marked)."""
    session = work.session
    references = {session.get(m.Case, case_id).reference: index for case_id, index in members.items()}  # type: ignore[union-attr]
    events = []
    connection = session.connection()
    for reference in references:
        events += list(work.vault.read(connection, case_ref=reference))
    out = []
    for event in sorted(events, key=lambda e: e.seq):
        assert event.case_ref is not None and event.payload is not None
        out.append(
            EventTemplate(
                time=event.time,
                actor=event.actor,
                actor_slot=slots.usernames.get(event.actor),
                organisation=None if event.organisation is None else slots.org_keys[event.organisation],
                member=references[event.case_ref],
                case_scope=event.scope.startswith("case:"),
                type=event.type,
                payload=cutter.cut(compact(_marked(event.payload))),
            )
        )
    return out


def _marked(value: Any) -> Any:
    """The template child's record replaced by `CHILD_MARK` wherever it appears whole."""
    if isinstance(value, dict):
        if {k: value.get(k) for k in CHILD} == CHILD:
            return CHILD_MARK
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    return value
