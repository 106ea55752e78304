"""The key of the failed-sign-in counter: a keyed HMAC of the typed name, never a plain hash.

People type passwords into the username field. An unkeyed SHA-256 of that text is open to a guess
list (issue 13, finding 9); an HMAC under key material of this instance (the blind-index machinery of
the audit vault: a data key of the scope `login-throttle`, wrapped under the KEK in `keys/`) tells
nothing without the keys. Also asked by the API: a locked name's tokens are refused while it lasts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from audit import DecryptionFailed
from engine.persistence import models as m
from engine.transactions import Work

SCOPE = "login-throttle"


def throttle_key(work: Work, username: str, *, create: bool = False) -> str | None:
    """The counter's key for a typed name (None: no key material yet, so no counter exists either).
    `create` makes the key on the first failure (a writing unit)."""
    conn = work.session.connection()
    name = username.strip().lower()
    try:
        [digest] = work.vault.blind_digests(conn, SCOPE, [name], now=work.now if create else None)
    except DecryptionFailed:
        return None
    return digest.hex()


def row_for(session: Session, key: str | None, *, for_update: bool = False) -> m.LoginThrottle | None:
    if key is None:
        return None
    return session.get(m.LoginThrottle, key, with_for_update=for_update)


def locked_until(work: Work, username: str) -> datetime | None:
    """Until when the name is locked (None: not locked now)."""
    row = row_for(work.session, throttle_key(work, username))
    if row is None or row.locked_until is None or row.locked_until <= work.now:
        return None
    return row.locked_until
