"""API bearer tokens: named, expiring, listed and revoked.

A token is random (256 bits) and stored as SHA-256 only: that much entropy makes a fast hash enough,
and every request finds its token by index. A token is refused once revoked or expired, and while
its user is deactivated or their name locked after failed sign-ins (an attacker who guessed at the
password must not go on through the API). Issuing and revoking are audited with the change.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import throttle
from engine.accounts.registry import actor_for_user, user_by_username
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.errors import NotFound, ValidationFailed
from engine.persistence import models as m
from engine.transactions import Work

DEFAULT_DAYS = 90
MAX_DAYS = 365
_NAME_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, username: str, now: datetime, *, name: str = "API", days: int = DEFAULT_DAYS) -> str:
    """A new token for `username` (what it is for: `name`), valid `days` days; returned once, stored hashed."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name or len(name) > _NAME_LENGTH:
        errors["name"] = [f"Bitte geben Sie dem Token einen Namen (höchstens {_NAME_LENGTH} Zeichen)."]
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = [f"Gültigkeit: 1 bis {MAX_DAYS} Tage."]
    if errors:
        raise ValidationFailed(errors)
    user = user_by_username(session, username)
    token = "sp_" + secrets.token_urlsafe(32)
    expires = now + timedelta(days=days)
    session.add(m.ApiToken(user_id=user.id, token_hash=_hash(token), name=name, created_at=now, expires_at=expires))
    session.flush()
    return token


def issue(work: Work, username: str, operator: str, *, name: str, days: int) -> str:
    """`issue_token` with its audit event `token.issued` (name and expiry, never the token)."""
    token = issue_token(work.session, username, work.now, name=name, days=days)
    row = work.session.execute(select(m.ApiToken).where(m.ApiToken.token_hash == _hash(token))).scalar_one()
    payload = {"username": username, "token": row.id, "name": row.name, "expires_at": row.expires_at.isoformat()}
    record(work, EventType.TOKEN_ISSUED, actor=None, actor_name=operator, payload=payload)
    return token


def actor_for_token(work: Work, token: str) -> Actor | None:
    """The user behind a bearer token, or None (unknown, revoked, expired, deactivated or locked)."""
    user = work.session.execute(
        select(m.User)
        .join(m.ApiToken, m.ApiToken.user_id == m.User.id)
        .where(
            m.ApiToken.token_hash == _hash(token),
            m.ApiToken.revoked_at.is_(None),
            m.ApiToken.expires_at > work.now,
            m.User.active,
        )
    ).scalar_one_or_none()
    if user is None or throttle.locked_until(work, user.username) is not None:
        return None
    return actor_for_user(work.session, user)


def of_user(work: Work, username: str) -> list[dict[str, Any]]:
    """A user's tokens, newest first, with their state (`aktiv`, `abgelaufen`, `widerrufen`)."""
    user = user_by_username(work.session, username)
    rows = work.session.execute(
        select(m.ApiToken).where(m.ApiToken.user_id == user.id).order_by(m.ApiToken.id.desc())
    ).scalars()
    return [
        {
            "id": row.id,
            "name": row.name,
            "created_at": row.created_at,
            "expires_at": row.expires_at,
            "revoked_at": row.revoked_at,
            "state": "widerrufen" if row.revoked_at else "abgelaufen" if row.expires_at <= work.now else "aktiv",
        }
        for row in rows
    ]


def revoke(work: Work, username: str, token_id: int, operator: str) -> None:
    """Revoke one of `username`'s tokens (`token.revoked`); an already revoked one stays as it is."""
    user = user_by_username(work.session, username)
    row = work.session.get(m.ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"Token {token_id} von „{username}“ ist nicht bekannt.")
    if row.revoked_at is not None:
        return
    row.revoked_at = work.now
    payload = {"username": username, "token": row.id, "name": row.name}
    record(work, EventType.TOKEN_REVOKED, actor=None, actor_name=operator, payload=payload)
