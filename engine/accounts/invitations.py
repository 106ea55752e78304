"""Invitations: how a person gets their first password (or a new one) without anybody else knowing it.

An administrator never types a password for someone else (issue 13, finding 3: an admin who knows a
password can sign in as that person). Instead an invitation is issued: a one-time link, valid
`VALID_FOR`, stored as SHA-256 of its token only. Following it, the person chooses their password and
then enrols their second factor exactly as at a first sign-in. A new invitation replaces any unused
earlier one; accepting one also forgets a previous second factor (the link is a full reset of the
credentials) and ends every session of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from engine.accounts import browser_sessions
from engine.accounts.registry import actor_for_user, user_by_username
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.errors import NotFound, ValidationFailed
from engine.persistence import models as m
from engine.transactions import Work

VALID_FOR = timedelta(hours=72)
MIN_PASSWORD = 12
#: argon2 hashes any length, but nobody types more; a bound keeps a hashing request cheap.
MAX_PASSWORD = 256

INVALID = "Diese Einladung ist ungültig, schon benutzt oder abgelaufen. Bitte fragen Sie nach einer neuen."


@dataclass(frozen=True)
class Invited:
    """Whom a valid invitation is for (shown on its page) and what comes after the password."""

    user_id: int
    username: str
    display_name: str
    mfa_required: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(work: Work, username: str, operator: str) -> str:
    """A new invitation for `username` (`user.invited`); returns the token of the link, once."""
    user = user_by_username(work.session, username)
    if not user.active:
        raise ValidationFailed({"username": [f"Benutzer „{username}“ ist deaktiviert."]})
    work.session.execute(delete(m.Invitation).where(m.Invitation.user_id == user.id, m.Invitation.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    expires = work.now + VALID_FOR
    work.session.add(
        m.Invitation(
            user_id=user.id,
            token_hash=_hash(token),
            created_by=operator,
            created_at=work.now,
            expires_at=expires,
        )
    )
    work.session.flush()
    payload = {"username": username, "expires_at": expires.isoformat()}
    record(work, EventType.USER_INVITED, actor=None, actor_name=operator, payload=payload)
    return token


def _valid(work: Work, token: str) -> tuple[m.Invitation, m.User]:
    row = work.session.execute(select(m.Invitation).where(m.Invitation.token_hash == _hash(token))).scalar_one_or_none()
    user = work.session.get(m.User, row.user_id) if row is not None else None
    if row is None or user is None or row.used_at is not None or row.expires_at <= work.now or not user.active:
        raise NotFound(INVALID)
    return row, user


def check_password(password: str, repeated: str) -> None:
    """The rules for a password a person chooses (before the slow hash is computed)."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": [f"Mindestens {MIN_PASSWORD} Zeichen."]})
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed({"password": [f"Höchstens {MAX_PASSWORD} Zeichen."]})
    if password != repeated:
        raise ValidationFailed({"password_repeat": ["Die beiden Eingaben stimmen nicht überein."]})


def peek(work: Work, token: str) -> Invited:
    """Whom the invitation is for; NotFound if it cannot be used (any reason: one message)."""
    _, user = _valid(work, token)
    return Invited(user.id, user.username, user.display_name, user.mfa_required)


def accept(work: Work, token: str, password_hash: str) -> Invited:
    """Use the invitation: the password (hashed by the caller, outside the transaction) is set, a
    former second factor forgotten, every session ended (`user.invitation_accepted`)."""
    row, user = _valid(work, token)
    row.used_at = work.now
    user.password_hash = password_hash
    user.mfa_secret = None
    user.mfa_pending_secret = None
    user.mfa_enrolled_at = None
    user.mfa_last_step = None
    actor = actor_for_user(work.session, user)
    record(work, EventType.USER_INVITATION_ACCEPTED, actor=actor, payload={"username": user.username})
    browser_sessions.end_all(work, user, "password_changed")
    return Invited(user.id, user.username, user.display_name, user.mfa_required)
