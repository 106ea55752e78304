"""SIGKILL trials and races against a real server process, on SQLite and on PostgreSQL
(tests/reliability/kill_trials.py says what a trial checks). The default run is a slice
(SCHUTZPFAD_KILL_TRIALS=20 per database, 3 race rounds); `make reliability` runs the long one
(SCHUTZPFAD_KILL_SECONDS time-boxes it: the figures then say how many trials fitted)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.figures import knob, report
from tests.reliability.kill_trials import Trials, race
from tests.reliability.live_server import Installation, LiveServer


def _database(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    installation = Installation.create(tmp_path / "live", database_url)
    with open(tmp_path / "server.log", "w", encoding="utf-8") as log:
        server = LiveServer(installation, log)
        try:
            yield server
        finally:
            server.close()


def test_sigkill_at_random_moments_loses_no_acknowledged_step(live_server, database_url):
    trials = knob("SCHUTZPFAD_KILL_TRIALS", 20)
    seconds = knob("SCHUTZPFAD_KILL_SECONDS", 0)  # a time box for the long run (0: none)
    database = _database(database_url)
    figures = Trials(live_server, seed=trials).run(
        trials,
        deadline=time.monotonic() + seconds if seconds else None,
        progress=lambda f: report("sigkill-progress", database, f.summary()),
    )
    report("sigkill", database, figures.summary())
    assert figures.trials == trials or (seconds and figures.trials >= 20)
    assert figures.acknowledged > 0 and figures.cut_off > 0  # kills did land in the middle of work
    assert not figures.lost, figures.lost[:20]
    assert not figures.inconsistent, figures.inconsistent[:20]
    assert not figures.unexpected, figures.unexpected[:20]
    assert not figures.chain_failures and figures.chain_checks > 0, figures.chain_failures
    live_server.close()
    verified = live_server.installation.audit_verify()
    assert verified.returncode == 0, verified.stderr


def test_concurrent_completions_of_one_task_have_exactly_one_winner(live_server, database_url):
    rounds = knob("SCHUTZPFAD_RACE_ROUNDS", 3)
    live_server.start()
    figures = race(live_server, rounds)
    report("race", _database(database_url), figures.summary())
    assert figures.single_winner == rounds, figures.failures
