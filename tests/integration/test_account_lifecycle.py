"""The account life cycle on SQLite and PostgreSQL (issue 13, finding 9): deactivation ends every way
in, tokens are named, expire, are listed and revoked, a locked name's tokens are refused, and the
failed-sign-in counter is keyed by an HMAC under the instance's key material."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.accounts.sign_in import LOCK_TIME, MAX_FAILURES, SignInFailed
from engine.errors import NotFound, ValidationFailed
from engine.persistence import models as m


def _events(engine, *types):
    with engine.work() as (uow, _work):
        return list(engine.vault.read(uow.session.connection(), types=list(types)))


def _fail_sign_in(engine, username: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(SignInFailed):
            engine.sign_in(username, "falsches-passwort-123")


def _api_status(api, token: str) -> int:
    return api.app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code


def test_deactivation_ends_sessions_refuses_tokens_and_is_undone_by_activation(world, api):
    engine = world.engine
    token = engine.issue_token("kita_fk", operator="kita_admin", name="Fachverfahren")
    session = engine.start_session(world["kita_fk"].user_id, "Browser/1")
    assert _api_status(api, token) == 200 and engine.resume_session(session, activity=True) is not None

    assert engine.set_user_active("kita_fk", False, operator="kita_admin") is True
    assert engine.resume_session(session, activity=True) is None
    assert _api_status(api, token) == 401
    with engine.reading() as uow:
        assert uow.session.execute(select(m.BrowserSession)).first() is None  # ended, not just hidden
    [deactivated] = _events(engine, "user.deactivated")
    [ended] = _events(engine, "session.ended")
    assert deactivated.actor == "kita_admin" and deactivated.payload == {"username": "kita_fk"}
    assert ended.payload == {"username": "kita_fk", "reason": "deactivated", "sessions": 1}
    assert engine.set_user_active("kita_fk", False, operator="kita_admin") is False  # no second event

    assert engine.set_user_active("kita_fk", True, operator="kita_admin") is True
    assert _api_status(api, token) == 200
    assert [e.payload for e in _events(engine, "user.activated")] == [{"username": "kita_fk"}]


def test_nobody_deactivates_themselves_and_unknown_users_are_named(world):
    with pytest.raises(ValidationFailed):
        world.engine.set_user_active("kita_admin", False, operator="kita_admin")
    with pytest.raises(NotFound):
        world.engine.set_user_active("niemand", False, operator="kita_admin")


def test_tokens_are_named_expire_after_90_days_by_default_and_are_listed(world, api):
    engine = world.engine
    token = engine.issue_token("kita_fk", operator="cli", name="Fachverfahren")
    short = engine.issue_token("kita_fk", operator="cli", name="Kurz", days=1)
    listed = engine.tokens("kita_fk")
    assert [(t["name"], t["state"]) for t in listed] == [("Kurz", "aktiv"), ("Fachverfahren", "aktiv")]
    assert listed[1]["expires_at"] - listed[1]["created_at"] == timedelta(days=90)
    [issued, _] = _events(engine, "token.issued")
    assert issued.payload["name"] == "Fachverfahren" and token not in str(issued.payload)

    engine.clock.advance(timedelta(days=1, seconds=1))
    assert _api_status(api, short) == 401 and _api_status(api, token) == 200
    engine.clock.advance(timedelta(days=89))
    assert _api_status(api, token) == 401
    assert {t["state"] for t in engine.tokens("kita_fk")} == {"abgelaufen"}


def test_a_revoked_token_is_refused_and_only_its_owner_names_it(world, api):
    engine = world.engine
    token = engine.issue_token("kita_fk", operator="cli", name="Skript")
    [row] = engine.tokens("kita_fk")
    with pytest.raises(NotFound):
        engine.revoke_token("kita_fk2", row["id"], operator="cli")
    assert _api_status(api, token) == 200
    engine.revoke_token("kita_fk", row["id"], operator="cli")
    assert _api_status(api, token) == 401
    assert [t["state"] for t in engine.tokens("kita_fk")] == ["widerrufen"]
    [revoked] = _events(engine, "token.revoked")
    assert revoked.payload == {"username": "kita_fk", "token": row["id"], "name": "Skript"}


def test_invalid_token_names_and_lifetimes_are_refused(world):
    for name, days in (("", 90), ("x" * 101, 90), ("ok", 0), ("ok", 366)):
        with pytest.raises(ValidationFailed):
            world.engine.issue_token("kita_fk", operator="cli", name=name, days=days)


def test_a_locked_name_s_tokens_are_refused_while_the_lock_lasts(world, api):
    engine = world.engine
    token = engine.issue_token("kita_fk", operator="cli", name="Skript")
    _fail_sign_in(engine, "kita_fk", MAX_FAILURES)
    assert _api_status(api, token) == 401
    engine.clock.advance(LOCK_TIME + timedelta(seconds=1))
    assert _api_status(api, token) == 200


def test_the_failure_counter_is_keyed_with_an_hmac_not_a_plain_hash(world):
    typed = "Mein-Geheimes-Passwort-2026"  # a password typed into the name field
    _fail_sign_in(world.engine, typed)
    with world.engine.reading() as uow:
        [key] = uow.session.execute(select(m.LoginThrottle.key)).scalars()
    for candidate in (typed, typed.lower(), typed.strip().lower()):
        assert key != hashlib.sha256(candidate.encode()).hexdigest()
    assert len(key) == 64
    _fail_sign_in(world.engine, typed.upper())  # the same name however it is typed: one counter
    with world.engine.reading() as uow:
        assert uow.session.execute(select(m.LoginThrottle.failures)).scalars().all() == [2]


def test_a_new_password_ends_every_session(world):
    engine = world.engine
    session = engine.start_session(world["kita_fk"].user_id, "Browser/1")
    engine.set_password("kita_fk", "ein-ganz-neues-passwort", operator="cli")
    assert engine.resume_session(session, activity=True) is None
    [ended] = _events(engine, "session.ended")
    assert ended.payload == {"username": "kita_fk", "reason": "password_changed", "sessions": 1}
