"""The auditor's and the operator's side of the audit trail: reading with a stated reason,
verifying, exporting and key rotation — each itself audited (crypto-shredding: `shredding.py`).

Auditors (data-protection officers, Revision) read the trail of their organisation's cases; the
decrypted content only with a reason, which is recorded (`audit.read`, `audit.exported`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from audit import Event, VerifyResult, verify
from audit.tables import audit_checkpoints, audit_events
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.readable import readable_events
from engine.auditing.recording import record
from engine.cases.visibility import can_see_case
from engine.errors import EngineError, NotAllowed, NotFound, ValidationFailed, denied
from engine.persistence import models as m
from engine.transactions import Work

AUDITOR = "auditor"


def require_reason(reason: str | None, field: str = "reason") -> str:
    if reason is None or len(reason.strip()) < 5:
        raise ValidationFailed({field: ["Bitte einen Grund angeben (mindestens 5 Zeichen); er wird protokolliert."]})
    return reason.strip()


def event_dict(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "time": event.time.isoformat(),
        "type": event.type,
        "actor": event.actor,
        "organisation": event.organisation,
        "case": event.case_ref,
        "payload": event.payload,
        "shredded": event.shredded,
    }


def auditable_case(work: Work, actor: Actor, case_id: int) -> m.Case:
    """An auditor reads the trail of its organisation's cases; a case worker who sees the case but
    is no auditor gets 403; anyone else 404 (deny by default)."""
    case = work.session.get(m.Case, case_id)
    if case is None:
        raise NotFound("Fall nicht gefunden.")
    if AUDITOR in actor.roles_in(case.organisation_id):
        return case
    if can_see_case(work.session, actor, case):
        refused: EngineError = NotAllowed(
            "Das Protokoll eines Falls lesen nur Personen mit der Rolle „Revision / Datenschutz“."
        )
    else:
        refused = NotFound("Fall nicht gefunden.")
    raise denied(refused, actor, case.id, view="audit")


def auditable_case_by_reference(work: Work, actor: Actor, reference: str) -> m.Case:
    case_id = work.session.execute(select(m.Case.id).where(m.Case.reference == reference)).scalar_one_or_none()
    if case_id is None:
        raise NotFound("Fall nicht gefunden.")
    return auditable_case(work, actor, case_id)


def read_case_trail(
    work: Work, actor: Actor, case_id: int, reason: str | None, *, readable: bool = False
) -> list[dict[str, Any]]:
    """One case's decrypted events, recorded as `audit.read`; `readable`: each with its payload as
    labelled `fields` too, for the auditor's page (`engine/auditing/readable.py`)."""
    case = auditable_case(work, actor, case_id)
    why = require_reason(reason)
    events = [event_dict(e) for e in work.vault.read(work.session.connection(), case_ref=case.reference)]
    if readable:
        events = with_names(work, readable_events(work, case, events))
    record(
        work,
        EventType.AUDIT_READ,
        actor=actor,
        case=case,
        system_scope=True,
        payload={"reason": why, "events": len(events)},
    )
    return events


def export_case_trail(work: Work, actor: Actor, case_id: int, reason: str | None) -> list[dict[str, Any]]:
    """An auditor's download of one case's decrypted events, recorded as `audit.exported`."""
    case = auditable_case(work, actor, case_id)
    why = require_reason(reason)
    events = [event_dict(e) for e in work.vault.read(work.session.connection(), case_ref=case.reference)]
    record(
        work,
        EventType.AUDIT_EXPORTED,
        actor=actor,
        case=case,
        system_scope=True,
        payload={"reason": why, "case": case.reference, "events": len(events)},
    )
    return events


def verify_trail(work: Work, actor: Actor | None, checkpoint_log: Path | None = None) -> VerifyResult:
    """Chain and checkpoints, without decrypting; over the API only for auditors."""
    if actor is not None and not actor.has_role(AUDITOR):
        raise NotAllowed("Die Prüfung des Protokolls ist Personen mit der Rolle „Revision / Datenschutz“ vorbehalten.")
    if checkpoint_log is None:
        return work.vault.verify(work.session.connection())
    return verify(work.session.connection(), work.vault.export_public_key(), checkpoint_log)


def export_trail(
    work: Work,
    *,
    reason: str,
    operator: str,
    case_reference: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Decrypted events for an export (JSON Lines); the export itself is recorded first."""
    why = require_reason(reason)
    case = None
    if case_reference is not None:
        case = work.session.execute(select(m.Case).where(m.Case.reference == case_reference)).scalar_one_or_none()
        if case is None:
            raise NotFound("Fall nicht gefunden.")
    record(
        work,
        EventType.AUDIT_EXPORTED,
        actor=None,
        actor_name=operator,
        case=case,
        system_scope=True,
        payload={
            "reason": why,
            "case": case_reference,
            "from": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
    )
    for event in work.vault.read(work.session.connection(), case_ref=case_reference, since=since, until=until):
        yield event_dict(event)


def list_events(
    work: Work,
    actor: Actor,
    *,
    case_reference: str | None = None,
    person: str | None = None,
    event_type: EventType | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Metadata of the events in the auditor's scope, newest first — nothing decrypted.

    Scope: events of the cases of the auditor's organisations, and events recorded for those
    organisations (sign-ins, refusals by their people)."""
    organisations = {ms.organisation_id: ms.organisation_key for ms in actor.memberships if ms.role == AUDITOR}
    if not organisations:
        raise NotAllowed("Das Protokoll ist Personen mit der Rolle „Revision / Datenschutz“ vorbehalten.")
    cases = select(m.Case.reference).where(m.Case.organisation_id.in_(organisations))
    query = (
        select(
            audit_events.c.seq,
            audit_events.c.time,
            audit_events.c.actor,
            audit_events.c.organisation,
            audit_events.c.case_ref,
            audit_events.c.type,
        )
        .where(or_(audit_events.c.case_ref.in_(cases), audit_events.c.organisation.in_(organisations.values())))
        .order_by(audit_events.c.seq.desc())
        .limit(min(max(limit, 1), 1000))
    )
    if case_reference:
        query = query.where(audit_events.c.case_ref == case_reference)
    if person:
        query = query.where(audit_events.c.actor == person)
    if event_type:
        query = query.where(audit_events.c.type == event_type)
    if since:
        query = query.where(audit_events.c.time >= since)
    if until:
        query = query.where(audit_events.c.time < until)
    return with_names(
        work,
        [
            {
                "seq": row.seq,
                "time": row.time.isoformat(),
                "actor": row.actor,
                "organisation": row.organisation,
                "case": row.case_ref,
                "type": row.type,
            }
            for row in work.session.execute(query)
        ],
    )


def with_names(work: Work, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with `actor_name` and `organisation_name` for the auditor's pages: a person reads
    „Kita Regenbogen Kevelaer“, not `kita-kevelaer`. The trail stores the keys (and the exports keep
    them: they are what a machine matches); a key no longer in the directory is shown as stored."""
    usernames = {e["actor"] for e in events if e.get("actor")}
    keys = {e["organisation"] for e in events if e.get("organisation")}
    people: dict[str, str] = {}
    organisations: dict[str, str] = {}
    if usernames:
        query = select(m.User.username, m.User.display_name).where(m.User.username.in_(usernames))
        people = {str(username): str(name) for username, name in work.session.execute(query)}
    if keys:
        query = select(m.Organisation.key, m.Organisation.name).where(m.Organisation.key.in_(keys))
        organisations = {str(key): str(name) for key, name in work.session.execute(query)}
    return [
        {
            **event,
            "actor_name": people.get(event.get("actor") or "", event.get("actor")),
            "organisation_name": organisations.get(event.get("organisation") or "", event.get("organisation")),
        }
        for event in events
    ]


def last_checkpoint(work: Work) -> dict[str, Any] | None:
    """The newest signed checkpoint of the chain (sequence, time, head hash), None before the first."""
    row = work.session.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc()).limit(1)).first()
    return None if row is None else {"seq": row.seq, "time": row.time.isoformat(), "hash": row.hash.hex()}
