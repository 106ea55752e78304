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

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import case_state
from engine.actor import Actor
from engine.clock import BERLIN
from engine.errors import Conflict
from engine.persistence import models as m
from engine.processes import ProcessCatalog
from engine.spiff_adapter import OutgoingMessage, send_message, take_outgoing_messages

#: Relations written on both cases when a message opens a case.
SENT_TO, RECEIVED_FROM = "meldung_an", "meldung_von"


def deliver_messages(
    session: Session,
    catalog: ProcessCatalog,
    sender: case_state.CaseState,
    messages: list[OutgoingMessage],
    *,
    actor: Actor,
    now: datetime,
    depth: int = 0,
) -> None:
    if depth > 3:
        raise Conflict("Nachrichten zwischen Fällen bilden eine Schleife; der Schritt wurde nicht gespeichert.")
    for message in messages:
        waiting = _waiting_linked_case(session, sender.case.id, message.name)
        if waiting is not None:
            _deliver_to(session, catalog, waiting, message, actor=actor, now=now, depth=depth)
            continue
        process = catalog.started_by_message(session, message.name)
        if process is not None:
            _open_from_message(session, process, sender, message, actor=actor, now=now)
            continue
        recipient = _case_sent_to(session, sender.case.id)
        if recipient is None:
            raise Conflict(f"Die Nachricht „{message.name}“ kann keinem Fall zugestellt werden.")
        session.add(
            m.CaseMessage(
                case_id=recipient,
                from_case_id=sender.case.id,
                name=message.name,
                payload=json.dumps(message.payload, ensure_ascii=False),
                received_at=now,
            )
        )
        session.flush()


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
    session: Session,
    catalog: ProcessCatalog,
    case_id: int,
    message: OutgoingMessage,
    *,
    actor: Actor,
    now: datetime,
    depth: int,
) -> None:
    case = case_state.lock_case(session, case_id)
    assert case is not None
    receiver = case_state.load(session, catalog, case)
    send_message(receiver.workflow, message.name, message.payload)
    deliver_messages(
        session, catalog, receiver, take_outgoing_messages(receiver.workflow), actor=actor, now=now, depth=depth + 1
    )
    case_state.save(session, receiver, now)


def _open_from_message(
    session: Session,
    process: Any,
    sender: case_state.CaseState,
    message: OutgoingMessage,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """The Meldebogen: the message's fields, the child's data and who reports — nothing else of the
    sender's internal documentation (that stays in the sender's instance)."""
    reporter = session.get(m.Organisation, sender.case.organisation_id)
    office = session.get(m.Organisation, sender.case.jugendamt_id)
    assert reporter is not None and office is not None
    meldung = {
        **message.payload,
        "melder": {"organisation": reporter.key, "organisation_name": reporter.name, "kontakt": actor.display_name},
        "bezug": sender.case.reference,
    }
    opened = case_state.create_case(
        session,
        process,
        organisation=office,
        jugendamt=office,
        child=case_state.child_data(sender.case),
        variables={"meldung": meldung},
        opened_by=None,
        now=now,
        year=now.astimezone(BERLIN).year,
    )
    session.add(m.CaseLink(case_id=sender.case.id, linked_case_id=opened.case.id, relation=SENT_TO))
    session.add(m.CaseLink(case_id=opened.case.id, linked_case_id=sender.case.id, relation=RECEIVED_FROM))
    session.flush()
