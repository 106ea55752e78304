"""Sign-in: password, throttling and lock-out, TOTP second factor — every outcome audited.

Rules (the BSI's ORP.4 asks for a lock-out after repeated failures, without telling an attacker
which usernames exist):
- failures are counted per typed username (keyed by an HMAC of it, engine/accounts/throttle.py),
  for unknown names too, so "locked" is no hint that a user exists; `MAX_FAILURES` within `WINDOW`
  lock the name for `LOCK_TIME`; while locked, the password is not even checked (a right guess
  during the lock-out reveals nothing);
- a wrong TOTP code counts like a wrong password;
- the TOTP secret is sealed under the `system` scope; a code is accepted once (no replay within its
  30-second step) and one step before or after is tolerated for clock drift.

Every function runs inside the caller's unit of work; the audit event commits with the change.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from math import ceil
from typing import Literal

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.accounts import browser_sessions, throttle
from engine.accounts.registry import actor_for_user, hash_password, verify_password
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.errors import EngineError, ValidationFailed
from engine.persistence import models as m
from engine.persistence.sealed import SYSTEM_SCOPE
from engine.transactions import Work

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
#: Throttle rows older than this are dropped (they no longer count for anything).
THROTTLE_RETENTION = timedelta(days=1)
ISSUER = "Schutzpfad"
TOTP_STEP = 30
#: One step either side: a phone clock a few seconds off still works.
TOTP_DRIFT_STEPS = 1

FAILED = "Anmeldung fehlgeschlagen. Bitte prüfen Sie Benutzername und Passwort."
CODE_INVALID = "Der Code ist ungültig oder abgelaufen. Bitte geben Sie den aktuellen 6-stelligen Code ein."

NextStep = Literal["done", "totp", "enrol"]


class SignInFailed(EngineError):
    """Wrong username, password or code — deliberately the same message for each."""

    title = "Anmeldung fehlgeschlagen"


class AccountLocked(SignInFailed):
    """Too many failures: signing in under this name is refused for `minutes` more minutes."""

    def __init__(self, minutes: int) -> None:
        word = "Minute" if minutes == 1 else "Minuten"
        super().__init__(f"Zu viele Fehlversuche. Bitte warten Sie {minutes} {word} und versuchen Sie es erneut.")
        self.minutes = minutes


class CredentialsRejected(SignInFailed):
    """A wrong password or code, or a locked name: raised inside the sign-in command, which rolls
    back; the transaction runner then counts it (`record_rejection`) in a unit of its own."""

    def __init__(self, username: str, reason: str) -> None:
        super().__init__(CODE_INVALID if reason == "totp" else FAILED)
        self.username = username
        #: `password`, `totp` or `locked`
        self.reason = reason


@dataclass(frozen=True)
class SignIn:
    """A password accepted: `done` (signed in as `actor`), or the second factor still to come."""

    user_id: int
    next_step: NextStep
    actor: Actor | None = None


@dataclass(frozen=True)
class SignedInUser:
    """What a page shows of the signed-in user, loaded once per request."""

    actor: Actor
    display_name: str
    organisations: tuple[str, ...]
    mfa_enrolled: bool


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown: both paths cost one argon2 verification."""
    return hash_password(secrets.token_urlsafe(16))


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, ceil((until - now).total_seconds() / 60))


def locked_for(work: Work, username: str) -> int:
    """Minutes the name stays locked (0: not locked)."""
    until = throttle.locked_until(work, username)
    return 0 if until is None else _minutes_left(until, work.now)


def _count_failure(work: Work, username: str, user: m.User | None, reason: str) -> SignInFailed:
    """Record one failure; returns the error to raise after the commit (a lock-out if this was one)."""
    session, now = work.session, work.now
    key = throttle.throttle_key(work, username, create=True)
    assert key is not None
    row = throttle.row_for(session, key, for_update=True)
    if row is None:
        session.execute(delete(m.LoginThrottle).where(m.LoginThrottle.last_failed_at < now - THROTTLE_RETENTION))
        try:
            with session.begin_nested():  # a concurrent first failure under the same name may win
                session.add(m.LoginThrottle(key=key, failures=0, first_failed_at=now, last_failed_at=now))
        except IntegrityError:
            pass
        row = throttle.row_for(session, key, for_update=True)
        assert row is not None
    if row.first_failed_at < now - WINDOW:
        row.failures, row.first_failed_at = 0, now
    row.failures += 1
    row.last_failed_at = now
    name = user.username if user is not None else "unbekannt"
    actor = actor_for_user(session, user) if user is not None else None
    payload = {"username": name, "reason": reason}
    record(work, EventType.AUTH_LOGIN_FAILED, actor=actor, actor_name=name, payload=payload)
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK_TIME
        row.failures, row.first_failed_at = 0, now
        record(
            work,
            EventType.AUTH_LOCKED,
            actor=actor,
            actor_name=name,
            payload={"username": name, "minutes": int(LOCK_TIME.total_seconds() // 60)},
        )
        session.flush()
        return AccountLocked(_minutes_left(row.locked_until, now))
    session.flush()
    return SignInFailed(CODE_INVALID if reason == "totp" else FAILED)


def record_rejection(work: Work, refused: EngineError) -> EngineError | None:
    """The refusal handler of every sign-in command: a rejected attempt is counted and audited
    (`auth.login_failed`, maybe `auth.locked`); returns the error the caller sees (a lock-out if this
    attempt caused one). Other refusals (an unknown session user, a form error) record nothing."""
    if not isinstance(refused, CredentialsRejected):
        return None
    user = _active_user(work.session, refused.username)
    if refused.reason == "locked":
        name = user.username if user is not None else "unbekannt"
        actor = actor_for_user(work.session, user) if user is not None else None
        payload = {"username": name, "reason": "locked"}
        record(work, EventType.AUTH_LOGIN_FAILED, actor=actor, actor_name=name, payload=payload)
        return AccountLocked(locked_for(work, refused.username) or 1)
    return _count_failure(work, refused.username, user, refused.reason)


def _refuse_if_locked(work: Work, username: str) -> None:
    if locked_for(work, username):
        raise CredentialsRejected(username, "locked")


def _active_user(session: Session, username: str) -> m.User | None:
    return session.execute(
        select(m.User).where(m.User.username == username.strip().lower(), m.User.active)
    ).scalar_one_or_none()


def _has_totp(user: m.User) -> bool:
    return user.mfa_secret is not None


@dataclass(frozen=True)
class Probe:
    """What the password step needs to know before any write: the hash to check, and whether the
    name is locked (then the password is not checked at all)."""

    password_hash: str | None
    locked: bool


def probe(work: Work, username: str) -> Probe:
    user = _active_user(work.session, username)
    locked = throttle.locked_until(work, username) is not None
    return Probe(user.password_hash if user is not None else None, locked)


def password_matches(password_hash: str | None, password: str) -> bool:
    """argon2 verification — against a dummy hash for unknown users, so both cost the same. Runs
    outside any transaction: a slow hash must not hold the database's write lock."""
    return verify_password(password_hash or _dummy_hash(), password) and password_hash is not None


def password_step(work: Work, username: str, matched: bool) -> SignIn:
    """Step one, written: without a second factor the completed sign-in (`auth.login`); otherwise the
    caller asks for the code (`totp`) or for enrolment (`enrol`: `mfa_required` and no confirmed
    secret). Re-checks the lock inside the transaction, so a lock-out that happened meanwhile still
    holds; a failure raises `CredentialsRejected`."""
    user = _active_user(work.session, username)
    _refuse_if_locked(work, username)
    if not matched or user is None:
        raise CredentialsRejected(username, "password")
    if _has_totp(user):
        return SignIn(user.id, "totp")
    if user.mfa_required:
        return SignIn(user.id, "enrol")
    return SignIn(user.id, "done", actor=complete_sign_in(work, user, mfa=False))


def complete_sign_in(work: Work, user: m.User, *, mfa: bool, method: str | None = None) -> Actor:
    """`auth.login`: with `mfa`, and the `method` when it was not the password (`oidc`)."""
    key = throttle.throttle_key(work, user.username)
    if key is not None:
        work.session.execute(delete(m.LoginThrottle).where(m.LoginThrottle.key == key))
    user.last_login_at = work.now
    actor = actor_for_user(work.session, user)
    payload: dict[str, object] = {"username": user.username, "mfa": mfa}
    if method is not None:
        payload["method"] = method
    record(work, EventType.AUTH_LOGIN, actor=actor, payload=payload)
    return actor


def signed_in_user(session: Session, user_id: int) -> SignedInUser | None:
    """The active user behind a session (None: deactivated or gone, so the session ends)."""
    user = session.get(m.User, user_id)
    if user is None or not user.active:
        return None
    actor = actor_for_user(session, user)
    names = session.execute(
        select(m.Organisation.name)
        .join(m.Membership, m.Membership.organisation_id == m.Organisation.id)
        .where(m.Membership.user_id == user.id)
        .order_by(m.Organisation.name)
        .distinct()
    ).scalars()
    return SignedInUser(actor, user.display_name, tuple(names), user.mfa_secret is not None)


def _user_by_id(session: Session, user_id: int) -> m.User:
    user = session.get(m.User, user_id)
    if user is None or not user.active:
        raise SignInFailed(FAILED)
    return user


def _record_name(user: m.User, field: str) -> str:
    return f"users/{user.id}/{field}"


def _open_secret(work: Work, user: m.User, field: str) -> str | None:
    blob = getattr(user, field)
    if blob is None:
        return None
    return work.vault.open_text(work.session.connection(), SYSTEM_SCOPE, _record_name(user, field), blob)


def _seal_secret(work: Work, user: m.User, field: str, secret: str) -> bytes:
    conn = work.session.connection()
    return work.vault.seal_field(conn, SYSTEM_SCOPE, _record_name(user, field), secret, now=work.now)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code matches (constant-time compare), allowing `TOTP_DRIFT_STEPS`."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    current = int(now.timestamp()) // TOTP_STEP
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(work: Work, user_id: int, code: str) -> Actor:
    """Step two for a user with a confirmed secret; a wrong or reused code raises `CredentialsRejected`."""
    user = _user_by_id(work.session, user_id)
    _refuse_if_locked(work, user.username)
    secret = _open_secret(work, user, "mfa_secret")
    step = _matching_step(secret, code, work.now) if secret else None
    if step is None or (user.mfa_last_step is not None and step <= user.mfa_last_step):
        raise CredentialsRejected(user.username, "totp")
    user.mfa_last_step = step
    return complete_sign_in(work, user, mfa=True)


def begin_enrolment(work: Work, user_id: int) -> Enrolment:
    """A new secret to show as QR code and text; kept (sealed) as pending until confirmed, so a reload
    of the enrolment page shows the same one."""
    user = _user_by_id(work.session, user_id)
    secret = _open_secret(work, user, "mfa_pending_secret")
    if secret is None:
        secret = pyotp.random_base32()
        user.mfa_pending_secret = _seal_secret(work, user, "mfa_pending_secret", secret)
        work.session.flush()
    uri = pyotp.TOTP(secret, interval=TOTP_STEP).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def confirm_enrolment(work: Work, user_id: int, code: str) -> Actor:
    """The first code confirms the secret (`auth.mfa_enrolled`) and completes the sign-in."""
    user = _user_by_id(work.session, user_id)
    _refuse_if_locked(work, user.username)
    secret = _open_secret(work, user, "mfa_pending_secret")
    if secret is None:
        raise ValidationFailed({"code": ["Bitte richten Sie die Zwei-Faktor-Anmeldung zuerst ein."]})
    step = _matching_step(secret, code, work.now)
    if step is None:
        raise CredentialsRejected(user.username, "totp")
    user.mfa_secret = _seal_secret(work, user, "mfa_secret", secret)
    user.mfa_pending_secret = None
    user.mfa_enrolled_at = work.now
    user.mfa_last_step = step
    actor = actor_for_user(work.session, user)
    record(work, EventType.AUTH_MFA_ENROLLED, actor=actor, payload={"username": user.username})
    return complete_sign_in(work, user, mfa=True)


def reset_second_factor(work: Work, username: str, operator: str) -> None:
    """Forget a user's TOTP secret (lost phone): they enrol again at the next sign-in."""
    user = work.session.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
    if user is None:
        raise ValidationFailed({"username": [f"Benutzer „{username}“ ist nicht bekannt."]})
    user.mfa_secret = None
    user.mfa_pending_secret = None
    user.mfa_enrolled_at = None
    user.mfa_last_step = None
    record(work, EventType.AUTH_MFA_RESET, actor=None, actor_name=operator, payload={"username": username})


def set_password(work: Work, username: str, password: str, operator: str) -> None:
    if len(password) < 12:
        raise ValidationFailed({"password": ["Mindestens 12 Zeichen."]})
    user = work.session.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
    if user is None:
        raise ValidationFailed({"username": [f"Benutzer „{username}“ ist nicht bekannt."]})
    user.password_hash = hash_password(password)
    record(work, EventType.USER_PASSWORD_SET, actor=None, actor_name=operator, payload={"username": username})
    browser_sessions.end_all(work, user, "password_changed", operator=operator)
