"""Fixtures of the integration tests: the JSON API through Flask's test client."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import file_journey
from web import create_app
from web.config import load_settings


@pytest.fixture
def api(world, tmp_path: Path):
    settings = load_settings({"SCHUTZPFAD_INSTANCE": str(tmp_path / "instance"), "SCHUTZPFAD_SECRET_KEY": "test"})
    app = create_app(settings, case_engine=world.engine)
    app.testing = True
    client = app.test_client()

    class Api:
        def __init__(self) -> None:
            self.tokens: dict[str, str] = {}
            self.app = app

        def call(self, method: str, path: str, user: str | None = "kita_fk", **kwargs):
            headers = kwargs.pop("headers", {})
            if user is not None:
                if user not in self.tokens:
                    self.tokens[user] = world.token(user)
                headers["Authorization"] = f"Bearer {self.tokens[user]}"
            return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return Api()


@pytest.fixture
def reported(api, child):
    """A Kita case brought to the Meldung; returns (Träger case id, Jugendamt case id)."""
    return file_journey.reported(api, child)
