"""What a step would send to another organisation, shown before it is sent (the check before a
transmission, issue 16): a Meldung or a Rückmeldung cannot be called back.

The step is run on the case's instance in a reading unit and its thrown messages are taken, routed
and built exactly as a completion delivers them (`engine.cases.messages`), then the unit ends without
writing anything. So the check shows what the receiver will read — with the receiver's labels
(`case_file.labelled`) — instead of a hand-kept list per process, and what the case file holds that
the message does not carry ("nicht gesendet"). Which steps may send at all is declared by the bundle's
BPMN (`UserTaskSpec.sends`); whether one does is decided by its data (the KKG Mitteilung only if
intended), hence the dry run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.actor import Actor
from engine.cases import messages
from engine.cases.case_file import MESSAGE, STEP, FileValue, case_file, labelled, sender_fields
from engine.cases.completion import checked_step, open_task
from engine.forms.builtin import child_address_form, child_form
from engine.forms.definition import FormDefinition
from engine.persistence import models as m
from engine.persistence.sealed import open_child
from engine.processes.catalog import LoadedProcess
from engine.transactions import Work


@dataclass(frozen=True)
class Withheld:
    """A part of the case file the message does not carry: an entry's title and its fields' labels."""

    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Transmission:
    """One message the step would send: to whom, what (labelled as the receiver reads it), and the
    child's data when the message opens a case at the receiver."""

    message: str
    recipient: str
    values: Mapping[str, FileValue]
    child: Mapping[str, FileValue]


@dataclass(frozen=True)
class TransmissionCheck:
    """What taking the step with these values would send; `case_version` is the version it was
    computed on (the completion after the check is refused if the case changed meanwhile)."""

    case_id: int
    case_version: int
    transmissions: tuple[Transmission, ...]
    withheld: tuple[Withheld, ...]


def check_transmission(work: Work, actor: Actor, task_id: str, values: object) -> TransmissionCheck | None:
    """The check for a step that sends something with these values; None if it sends nothing. The
    refusals are the completion's (invalid values, not the actor's step, no longer open)."""
    state, row = open_task(work, actor, task_id, lock=False)
    if row.kind != "bpmn" or not state.process.task(row.task_key).sends:
        return None
    spec, step, clean, _siblings = checked_step(work, actor, state, row, values)
    state.instance.complete(step.id, clean)  # in memory only: the reading unit writes nothing
    thrown = state.instance.outgoing()
    if not thrown:
        return None
    sent: list[Transmission] = []
    for message in thrown:
        way = messages.route(work, state.case.id, message.name)
        payload: dict[str, Any] = message.payload
        child: Mapping[str, FileValue] = {}
        if way.opens is not None:
            payload = messages.meldebogen(work, state.case, message.payload, actor)
            child = _child(work, state.case)
        receiver = way.opens or (None if way.waiting_case_id is None else _process_of(work, way.waiting_case_id))
        fields = sender_fields(work, state.case, receiver)
        recipient = messages.recipient(work.session, state.case, way)
        sent.append(Transmission(message.name, recipient.name, labelled(fields, payload, None, str)[0], child))
    carried = [t.values for t in sent]
    own = labelled(spec.form, clean, None, str)[0]
    withheld = _withheld(work, actor, state.case.id, spec.title, own, carried)
    return TransmissionCheck(state.case.id, state.version, tuple(sent), withheld)


def _child(work: Work, case: m.Case) -> Mapping[str, FileValue]:
    """The child's data as the new case receives it, the address as its three labelled fields."""
    child = dict(open_child(work, case))
    address = child.pop("anschrift", None) or {}
    form = child_form()
    fields = FormDefinition(task="", title="", description="", fields=form.fields + child_address_form().fields)
    return labelled(fields, {**child, **address}, None, str)[0]


def _process_of(work: Work, case_id: int) -> LoadedProcess:
    case = work.session.get(m.Case, case_id)
    assert case is not None
    return work.catalog.load(work.session, case.definition_id)


def _withheld(
    work: Work,
    actor: Actor,
    case_id: int,
    title: str,
    own: Mapping[str, FileValue],
    carried: list[Mapping[str, FileValue]],
) -> tuple[Withheld, ...]:
    """Per entry of the case file (and the step itself), the fields whose value no message carries:
    a field counts as sent only if a message carries the same name with the same value."""

    def sent(name: str, value: Any) -> bool:
        return any(name in c and c[name].value == value for c in carried)

    entries = [(e.title, e.values) for e in case_file(work, actor, case_id).entries if e.kind in (STEP, MESSAGE)]
    withheld = []
    for entry_title, values in [*entries, (title, own)]:
        labels = tuple(
            v.label for name, v in values.items() if v.value not in (None, "", []) and not sent(name, v.value)
        )
        if labels:
            withheld.append(Withheld(entry_title, labels))
    return tuple(withheld)
