"""Tests for the throw-away PostgreSQL cluster helper (tests/support/pg_cluster.py).

Why: every PostgreSQL test in the suite rests on this helper, so it must prove
that it really starts a usable server, leaves nothing behind (no folder, no
process, no open port) and fails loudly — never silently — in CI when the
binaries are missing.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.support import pg_cluster
from tests.support.pg_cluster import (
    EXTERNAL_URL_ENV,
    PG_BIN_ENV,
    PgCluster,
    PgClusterError,
    find_pg_bin,
    pg_unavailable_reason,
)


@pytest.fixture
def own_cluster_possible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip locally / fail in CI when this machine cannot run its own cluster.

    These tests exercise the self-started cluster, so an external server from
    ``$SCHUTZPFAD_TEST_PG_URL`` is ignored; if one is configured the suite does
    not need local binaries, and the tests skip rather than fail.
    """
    external = bool(os.environ.get(EXTERNAL_URL_ENV))
    monkeypatch.delenv(EXTERNAL_URL_ENV, raising=False)
    reason = pg_unavailable_reason()
    if reason is None:
        return
    if pg_cluster.in_ci() and not external:
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


def _tcp_port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------- without a server


def _fake_bin(folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        exe = folder / name
        exe.write_text("#!/bin/sh\nexit 0\n")
        exe.chmod(0o755)
    return folder


def test_find_pg_bin_override_needs_all_three_binaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    complete = _fake_bin(tmp_path / "complete", ("initdb", "pg_ctl", "postgres"))
    wrapper_only = _fake_bin(tmp_path / "wrappers", ("initdb", "pg_ctl"))

    monkeypatch.setenv(PG_BIN_ENV, str(complete))
    assert find_pg_bin() == complete

    monkeypatch.setenv(PG_BIN_ENV, str(wrapper_only))
    assert find_pg_bin() is None


def test_unavailable_reason_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EXTERNAL_URL_ENV, raising=False)
    monkeypatch.setattr(pg_cluster, "find_pg_bin", lambda: None)
    reason = pg_unavailable_reason()
    assert reason is not None
    assert "`postgresql`" in reason

    with pytest.raises(PgClusterError, match="`postgresql`"):
        PgCluster().start()


def test_ci_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert pg_cluster.in_ci()
    monkeypatch.setenv("CI", "false")
    assert not pg_cluster.in_ci()
    monkeypatch.delenv("CI")
    assert not pg_cluster.in_ci()


def test_external_server_is_used_instead_of_starting_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTERNAL_URL_ENV, "postgresql://app:s3cret@db.example:5433/admin")
    monkeypatch.setattr(pg_cluster, "find_pg_bin", lambda: None)  # binaries are not needed then
    assert pg_unavailable_reason() is None

    with PgCluster() as pg:
        assert pg.is_external and pg.running and pg.base_dir is None
        assert pg.url("sp_x") == "postgresql+psycopg://app:s3cret@db.example:5433/sp_x"
        assert pg.conninfo() == "postgresql://app:s3cret@db.example:5433/admin"
        assert "s3cret" not in repr(pg)
    assert not pg.running


def test_url_rejects_unsafe_database_names() -> None:
    pg = PgCluster(external_url="postgresql+psycopg://u@h/d")
    for bad in ("", "a b", "x/y", "q?host=evil", "x" * 64):
        with pytest.raises(ValueError):
            pg.url(bad)


# --------------------------------------------------------------------------- with a real server


@pytest.mark.usefixtures("own_cluster_possible")
def test_cluster_lifecycle() -> None:
    pg = PgCluster()
    started = time.perf_counter()
    with pg:
        start_seconds = time.perf_counter() - started
        base = pg.socket_dir
        port = pg.port
        assert port is not None
        assert pg.socket_file.exists()
        postmaster_pid = int((pg.data_dir / "postmaster.pid").read_text().splitlines()[0])
        # Unix socket only: nothing may listen on the network.
        assert not _tcp_port_open(port)
        assert pg.url("sp_a") == f"postgresql+psycopg://postgres@/sp_a?host={base}&port={port}"

        for name in ("sp_a", "sp_b"):
            pg.create_database(name)
            engine = create_engine(pg.url(name))
            try:
                with engine.connect() as conn:
                    assert conn.execute(text("select 1")).scalar_one() == 1
                    assert conn.execute(text("select current_database()")).scalar_one() == name
            finally:
                engine.dispose()

        # Dropping must work even while a pooled connection is still open.
        engine = create_engine(pg.url("sp_b"))
        conn = engine.connect()
        try:
            pg.drop_database("sp_b")
        finally:
            conn.invalidate()
            conn.close()
            engine.dispose()
        pg.drop_database("sp_b")  # idempotent
        stopped = time.perf_counter()
    stop_seconds = time.perf_counter() - stopped

    assert not pg.running
    assert not base.exists()
    assert _wait_gone(postmaster_pid), "postmaster still running after stop()"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"host={base} port={port} user=postgres dbname=postgres", connect_timeout=2)
    assert not _tcp_port_open(port)
    pg.stop()  # idempotent
    print(f"pg cluster: start {start_seconds:.2f}s, stop {stop_seconds:.2f}s")


class _BrokenConfigCluster(PgCluster):
    """A cluster whose configuration the server rejects, to exercise the failure path."""

    seen_dir: Path | None = None

    def _initdb(self, pg_bin: Path) -> None:
        self.seen_dir = self.base_dir
        super()._initdb(pg_bin)
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("max_connections = -5\n")


@pytest.mark.usefixtures("own_cluster_possible")
def test_failed_start_reports_log_tail_and_cleans_up() -> None:
    pg = _BrokenConfigCluster()
    with pytest.raises(PgClusterError, match=r"(?s)pg_ctl start failed.*max_connections") as info:
        pg.start()
    assert "tail of" in str(info.value)
    assert pg.base_dir is None and not pg.running
    assert pg.seen_dir is not None and not pg.seen_dir.exists()
