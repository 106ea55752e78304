"""Fixtures of the UI tests: Flask's test client on the `world` engine, with a sign-in helper.

The world's users have no password; the fixture gives them all `PASSWORD` (one argon2 hash, written
directly: hashing once per user would cost seconds per test).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import update

from engine.accounts import registry as accounts
from engine.persistence import models as m
from web import create_app
from web.config import load_settings

PASSWORD = "Test-Passwort-2026"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@cache
def _password_hash() -> str:
    return accounts.hash_password(PASSWORD)


class UiClient:
    """The test client plus what the UI tests keep needing: CSRF tokens, signing in, the clock."""

    def __init__(self, app, world) -> None:
        self.app = app
        self.world = world
        self.engine = world.engine
        self.clock = world.engine.clock
        self.client = app.test_client()

    def __getattr__(self, name: str):
        return getattr(self.client, name)

    def csrf(self, path: str = "/anmelden") -> str:
        """A valid CSRF token of the current session (from a page that renders a form)."""
        page = self.client.get(path)
        match = _CSRF.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_form(self, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
        """POST a form with a CSRF token taken from `token_from` (default: the same path, else /anmelden)."""
        token = self.csrf(token_from or "/anmelden")
        return self.client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)

    def login(self, username: str, password: str = PASSWORD, *, totp_secret: str | None = None):
        """Sign in through the form (and the TOTP step when `totp_secret` is given); returns the last
        response. Signs out first if somebody is signed in."""
        self.clear_cookies()
        response = self.post_form("/anmelden", {"username": username, "password": password})
        if totp_secret is not None:
            assert response.status_code == 302 and response.headers["Location"].endswith("/anmelden/code")
            response = self.post_form("/anmelden/code", {"code": self.totp(totp_secret)}, token_from="/anmelden/code")
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def clear_cookies(self) -> None:
        """A fresh browser: no session cookie."""
        self.client._cookies.clear()

    def logout(self):
        return self.post_form("/abmelden", token_from="/barrierefreiheit")

    def totp(self, secret: str, offset_steps: int = 0) -> str:
        """The code an authenticator app shows now (by the engine's clock)."""
        step = int(self.clock.now().timestamp()) // 30 + offset_steps
        return pyotp.TOTP(secret).generate_otp(step)


@pytest.fixture
def ui_app(world, tmp_path: Path):
    settings = load_settings({"SCHUTZPFAD_INSTANCE": str(tmp_path / "ui-instance"), "SCHUTZPFAD_SECRET_KEY": "test"})
    with world.engine.writing() as uow:
        uow.session.execute(update(m.User).values(password_hash=_password_hash()))
        uow.commit()
    app = create_app(settings, case_engine=world.engine)
    app.testing = True
    return app


@pytest.fixture
def ui(ui_app, world) -> UiClient:
    return UiClient(ui_app, world)
