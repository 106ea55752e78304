"""A production-shaped deployment on the throw-away PostgreSQL: two gunicorn web nodes
(`web.wsgi:app`, no scheduler) and one `schutzpfad worker`, sharing the database and the instance
folder (keys, checkpoint log). Three case journeys run through both nodes at once, behind a tiny
round-robin balancer that fails over like a load balancer; one web node is killed with SIGKILL in
the middle. Every step a node acknowledged (200) must be in the case afterwards, and the journeys
finish on the surviving node.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.accounts import tokens as api_tokens
from engine.clock import SystemClock
from tests.support.cases import BEOBACHTUNG
from tests.support.file_journey import BERATUNG, LEITUNG, MELDUNG, VORGEHEN

pytestmark = pytest.mark.postgres

BIN = Path(sys.executable).parent
#: (who, step, values) of the Träger journey up to the Meldung to the Jugendamt (users of the test world).
JOURNEY = [
    ("kita_fk", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
    ("kita_leitung", "leitung_informieren", LEITUNG),
    ("insofa_kleve", "insofa_beratung", BERATUNG),
    ("kita_leitung", "vorgehen_festlegen", VORGEHEN),
    ("kita_leitung", "meldung_jugendamt", MELDUNG),
]
CHILDREN = [
    {"vorname": f"Kind{i}", "nachname": "Zweiknoten", "geburtsdatum": "2019-04-0" + str(i), "wohnort_gemeinde": "Goch"}
    for i in range(1, 4)
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class NodeDown(Exception):
    pass


def _call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - a local test URL
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, cut off mid-answer
        raise NodeDown(base) from exc


class Balancer:
    """Round robin over the live nodes; a node that does not answer is taken out and the request
    goes to the next one (as a load balancer's retry would: the client never saw an answer)."""

    def __init__(self, nodes: list[str]) -> None:
        self.nodes = list(nodes)
        self.turn = 0
        self.lock = threading.Lock()

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any, str]:
        """(status, body, the node that answered)."""
        while True:
            with self.lock:
                assert self.nodes, "no web node left"
                base = self.nodes[self.turn % len(self.nodes)]
                self.turn += 1
            try:
                return (*_call(base, method, path, token, body), base)
            except NodeDown:
                with self.lock:
                    if base in self.nodes:
                        self.nodes.remove(base)


def _wait_ready(base: str, processes: list[subprocess.Popen[bytes]], timeout: float = 120) -> None:
    """Start-up of a node takes seconds when idle but over 30 s on a machine loaded by parallel runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in processes), "a node exited during start-up"
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} not ready in {timeout} s")


def _start(args: list[Any], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A node in the background, its stderr (the JSON log lines) in `log` for a failing run."""
    with log.open("wb") as stderr:
        return subprocess.Popen(args, cwd=log.parent, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


@pytest.fixture
def database_url(pg_cluster) -> Iterator[str]:
    """PostgreSQL only: row locks across processes are what this test is about."""
    pg_cluster.create_database("two_nodes")
    yield pg_cluster.url("two_nodes")
    pg_cluster.drop_database("two_nodes")


@pytest.fixture
def deployment(world, database_url: str, instance: Path, tmp_path: Path):
    """The world's database and instance folder (keys made by the fixture), served by the real processes."""
    tokens = {}
    with world.engine.writing() as uow:  # issued "now": the served nodes read the system clock, tokens expire
        for user, _, _ in JOURNEY:
            tokens[user] = api_tokens.issue_token(uow.session, world.actors[user].username, SystemClock().now())
        uow.commit()
    world.engine.db.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHUTZPFAD_")}
    env.update(
        SCHUTZPFAD_DATABASE_URL=database_url,
        SCHUTZPFAD_INSTANCE=str(instance),
        SCHUTZPFAD_SECRET_KEY="two-nodes-test",
    )
    ports = [_free_port(), _free_port()]
    gunicorn = [BIN / "gunicorn", "web.wsgi:app", "--workers", "1", "--threads", "4"]
    web = [_start([*gunicorn, "--bind", f"127.0.0.1:{port}"], env, tmp_path / f"web-{port}.log") for port in ports]
    worker = _start([BIN / "schutzpfad", "worker"], env, tmp_path / "worker.log")
    try:
        nodes = [f"http://127.0.0.1:{port}" for port in ports]
        for node in nodes:
            _wait_ready(node, [*web, worker])  # ready includes the worker's heartbeat
        yield nodes, web, worker, tokens
    finally:
        for process in [*web, worker]:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)


def test_two_web_nodes_and_a_worker_lose_no_acknowledged_step_when_a_node_dies(deployment):
    nodes, web, worker, tokens = deployment
    balancer = Balancer(nodes)
    acknowledged: list[tuple[int, str, str]] = []  # case, step, the node that acknowledged it
    opened: list[int] = []
    failures: list[str] = []

    def journey(child: dict[str, str]) -> None:
        status, case, _ = balancer.call(
            "POST", "/api/v1/cases", tokens["kita_fk"], {"process": "traeger_8a", "child": child}
        )
        if status != 201:
            failures.append(f"open: {status} {case}")
            return
        opened.append(case["id"])
        for user, key, values in JOURNEY:
            _, view, _ = balancer.call("GET", f"/api/v1/cases/{case['id']}", tokens[user])
            task = next((t["id"] for t in view["open_tasks"] if t["task"] == key), None)
            if task is None:  # done by a request whose answer the killed node never sent
                assert key in {h["task"] for h in view["history"]}
                continue
            status, body, node = balancer.call("POST", f"/api/v1/tasks/{task}/complete", tokens[user], values)
            if status == 200:
                acknowledged.append((case["id"], key, node))
            elif status != 409:  # 409: the retry of a step the dead node had committed
                failures.append(f"{key}: {status} {body}")

    threads = [threading.Thread(target=journey, args=(child,)) for child in CHILDREN]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not any(node == nodes[1] for _, _, node in acknowledged) and time.monotonic() < deadline:
        time.sleep(0.02)
    web[1].send_signal(signal.SIGKILL)  # mid-run: requests may be in flight on it
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert balancer.nodes == [nodes[0]] and web[1].wait(5) == -signal.SIGKILL

    survivor = nodes[0]
    for case_id in opened:
        _, view = _call(survivor, "GET", f"/api/v1/cases/{case_id}", tokens["kita_leitung"])
        done = {h["task"] for h in view["history"]}
        assert {key for cid, key, _ in acknowledged if cid == case_id} <= done
        assert {key for _, key, _ in JOURNEY} <= done and len(view["links"]) == 1  # reported to the Jugendamt
    assert len(opened) >= len(CHILDREN)
    assert any(node == nodes[1] for _, _, node in acknowledged)  # the dead node's acknowledgements count too

    worker.send_signal(signal.SIGTERM)  # systemd's stop: the scheduler shuts down, exit 0
    assert worker.wait(timeout=15) == 0
