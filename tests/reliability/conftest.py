"""One matrix world (tests/reliability/authz_world.py) shared by the schemathesis run and the fuzz:
neither depends on the world's exact state, and building it costs seconds. The authorization matrix
builds its own, since its expectations do depend on the state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability import authz_world as aw


@pytest.fixture(scope="session")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[aw.MatrixWorld]:
    world = aw.build(Path(tmp_path_factory.mktemp("reliability")))
    yield world
    world.world.engine.db.dispose()
