"""Tables of the account life cycle beyond users and memberships: API tokens,
server-side browser sessions, invitations, the sign-in throttle and the drafts kept over a sign-in.

Kept apart from `models.py` (its size); `models` re-exports them, so code names them `m.BrowserSession`
like every other table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from audit.tables import UTCDateTime
from engine.persistence.base import Base


class BrowserSession(Base):
    """A signed-in browser session, kept on the server so that it can be ended: the cookie carries a
    random id whose SHA-256 is `token_hash` (a database leak yields no usable cookie)."""

    __tablename__ = "browser_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Written at most every `browser_sessions.TOUCH_EVERY`, so most requests stay read-only.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: The browser's User-Agent as sent (shortened), so the user can tell their sessions apart.
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class ApiToken(Base):
    """Bearer tokens are stored as SHA-256 of the token: a database leak reveals no usable token.
    Each is named (what it is for), expires, and can be revoked."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Invitation(Base):
    """A one-time link with which a person sets their own password and second factor: nobody else
    ever knows the password. Stored as SHA-256 of the link's token, valid `invitations.VALID_FOR`."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginThrottle(Base):
    """Failed sign-ins per typed username (keyed HMAC of it, engine/accounts/throttle.py, so a password
    typed into the username field cannot be recovered): kept for unknown names too, so a lock-out
    reveals nothing about who exists."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FormDraft(Base):
    """What a user had typed when their session expired, kept (sealed) until they sign in again."""

    __tablename__ = "form_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    form_key: Mapped[str] = mapped_column(String(300))
    #: The form fields, sealed under the `system` scope; bound to user and form key.
    fields: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)
