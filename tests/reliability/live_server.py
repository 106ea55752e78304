"""A real Schutzpfad server in a child process, on an installation of its own, and a small HTTP
client for it: what the SIGKILL trials and the races drive.

The installation is the shared test world (tests/conftest.py) plus a Revision user of Jugendamt Goch,
written by the engine on SQLite or PostgreSQL with the system clock (bearer tokens are issued "now"),
then served by `schutzpfad serve` children of tests/reliability/fork_server.py.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from engine.accounts import registry as accounts
from engine.accounts import tokens as api_tokens
from engine.case_engine import CaseEngine
from engine.clock import SystemClock
from tests.conftest import initialised_engine, populate_world

REPO = Path(__file__).resolve().parents[2]
#: the users the drivers act as (bearer tokens issued at set-up)
USERS = ("kita_fk", "kita_leitung", "insofa_kleve", "goch_fk", "kita_revision", "goch_revision")


class ServerGone(Exception):
    """The request got no (whole) answer: connection refused, reset or cut mid-body (the server was
    killed). Such a step counts as not acknowledged, even if its status line had arrived."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    content_type: str


class Client:
    """Bearer-token JSON requests against one port; one connection per request, as browsers retry."""

    def __init__(self, port: int, tokens: dict[str, str]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.tokens = tokens

    def call(self, method: str, path: str, user: str | None, body: Any = None, timeout: float = 60) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310 - http to ourselves
        request.add_header("Content-Type", "application/json")
        if user is not None:
            request.add_header("Authorization", f"Bearer {self.tokens[user]}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return _answer(response.status, response.read(), response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.read(), error.headers.get("Content-Type", ""))
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise ServerGone(str(error)) from error

    def api(self, method: str, path: str, user: str | None, body: Any = None) -> Answer:
        return self.call(method, "/api/v1" + path, user, body)


def _answer(status: int, raw: bytes, content_type: str) -> Answer:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode(errors="replace")
    return Answer(status, body, content_type)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Installation:
    """An instance folder and a database, initialised and populated; the environment to serve them."""

    folder: Path
    database_url: str
    tokens: dict[str, str]

    @classmethod
    def create(cls, folder: Path, database_url: str) -> Installation:
        instance = folder / "instance"
        instance.mkdir(mode=0o700, parents=True)
        engine = initialised_engine(database_url, SystemClock(), instance)
        try:
            return cls(folder, database_url, cls._populate(engine))
        finally:
            engine.db.dispose()

    @staticmethod
    def _populate(engine: CaseEngine) -> dict[str, str]:
        """The world's users plus an auditor; returns a bearer token per driving user."""
        populate_world(engine)
        now = engine.clock.now()
        with engine.writing() as uow:
            accounts.create_user(
                uow.session,
                username="goch_revision",
                organisation_key="ja-goch",
                role="auditor",
                password=None,
                now=now,
                mfa_required=False,
            )
            uow.commit()
        tokens = {}
        for user in USERS:
            with engine.writing() as uow:
                tokens[user] = api_tokens.issue_token(uow.session, user, now)
                uow.commit()
        return tokens

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "SCHUTZPFAD_INSTANCE": str(self.folder / "instance"),
            "SCHUTZPFAD_DATABASE_URL": self.database_url,
            "SCHUTZPFAD_SECRET_KEY": "reliability",
            "PYTHONPATH": str(REPO),
        }

    def audit_verify(self) -> subprocess.CompletedProcess[str]:
        """`schutzpfad audit verify --json` against the installation (the server need not run)."""
        return subprocess.run(
            [str(Path(sys.executable).parent / "schutzpfad"), "audit", "verify", "--json"],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


class LiveServer:
    """`schutzpfad serve` children of one fork server: start, SIGKILL, start again."""

    def __init__(self, installation: Installation, log: IO[str]) -> None:
        self.installation = installation
        self.port = free_port()
        self.client = Client(self.port, installation.tokens)
        self.pid: int | None = None
        self._forks = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.fork_server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=installation.environment(),
            cwd=REPO,
            text=True,
        )

    def _ask(self, line: str) -> int:
        assert self._forks.stdin and self._forks.stdout
        self._forks.stdin.write(line + "\n")
        self._forks.stdin.flush()
        answer = self._forks.stdout.readline()
        if not answer:
            raise RuntimeError(f"fork server died (exit {self._forks.poll()}); see its log")
        return int(answer)

    def start(self, timeout: float = 120) -> None:
        self.pid = self._ask(f"start {self.port}")
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.client.call("GET", "/sitzung/status", None, timeout=10)
                return
            except ServerGone:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server on port {self.port} did not come up") from None
                time.sleep(0.02)

    def kill(self) -> int:
        """SIGKILL the serving child and reap it; its exit code (-9 when the kill did it)."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        code = self._ask(f"reap {self.pid}")
        self.pid = None
        return code

    def close(self) -> None:
        """Kill the serving child (if any) and end the fork server; idempotent."""
        if self._forks.returncode is not None:
            return
        if self.pid is not None:
            self.kill()
        assert self._forks.stdin and self._forks.stdout
        self._forks.stdin.close()
        self._forks.wait(timeout=30)
        self._forks.stdout.close()
