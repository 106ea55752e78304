"""The review of break-glass accesses (R35, DP-11: "Break-glass for emergencies with post-hoc review").

Every access of a Jugendamt's cases is listed for its Leitung and its Revision / Datenschutz
(`permissions.BREAK_GLASS_REVIEW_ROLES`) until one of them marks it reviewed with a comment
(`case.break_glass_reviewed`, the comment sealed like the reason). A running access is reviewed once
it has ended — what was read is only known then — and never by the person who used it. The
Bereitschaftsdienst sees its own accesses in the same list, to find the case again during the night.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from audit import Shredded
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.break_glass.access import reason_errors
from engine.clock import BERLIN
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.permissions import BREAK_GLASS_REVIEW_ROLES, BREAK_GLASS_ROLES
from engine.persistence import models as m
from engine.persistence.sealed import open_break_glass, seal_break_glass
from engine.transactions import Work

NOT_FOUND = "Diesen Notfallzugriff gibt es nicht."


@dataclass(frozen=True)
class Entry:
    id: int
    case_id: int
    reference: str
    jugendamt: str
    user_name: str
    granted_at: datetime
    expires_at: datetime
    #: None once the case's key is destroyed (end of retention)
    reason: str | None
    running: bool
    reviewed_at: datetime | None
    reviewer_name: str | None
    comment: str | None
    #: the actor may mark it reviewed now
    may_review: bool


def _reviewing_offices(actor: Actor) -> set[int]:
    """The Jugendämter the actor reviews for (a Träger's Revision reviews nothing here)."""
    return {
        ms.organisation_id
        for ms in actor.memberships
        if ms.role in BREAK_GLASS_REVIEW_ROLES and ms.organisation_kind == "jugendamt"
    }


def entries(work: Work, actor: Actor) -> list[Entry]:
    """The accesses the actor reviews (its Jugendämter's) and its own, unreviewed first, newest first
    within; NotAllowed for a user who neither reviews nor has a Bereitschaft role."""
    offices = _reviewing_offices(actor)
    own = any(actor.has_role(role) for role in BREAK_GLASS_ROLES)
    if not offices and not own:
        raise NotAllowed("Die Notfallzugriffe prüfen die Leitung und die Revision / der Datenschutz des Jugendamts.")
    access, user, reviewer = m.BreakGlassAccess, aliased(m.User), aliased(m.User)
    rows = work.session.execute(
        select(access, m.Case.reference, m.Organisation.name, user.display_name, reviewer.display_name)
        .join(m.Case, m.Case.id == access.case_id)
        .join(m.Organisation, m.Organisation.id == access.jugendamt_id)
        .join(user, user.id == access.user_id)
        .outerjoin(reviewer, reviewer.id == access.reviewed_by_user_id)
        .where(or_(access.jugendamt_id.in_(offices), access.user_id == actor.user_id))
        .order_by(access.reviewed_at.is_not(None), access.granted_at.desc(), access.id.desc())
    ).all()
    return [
        _entry(work, actor, row, reference, office, name, reviewer_name, row.jugendamt_id in offices)
        for row, reference, office, name, reviewer_name in rows
    ]


def _entry(
    work: Work,
    actor: Actor,
    row: m.BreakGlassAccess,
    reference: str,
    office: str,
    name: str,
    reviewer_name: str | None,
    reviews: bool,
) -> Entry:
    try:
        reason: str | None = open_break_glass(work, reference, row.id, "grund", row.reason)
        comment = (
            open_break_glass(work, reference, row.id, "pruefung", row.review_comment)
            if row.review_comment is not None
            else None
        )
    except Shredded:
        reason = comment = None
    running = row.expires_at > work.now
    return Entry(
        id=row.id,
        case_id=row.case_id,
        reference=reference,
        jugendamt=office,
        user_name=name,
        granted_at=row.granted_at,
        expires_at=row.expires_at,
        reason=reason,
        running=running,
        reviewed_at=row.reviewed_at,
        reviewer_name=reviewer_name,
        comment=comment,
        may_review=reviews and not running and row.reviewed_at is None and row.user_id != actor.user_id,
    )


def mark_reviewed(work: Work, actor: Actor, access_id: int, data: object) -> None:
    """Mark an ended access reviewed with a comment (`case.break_glass_reviewed`). NotFound for an
    access of another Jugendamt (as for a missing one), NotAllowed for the one who used it."""
    session = work.session
    row = session.get(m.BreakGlassAccess, access_id)
    if row is None or row.jugendamt_id not in _reviewing_offices(actor):
        raise NotFound(NOT_FOUND)
    if row.user_id == actor.user_id:
        raise NotAllowed("Den eigenen Notfallzugriff prüft eine andere Person.")
    if row.reviewed_at is not None:
        raise Conflict("Dieser Notfallzugriff ist bereits geprüft.")
    if row.expires_at > work.now:
        until = row.expires_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
        raise Conflict(f"Der Notfallzugriff läuft noch bis {until} Uhr; prüfen Sie ihn danach.")
    body = data if isinstance(data, Mapping) else {}
    errors = reason_errors(body.get("kommentar"), "kommentar", "was die Prüfung ergeben hat")
    if errors:
        raise ValidationFailed(errors)
    comment = str(body["kommentar"]).strip()
    case = session.get(m.Case, row.case_id)
    assert case is not None
    try:
        row.review_comment = seal_break_glass(work, case.reference, row.id, "pruefung", comment)
    except Shredded:
        raise Conflict("Der Inhalt dieses Falls ist nach Ablauf der Aufbewahrung gelöscht.") from None
    row.reviewed_at, row.reviewed_by_user_id = work.now, actor.user_id
    payload = {"zugriff": row.id, "kommentar": comment}
    record(work, EventType.CASE_BREAK_GLASS_REVIEWED, actor=actor, case=case, payload=payload)
