"""Requesting a break-glass access and the access check that honours it (R35, DP-11).

Who: a holder of a Bereitschaft role (`permissions.BREAK_GLASS_ROLES`) at the Jugendamt that owns
the case — never a Träger's or another Jugendamt's case (the refusal is the plain 404 of a case one
may not see, recorded as `access.denied`). What: reading the case page, its Verlauf, diagram and file
with the child's data — nothing is completed, taken over or sent under break-glass (the step forms,
the Akte and every command keep their standing rules: `can_see_case`); the night's decisions are
the ASD's next morning, or a new Meldung. How long: the stated number of hours, at most the
installation's maximum (`MAX_HOURS` unless configured); the check compares the access's end with the
engine's clock at every read, so an expired access opens nothing without any job running.
Every access is recorded as `case.break_glass` with its reason (sealed under the case's key in the
trail and in the table) and listed for review (engine/break_glass/review.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import Shredded
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases.visibility import can_see_case
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed, denied
from engine.permissions import BREAK_GLASS_ROLES, may_break_glass
from engine.persistence import models as m
from engine.persistence.sealed import seal_break_glass
from engine.transactions import Work

#: The longest break-glass access an installation grants unless it configures another maximum
#: (`SCHUTZPFAD_NOTFALLZUGRIFF_STUNDEN`): a night's Bereitschaft, 18:00 to 06:00.
MAX_HOURS = 12
#: A reason is a sentence saying why now: at least this many characters and three words.
REASON_MIN = 20
REASON_MAX = 1000

CASE_NOT_FOUND = "Einen Fall mit diesem Aktenzeichen gibt es in Ihrem Jugendamt nicht."


@dataclass(frozen=True)
class Grant:
    id: int
    case_id: int
    reference: str
    expires_at: datetime


def reason_errors(text: object, field: str, what: str) -> dict[str, list[str]]:
    """A stated reason (or review comment) must be a sentence: refused empty, a word or two, too long.
    `what`: the question the sentence answers ("warum Sie den Fall jetzt einsehen müssen")."""
    value = text.strip() if isinstance(text, str) else ""
    if len(value) < REASON_MIN or len(value.split()) < 3:
        return {field: [f"Geben Sie in einem ganzen Satz an, {what} (mindestens {REASON_MIN} Zeichen)."]}
    if len(value) > REASON_MAX:
        return {field: [f"Fassen Sie sich kürzer: höchstens {REASON_MAX} Zeichen."]}
    return {}


def _hours(value: object, max_hours: int) -> tuple[int, dict[str, list[str]]]:
    if value is None or value == "":
        return max_hours, {}
    try:
        hours = int(value) if isinstance(value, int | str) and not isinstance(value, bool) else 0
    except ValueError:
        hours = 0
    if not 1 <= hours <= max_hours:
        return 0, {"stunden": [f"Wählen Sie eine Dauer von 1 bis {max_hours} Stunden."]}
    return hours, {}


def request_access(work: Work, actor: Actor, data: object, *, max_hours: int = MAX_HOURS) -> Grant:
    """Grant the actor read access to the case named by `aktenzeichen` for `stunden` hours, with the
    reason `grund` (`case.break_glass`). Refused before anything is read for a user without a
    Bereitschaft role (403), then the input is checked (422), then the case (404 unless it is one of
    the actor's Jugendamt's own cases)."""
    if not any(actor.has_role(role) for role in BREAK_GLASS_ROLES):
        raise NotAllowed("Einen Notfallzugriff kann nur der Bereitschaftsdienst eines Jugendamts anfordern.")
    body = data if isinstance(data, Mapping) else {}
    reference = body.get("aktenzeichen")
    reference = reference.strip().upper() if isinstance(reference, str) else ""
    errors = reason_errors(body.get("grund"), "grund", "warum Sie den Fall jetzt einsehen müssen")
    hours, hour_errors = _hours(body.get("stunden"), max_hours)
    errors |= hour_errors
    if not reference:
        errors["aktenzeichen"] = ["Geben Sie das Aktenzeichen des Falls an, z. B. KS-2026-000123."]
    if errors:
        raise ValidationFailed(errors)
    session = work.session
    case = session.execute(select(m.Case).where(m.Case.reference == reference)).scalar_one_or_none()
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    if not may_break_glass(actor, case.organisation_id):
        raise denied(NotFound(CASE_NOT_FOUND), actor, case.id, view="notfallzugriff")
    if can_see_case(session, actor, case):
        raise Conflict("Diesen Fall sehen Sie ohnehin; ein Notfallzugriff ist nicht nötig.")
    reason = str(body["grund"]).strip()
    access = m.BreakGlassAccess(
        case_id=case.id,
        user_id=actor.user_id,
        jugendamt_id=case.organisation_id,
        granted_at=work.now,
        expires_at=work.now + timedelta(hours=hours),
        reason=b"",
    )
    session.add(access)
    session.flush()
    try:
        access.reason = seal_break_glass(work, case.reference, access.id, "grund", reason)
    except Shredded:
        raise Conflict("Der Inhalt dieses Falls ist nach Ablauf der Aufbewahrung gelöscht.") from None
    payload = {"grund": reason, "stunden": hours, "bis": access.expires_at.isoformat(), "zugriff": access.id}
    record(work, EventType.CASE_BREAK_GLASS, actor=actor, case=case, payload=payload)
    return Grant(access.id, case.id, case.reference, access.expires_at)


def active_until(session: Session, actor: Actor, case: m.Case, now: datetime) -> datetime | None:
    """The end of the actor's running break-glass access to the case (the latest, if several), or
    None. Only while the actor still holds the Bereitschaft role at the case's Jugendamt."""
    if not may_break_glass(actor, case.organisation_id):
        return None
    access = m.BreakGlassAccess
    return session.execute(
        select(func.max(access.expires_at)).where(
            access.case_id == case.id,
            access.user_id == actor.user_id,
            access.granted_at <= now,
            access.expires_at > now,
        )
    ).scalar_one_or_none()
