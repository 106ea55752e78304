"""Deactivating and reactivating a user: who leaves the organisation loses every way in at once.

A deactivated user cannot sign in (sign-in looks at active users only), their browser sessions end
in the same transaction, and their API tokens are refused while the flag is off (tokens.py). Nothing
is deleted: the audit trail keeps naming them, and reactivation restores the account as it was
(tokens that have not expired work again; a session must be signed in anew).
"""

from __future__ import annotations

from engine.accounts import browser_sessions
from engine.accounts.registry import user_by_username
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.errors import ValidationFailed
from engine.transactions import Work


def set_active(work: Work, username: str, active: bool, operator: str) -> bool:
    """`user.deactivated` (ending all sessions) or `user.activated`; False if it already was so."""
    user = user_by_username(work.session, username)
    if not active and username == operator:
        raise ValidationFailed({"username": ["Sie können sich nicht selbst deaktivieren."]})
    if user.active == active:
        return False
    user.active = active
    event = EventType.USER_ACTIVATED if active else EventType.USER_DEACTIVATED
    record(work, event, actor=None, actor_name=operator, payload={"username": username})
    if not active:
        browser_sessions.end_all(work, user, "deactivated", operator=operator)
    return True
