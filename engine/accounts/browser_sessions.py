"""Browser sessions kept on the server: what a signed-in cookie stands for, and how it ends.

A signed client-side cookie cannot be taken back — a copy keeps working after sign-out. So the cookie
carries only a random id; the row keyed by its SHA-256 says whose session it is and how old. Ending a
session deletes the row, and the copied cookie then names nothing. Limits (BSI ORP.4, WCAG 2.2.1):
`IDLE` without a request and `ABSOLUTE` after the sign-in, whatever the activity.

Sign-out, deactivation, a new password and a changed role end sessions (`end_all`), each in the
transaction of the change and with its audit event.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from engine.accounts.registry import actor_for_user
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.errors import NotFound
from engine.persistence import models as m
from engine.transactions import Work

IDLE = timedelta(minutes=15)
ABSOLUTE = timedelta(hours=12)
#: `last_seen_at` is written at most this often: most requests then stay read-only (no write lock).
TOUCH_EVERY = timedelta(seconds=30)
_USER_AGENT_LENGTH = 200


@dataclass(frozen=True)
class Resumed:
    """A cookie's session as found: whose, and how long it has left (seconds; 0 when `expired`)."""

    user_id: int
    idle_left: int
    absolute_left: int
    #: `last_seen_at` is older than `TOUCH_EVERY`: a request that counts as activity writes it.
    stale: bool

    @property
    def expired(self) -> bool:
        return self.idle_left <= 0 or self.absolute_left <= 0


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _row(session: Session, token: str) -> m.BrowserSession | None:
    return session.execute(
        select(m.BrowserSession).where(m.BrowserSession.token_hash == _hash(token))
    ).scalar_one_or_none()


def _purge_expired(work: Work) -> None:
    """Rows past a limit are worthless (resume refuses them); dropped when a new session starts."""
    work.session.execute(
        delete(m.BrowserSession).where(
            or_(m.BrowserSession.last_seen_at < work.now - IDLE, m.BrowserSession.created_at < work.now - ABSOLUTE)
        )
    )


def start(work: Work, user_id: int, user_agent: str) -> str:
    """A new session for a user who just signed in (`session.started`); returns the cookie's token."""
    user = work.session.get(m.User, user_id)
    if user is None or not user.active:
        raise NotFound("Benutzer ist nicht bekannt.")
    _purge_expired(work)
    token = secrets.token_urlsafe(32)
    row = m.BrowserSession(
        user_id=user_id,
        token_hash=_hash(token),
        created_at=work.now,
        last_seen_at=work.now,
        user_agent=user_agent[:_USER_AGENT_LENGTH],
    )
    work.session.add(row)
    work.session.flush()
    actor = actor_for_user(work.session, user)
    record(work, EventType.SESSION_STARTED, actor=actor, payload={"username": user.username, "session": row.id})
    return token


def resume(session: Session, token: str, now: datetime) -> Resumed | None:
    """The session behind a cookie (None: ended, or never existed). An expired one is returned with
    zero time left, so the caller can keep the form it carried before ending it."""
    row = _row(session, token)
    if row is None:
        return None
    idle = int((row.last_seen_at + IDLE - now).total_seconds())
    absolute = int((row.created_at + ABSOLUTE - now).total_seconds())
    stale = now - row.last_seen_at >= TOUCH_EVERY
    return Resumed(row.user_id, max(0, idle), max(0, absolute), stale)


def touch(work: Work, token: str) -> None:
    """Activity: the idle limit starts again (never past the absolute one, which `resume` checks)."""
    work.session.execute(
        update(m.BrowserSession).where(m.BrowserSession.token_hash == _hash(token)).values(last_seen_at=work.now)
    )


def end(work: Work, token: str, reason: str) -> None:
    """Sign-out (`reason` `logout`) or a limit reached (`expired`): the row goes, `auth.logout` records it."""
    row = _row(work.session, token)
    if row is None:
        return
    user = work.session.get(m.User, row.user_id)
    work.session.delete(row)
    work.session.flush()
    if user is not None:
        actor = actor_for_user(work.session, user)
        record(work, EventType.AUTH_LOGOUT, actor=actor, payload={"username": user.username, "reason": reason})


def end_all(
    work: Work, user: m.User, reason: str, *, keep_token: str | None = None, operator: str | None = None
) -> int:
    """End every session of `user` (but the one of `keep_token`): `session.ended` with the count, in
    the caller's transaction. `reason` names the change (`deactivated`, `password_changed`,
    `role_changed`, `ended_by_user`)."""
    query = delete(m.BrowserSession).where(m.BrowserSession.user_id == user.id)
    if keep_token is not None:
        query = query.where(m.BrowserSession.token_hash != _hash(keep_token))
    ended = len(work.session.execute(query.returning(m.BrowserSession.id)).all())
    if ended:
        payload = {"username": user.username, "reason": reason, "sessions": ended}
        actor = None if operator else actor_for_user(work.session, user)
        record(work, EventType.SESSION_ENDED, actor=actor, actor_name=operator, payload=payload)
    return ended


def end_one(work: Work, user_id: int, session_id: int, current_token: str) -> None:
    """A user ends one of their other sessions (another browser, a lost device)."""
    row = work.session.get(m.BrowserSession, session_id)
    if row is None or row.user_id != user_id or row.token_hash == _hash(current_token):
        raise NotFound("Diese Sitzung gibt es nicht (mehr).")
    user = work.session.get(m.User, user_id)
    assert user is not None
    work.session.delete(row)
    work.session.flush()
    actor = actor_for_user(work.session, user)
    payload = {"username": user.username, "reason": "ended_by_user", "sessions": 1}
    record(work, EventType.SESSION_ENDED, actor=actor, payload=payload)


def of_user(work: Work, user_id: int, current_token: str) -> list[dict[str, object]]:
    """The user's live sessions, newest use first, the current one marked."""
    rows = work.session.execute(
        select(m.BrowserSession)
        .where(
            m.BrowserSession.user_id == user_id,
            m.BrowserSession.last_seen_at >= work.now - IDLE,
            m.BrowserSession.created_at >= work.now - ABSOLUTE,
        )
        .order_by(m.BrowserSession.last_seen_at.desc(), m.BrowserSession.id.desc())
    ).scalars()
    current = _hash(current_token)
    return [
        {
            "id": row.id,
            "user_agent": row.user_agent,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "current": row.token_hash == current,
        }
        for row in rows
    ]
