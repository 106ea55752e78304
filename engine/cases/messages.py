"""Messages between cases, delivered in the sender's unit of work: both happen or neither.

A thrown message goes, in this order,
1. to a linked case that waits for it (the Rückmeldung reaching the Träger's case);
2. into a new case of the process whose manifest says the message starts it (the Meldung opening a
   `jugendamt_8a` case at the sending case's responsible Jugendamt, § 8a Abs. 6 SGB VIII);
3. into the history of the case it was sent to earlier (the written Meldebogen that follows a
   telephone Sofortmeldung).
A message that fits none of these fails the step: nothing is sent half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import state as case_state
from engine.errors import Conflict
from engine.persistence import models as m
from engine.persistence.sealed import open_child, seal_message
from engine.processes.catalog import LoadedProcess
from engine.processes.spiff import OutgoingMessage
from engine.transactions import Work

MESSAGE_TITLES = {
    "meldung_8a": "Meldung an das Jugendamt eingegangen",
    "meldebogen_8a": "Schriftlicher Meldebogen eingegangen",
    "rueckmeldung_8a": "Rückmeldung des Jugendamts eingegangen",
    "abgabe_8a": "Fall von einem anderen Jugendamt abgegeben",
}

#: Relations written on both cases when a message opens a case.
SENT_TO, RECEIVED_FROM = "meldung_an", "meldung_von"


@dataclass(frozen=True)
class Route:
    """Where one thrown message goes: exactly one of the three (the order of the module docstring)."""

    waiting_case_id: int | None = None
    opens: LoadedProcess | None = None
    filed_case_id: int | None = None


def route(work: Work, sender_case_id: int, name: str) -> Route:
    """The route of message `name` from the case; none fits → Conflict (the step is not taken)."""
    waiting = _waiting_linked_case(work.session, sender_case_id, name)
    if waiting is not None:
        return Route(waiting_case_id=waiting)
    process = work.catalog.started_by_message(work.session, name)
    if process is not None:
        return Route(opens=process)
    recipient_id = _case_sent_to(work.session, sender_case_id)
    if recipient_id is None:
        raise Conflict(f"Die Nachricht „{name}“ kann keinem Fall zugestellt werden.")
    return Route(filed_case_id=recipient_id)


def recipient(session: Session, sender: m.Case, way: Route) -> m.Organisation:
    """The organisation a message reaches: the receiving case's, or the sender's responsible
    Jugendamt for a message that opens a case there."""
    case_id = way.waiting_case_id or way.filed_case_id
    case = session.get(m.Case, case_id) if case_id is not None else None
    organisation = session.get(m.Organisation, case.organisation_id if case is not None else sender.jugendamt_id)
    assert organisation is not None
    return organisation


def deliver_messages(
    work: Work,
    sender: case_state.CaseState,
    messages: list[OutgoingMessage],
    *,
    actor: Actor,
    depth: int = 0,
) -> None:
    if depth > 3:
        raise Conflict("Nachrichten zwischen Fällen bilden eine Schleife; der Schritt wurde nicht gespeichert.")
    session = work.session
    for message in messages:
        way = route(work, sender.case.id, message.name)
        if way.waiting_case_id is not None:
            _deliver_to(work, sender, way.waiting_case_id, message, actor=actor, depth=depth)
        elif way.opens is not None:
            _open_from_message(work, way.opens, sender, message, actor=actor)
        else:
            assert way.filed_case_id is not None
            receiver = session.get(m.Case, way.filed_case_id)
            assert receiver is not None
            _file(work, sender.case, receiver, message)
            _audit_transfer(work, sender.case, receiver, message, actor)


def keep_message(work: Work, sender: m.Case, recipient: m.Case, message: OutgoingMessage) -> m.CaseMessage:
    """Keep the content of what arrived (sealed) in the receiving case's `messages`: its case file
    shows it in full to the case's people (the Meldebogen at the Jugendamt, the Rückmeldung's two
    facts at the Träger)."""
    kept = m.CaseMessage(
        case_id=recipient.id, from_case_id=sender.id, name=message.name, payload=b"", received_at=work.now
    )
    work.session.add(kept)
    work.session.flush()
    kept.payload = seal_message(work, recipient.reference, kept.id, message.payload)
    return kept


def _file(work: Work, sender: m.Case, recipient: m.Case, message: OutgoingMessage) -> None:
    """A message for a case that does not wait for it: kept, and an entry of the case's history."""
    filed = keep_message(work, sender, recipient, message)
    title = MESSAGE_TITLES.get(message.name, f"Nachricht „{message.name}“ eingegangen")
    work.session.add(
        m.TaskHistory(
            case_id=recipient.id,
            task_uuid=f"message-{filed.id}",
            task_key=message.name,
            title=f"{title} ({sender.reference})",
            lane="",
            completed_by_user_id=None,
            completed_at=work.now,
        )
    )
    work.session.flush()


def _audit_transfer(work: Work, sender: m.Case, receiver: m.Case, message: OutgoingMessage, actor: Actor) -> None:
    """Both sides record what crossed between the organisations (DP-11: who transmitted what)."""
    record(
        work,
        EventType.MESSAGE_SENT,
        actor=actor,
        case=sender,
        payload={"message": message.name, "to_case": receiver.reference, "payload": message.payload},
    )
    record(
        work,
        EventType.MESSAGE_RECEIVED,
        actor=None,
        case=receiver,
        payload={"message": message.name, "from_case": sender.reference, "payload": message.payload},
    )


def _waiting_linked_case(session: Session, case_id: int, message: str) -> int | None:
    return session.execute(
        select(m.CaseLink.linked_case_id)
        .join(m.CaseWait, m.CaseWait.case_id == m.CaseLink.linked_case_id)
        .where(m.CaseLink.case_id == case_id, m.CaseWait.message == message)
        .order_by(m.CaseLink.id)
        .limit(1)
    ).scalar_one_or_none()


def _case_sent_to(session: Session, case_id: int) -> int | None:
    return session.execute(
        select(m.CaseLink.linked_case_id)
        .where(m.CaseLink.case_id == case_id, m.CaseLink.relation == SENT_TO)
        .order_by(m.CaseLink.id)
        .limit(1)
    ).scalar_one_or_none()


def _deliver_to(
    work: Work, sender: case_state.CaseState, case_id: int, message: OutgoingMessage, *, actor: Actor, depth: int
) -> None:
    case = case_state.lock_case(work.session, case_id)
    assert case is not None
    receiver = case_state.load(work, case)
    receiver.instance.send(message.name, message.payload)
    _file(work, sender.case, case, message)  # e.g. the Rückmeldung: its two facts stay visible in the case
    _audit_transfer(work, sender.case, case, message, actor)
    deliver_messages(work, receiver, receiver.instance.outgoing(), actor=actor, depth=depth + 1)
    case_state.save(work, receiver)


def meldebogen(work: Work, sender: m.Case, payload: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """What a message that opens a case carries: its fields, who reports, the sender's reference."""
    session = work.session
    reporter = session.get(m.Organisation, sender.organisation_id)
    assert reporter is not None
    person = session.get(m.User, actor.user_id)
    melder = {"organisation": reporter.key, "organisation_name": reporter.name, "kontakt": actor.display_name}
    if person is not None and person.telefon:
        melder["telefon"] = person.telefon  # the Jugendamt calls the reporting person back
    return {
        **payload,
        "melder": melder,
        # the § 99 category of the sender: prefills the Eingang's "Meldende Stelle" (the BPMN copies it)
        **({"meldende_stelle": reporter.meldende_stelle} if reporter.meldende_stelle else {}),
        "bezug": sender.reference,
        # when the Jugendamt learnt of it: the telephone call of a Sofortmeldung, else this transmission
        "eingegangen_am": payload.get("gemeldet_am") or work.now.isoformat(),
    }


def _open_from_message(
    work: Work, process: LoadedProcess, sender: case_state.CaseState, message: OutgoingMessage, *, actor: Actor
) -> None:
    """The Meldebogen: the message's fields, the child's data and who reports — nothing else of the
    sender's internal documentation (that stays in the sender's instance)."""
    session = work.session
    office = session.get(m.Organisation, sender.case.jugendamt_id)
    assert office is not None
    meldung = meldebogen(work, sender.case, message.payload, actor)
    child = open_child(work, sender.case)
    opened = case_state.create_case(
        work,
        process,
        organisation=office,
        jugendamt=office,
        child=child,
        variables={"meldung": meldung},
        opened_by=None,
        facts={"meldung_von": sender.case.reference},
    )
    session.add(m.CaseLink(case_id=sender.case.id, linked_case_id=opened.case.id, relation=SENT_TO))
    session.add(m.CaseLink(case_id=opened.case.id, linked_case_id=sender.case.id, relation=RECEIVED_FROM))
    session.flush()
    keep_message(work, sender.case, opened.case, OutgoingMessage(message.name, meldung))
    _audit_transfer(work, sender.case, opened.case, OutgoingMessage(message.name, meldung), actor)
