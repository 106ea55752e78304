"""A throw-away PostgreSQL cluster for the test suite.

Why this exists: the persistence and API tests must run against SQLite *and*
PostgreSQL, and ``make test`` has to work on a fresh machine (and in CI) without
a pre-configured database server.  So the suite starts its own server:
``initdb`` into a temporary folder, ``pg_ctl start`` on a private Unix socket,
``pg_ctl stop -m immediate`` and ``rm -rf`` at the end.

Design notes:

* Plain Python, no pytest import: ``tests/conftest.py`` decides how to react to
  :func:`pg_unavailable_reason` (skip locally, fail in CI) and drives
  :class:`PgCluster` from a session fixture.
* ``initdb`` refuses to run as root, so as root the temporary folder is handed to
  the ``postgres`` system user and every server command runs through
  ``runuser -u postgres --`` (falling back to ``su postgres -c``).
* No TCP listener (``listen_addresses = ''``): the server is reachable only via
  the socket inside its own folder, so parallel test runs cannot collide and
  nothing is exposed on the network.  The port number still matters because
  it names the socket file (``.s.PGSQL.<port>``).
* Durability is switched off (``fsync``, ``synchronous_commit``,
  ``full_page_writes``) — the data is thrown away anyway, and it makes the
  suite markedly faster.
* Safety nets against leaked servers: :meth:`PgCluster.stop` is idempotent and
  registered with :mod:`atexit` (covers Ctrl-C / normal exit), and every start
  first reaps clusters left behind by test processes that no longer exist
  (covers ``kill -9``).
* ``SCHUTZPFAD_TEST_PG_URL`` points the suite at an existing server instead
  (e.g. a CI service container); then no cluster is started and URLs are built
  from that one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from sqlalchemy.engine import URL, make_url

__all__ = [
    "EXTERNAL_URL_ENV",
    "PG_BIN_ENV",
    "PgCluster",
    "PgClusterError",
    "find_pg_bin",
    "in_ci",
    "pg_unavailable_reason",
]

#: Use an already running server instead of starting one (SQLAlchemy URL; its database part is replaced).
EXTERNAL_URL_ENV = "SCHUTZPFAD_TEST_PG_URL"
#: Optional override: a directory holding ``initdb``, ``pg_ctl`` and ``postgres``.
PG_BIN_ENV = "SCHUTZPFAD_PG_BIN"

_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
_SERVICE_USER = "postgres"
_SUPERUSER = "postgres"
_DIR_PREFIX = "schutzpfad-pg-"
_OWNER_FILE = "owner.pid"
# sockaddr_un.sun_path is 108 bytes on Linux; ".s.PGSQL.65535.lock" needs room too.
_MAX_SOCKET_DIR_LEN = 80
_LOG_TAIL_LINES = 40

_INSTALL_HINT = (
    "install the Debian package `postgresql` (apt-get install postgresql) "
    f"or set {EXTERNAL_URL_ENV} to an existing server"
)


class PgClusterError(RuntimeError):
    """Starting or driving the throw-away cluster failed; the message carries the evidence."""


# --------------------------------------------------------------------------- discovery


def in_ci() -> bool:
    """True when running in CI, where a missing PostgreSQL must fail the run instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _is_pg_bin_dir(path: Path) -> bool:
    """A usable bin dir has all three real binaries side by side (wrappers usually do not)."""
    return all((path / name).is_file() and os.access(path / name, os.X_OK) for name in _REQUIRED_BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<version>/bin`` so that 15 beats 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (-1,)


def find_pg_bin() -> Path | None:
    """Locate the directory of the real PostgreSQL server binaries, or None.

    Order: ``$SCHUTZPFAD_PG_BIN``; the highest ``/usr/lib/postgresql/*/bin``
    (Debian/Ubuntu layout); then ``pg_ctl`` on ``PATH`` with symlinks resolved,
    because ``/usr/local/bin/pg_ctl`` and friends may be links or wrapper scripts
    whereas the directory we need must also contain ``postgres`` itself; finally
    ``pg_config --bindir``.
    """
    override = os.environ.get(PG_BIN_ENV)
    if override:
        path = Path(override)
        return path if _is_pg_bin_dir(path) else None

    debian = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if _is_pg_bin_dir(p)),
        key=_version_key,
        reverse=True,
    )
    if debian:
        return debian[0]

    on_path = shutil.which("pg_ctl")
    if on_path:
        for candidate in (Path(on_path).resolve().parent, Path(on_path).parent):
            if _is_pg_bin_dir(candidate):
                return candidate

    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out and _is_pg_bin_dir(Path(out)):
                return Path(out)
    return None


def _is_root() -> bool:
    return os.geteuid() == 0


def _service_user_exists() -> bool:
    try:
        pwd.getpwnam(_SERVICE_USER)
    except KeyError:
        return False
    return True


def pg_unavailable_reason() -> str | None:
    """Why a throw-away cluster cannot be used here, or None if it can.

    The message always names the Debian package ``postgresql`` so that a CI
    failure tells the reader what to install.  Returns None when
    ``$SCHUTZPFAD_TEST_PG_URL`` is set, because then no binaries are needed.
    """
    if os.environ.get(EXTERNAL_URL_ENV):
        return None
    if find_pg_bin() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in "
            f"${PG_BIN_ENV}, /usr/lib/postgresql/*/bin or on PATH; {_INSTALL_HINT}"
        )
    if _is_root():
        if not _service_user_exists():
            return (
                f"running as root but there is no '{_SERVICE_USER}' system user to run initdb as "
                f"(initdb refuses root); {_INSTALL_HINT} (it creates that user)"
            )
        if not (shutil.which("runuser") or shutil.which("su")):
            return "running as root but neither runuser nor su is available to drop to the postgres user"
    return None


# --------------------------------------------------------------------------- helpers


_DBNAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,62}")


def _check_dbname(name: str) -> None:
    """Keep names URL- and SQL-safe: SQLAlchemy renders the database part of a URL unescaped."""
    if not _DBNAME_RE.fullmatch(name):
        raise ValueError(f"database name must match {_DBNAME_RE.pattern}: {name!r}")


def _free_port() -> int:
    """Ask the kernel for an unused port; it only names the socket file, so a race is harmless."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_service_user(cmd: Sequence[str]) -> list[str]:
    """Wrap *cmd* so it runs as the postgres user when we are root (initdb refuses root)."""
    if not _is_root():
        return list(cmd)
    if shutil.which("runuser"):
        return ["runuser", "-u", _SERVICE_USER, "--", *cmd]
    return ["su", _SERVICE_USER, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _run(cmd: Sequence[str], *, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a server command as the right user; cwd is a folder that user can enter."""
    return subprocess.run(
        _as_service_user(cmd),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def _temp_parent() -> Path:
    """Where to put cluster folders: reachable by the postgres user and short enough for a socket path.

    As root, ``$TMPDIR`` may live under ``/root`` which the postgres user cannot
    traverse, so ``/tmp`` is used there.
    """
    parent = Path(tempfile.gettempdir())
    if _is_root() or len(str(parent)) > _MAX_SOCKET_DIR_LEN - 30:
        parent = Path("/tmp")
    return parent


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap_stale_clusters(pg_bin: Path) -> None:
    """Stop and delete clusters whose owning test process is gone (e.g. killed with SIGKILL).

    Folders without an owner file are skipped: they may belong to a run that is
    being set up right now.
    """
    for folder in _temp_parent().glob(f"{_DIR_PREFIX}*"):
        owner_file = folder / _OWNER_FILE
        try:
            owner = int(owner_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if _pid_alive(owner):
            continue
        data = folder / "data"
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                _run(
                    [str(pg_bin / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w"],
                    cwd=folder,
                    timeout=30,
                )
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- the cluster


class PgCluster:
    """One throw-away PostgreSQL server (or a handle on an external one).

    Usage::

        with PgCluster() as pg:
            pg.create_database("t1")
            engine = create_engine(pg.url("t1"))

    ``start()`` and ``stop()`` may also be called directly; ``stop()`` is
    idempotent and also runs at interpreter exit if the caller never gets to it.
    """

    def __init__(self, external_url: str | None = None, pg_bin: Path | None = None) -> None:
        """Prepare (but do not start) a cluster.

        *external_url* defaults to ``$SCHUTZPFAD_TEST_PG_URL``; when given, no
        server is started and :meth:`url` swaps the database name into it.
        *pg_bin* defaults to :func:`find_pg_bin`, resolved lazily at start.
        """
        raw = external_url if external_url is not None else os.environ.get(EXTERNAL_URL_ENV) or None
        self.external_url: URL | None = make_url(raw) if raw else None
        # CREATE/DROP DATABASE go through the database named in the external URL (the
        # account may not be allowed into "postgres"); our own cluster always has "postgres".
        self.admin_dbname = (self.external_url.database if self.external_url else None) or "postgres"
        self._pg_bin = pg_bin
        self.base_dir: Path | None = None
        self.port: int | None = None
        self._running = False
        self._atexit_registered = False
        self._owner_pid = os.getpid()

    # -- paths ----------------------------------------------------------------

    @property
    def is_external(self) -> bool:
        """True when this handle uses ``$SCHUTZPFAD_TEST_PG_URL`` instead of its own server."""
        return self.external_url is not None

    @property
    def running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        return self._running

    @property
    def socket_dir(self) -> Path:
        """Directory holding the Unix socket (the cluster's temp folder)."""
        if self.base_dir is None:
            raise PgClusterError("cluster not started")
        return self.base_dir

    @property
    def data_dir(self) -> Path:
        return self.socket_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.socket_dir / "server.log"

    @property
    def socket_file(self) -> Path:
        """The ``.s.PGSQL.<port>`` socket; it disappears when the server stops."""
        return self.socket_dir / f".s.PGSQL.{self.port}"

    # -- URLs -----------------------------------------------------------------

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) for database *dbname* on this server.

        For our own cluster: ``postgresql+psycopg://postgres@/<dbname>?host=<socket dir>&port=<port>``.
        """
        _check_dbname(dbname)
        if self.external_url is not None:
            url = self.external_url.set(drivername="postgresql+psycopg", database=dbname)
        elif not self._running:
            raise PgClusterError("cluster not started")
        else:
            # Spelled out rather than URL.create(), which would percent-encode the socket path
            # and make the URL needlessly hard to read in logs and error messages.
            return (
                f"postgresql+psycopg://{_SUPERUSER}@/{dbname}"
                f"?host={quote(str(self.socket_dir), safe='/')}&port={self.port}"
            )
        return url.render_as_string(hide_password=False)

    def conninfo(self, dbname: str | None = None) -> str:
        """libpq URI for *dbname* (default: the admin database), for talking to the server via psycopg."""
        url = make_url(self.url(dbname or self.admin_dbname))
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    # -- databases ------------------------------------------------------------

    def _admin(self) -> psycopg.Connection[TupleRow]:
        # CREATE/DROP DATABASE cannot run inside a transaction block.
        return psycopg.connect(self.conninfo(), autocommit=True, connect_timeout=10)

    def create_database(self, name: str) -> None:
        """Create an empty database *name* (fails if it exists: tests should not share state)."""
        _check_dbname(name)
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        """Drop *name* if it exists, terminating leftover connections (pooled engines keep some)."""
        _check_dbname(name)
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> PgCluster:
        """initdb + pg_ctl start; returns self.  No-op for an external server or when already running."""
        if self._running:
            return self
        if self.external_url is not None:
            self._running = True
            return self
        reason = pg_unavailable_reason() if self._pg_bin is None else None
        pg_bin = self._pg_bin or find_pg_bin()
        if reason or pg_bin is None:
            raise PgClusterError(reason or f"PostgreSQL binaries not found; {_INSTALL_HINT}")
        self._pg_bin = pg_bin
        _reap_stale_clusters(pg_bin)

        self.base_dir = Path(tempfile.mkdtemp(prefix=_DIR_PREFIX, dir=_temp_parent()))
        if len(str(self.base_dir)) > _MAX_SOCKET_DIR_LEN:
            self._cleanup_folder()
            raise PgClusterError(f"temporary folder path too long for a Unix socket: {self.base_dir}")
        (self.base_dir / _OWNER_FILE).write_text(f"{os.getpid()}\n")
        # 0755: the socket dir must be enterable by whoever connects; data/ stays 0700 (initdb sets it).
        self.base_dir.chmod(0o755)
        if _is_root():
            shutil.chown(self.base_dir, user=_SERVICE_USER, group=None)
        # From here on a server may exist: make sure it is stopped whatever happens.
        self._owner_pid = os.getpid()
        atexit.register(self._stop_at_exit)
        self._atexit_registered = True
        try:
            self._initdb(pg_bin)
            self._pg_ctl_start(pg_bin)
        except BaseException:
            self.stop()
            raise
        self._running = True
        return self

    def _initdb(self, pg_bin: Path) -> None:
        cmd = [
            str(pg_bin / "initdb"),
            f"--pgdata={self.data_dir}",
            f"--username={_SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",  # nothing here needs to survive a crash
        ]
        result = _run(cmd, cwd=self.socket_dir, timeout=180)
        if result.returncode != 0:
            raise PgClusterError(
                f"initdb failed (exit {result.returncode}): {shlex.join(cmd)}\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )
        self.port = _free_port()
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "unix_socket_permissions": "0777",
            "port": str(self.port),
            "max_connections": "100",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "logging_collector": "off",
            "log_min_messages": "warning",
            "timezone": "'UTC'",
        }
        # Appended lines win over the defaults initdb wrote earlier in the file.
        # Written as the current user (root may write anywhere; non-root owns the file).
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# --- schutzpfad test cluster ---\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _pg_ctl_start(self, pg_bin: Path) -> None:
        cmd = [
            str(pg_bin / "pg_ctl"),
            "start",
            f"--pgdata={self.data_dir}",
            f"--log={self.log_file}",
            "--wait",
            "--timeout=60",
        ]
        try:
            result = _run(cmd, cwd=self.socket_dir, timeout=90)
        except subprocess.TimeoutExpired as exc:
            raise PgClusterError(
                f"pg_ctl start timed out\n--- tail of {self.log_file} ---\n{_tail(self.log_file)}"
            ) from exc
        if result.returncode != 0:
            raise PgClusterError(
                f"pg_ctl start failed (exit {result.returncode}): {shlex.join(cmd)}\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}\n"
                f"--- tail of {self.log_file} ---\n{_tail(self.log_file)}"
            )

    def stop(self) -> None:
        """Stop the server immediately and delete its folder.  Safe to call any number of times."""
        if self._atexit_registered:
            atexit.unregister(self._stop_at_exit)
            self._atexit_registered = False
        self._running = False
        if self.base_dir is None:
            return
        pg_bin = self._pg_bin or find_pg_bin()
        if pg_bin is not None and (self.data_dir / "postmaster.pid").exists():
            cmd = [str(pg_bin / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"]
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                _run(cmd, cwd=self.socket_dir, timeout=45)
        self._cleanup_folder()

    def _stop_at_exit(self) -> None:
        """atexit hook; a forked child (which inherits the hook) must not stop its parent's server."""
        if os.getpid() == self._owner_pid:
            self.stop()

    def _cleanup_folder(self) -> None:
        if self.base_dir is not None:
            # The server removes its socket on exit; give a just-stopped postmaster a moment.
            for _ in range(3):
                shutil.rmtree(self.base_dir, ignore_errors=True)
                if not self.base_dir.exists():
                    break
                time.sleep(0.1)
        self.base_dir = None

    # -- context manager ------------------------------------------------------

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.external_url.render_as_string() if self.external_url else f"{self.base_dir}:{self.port}"
        return f"<PgCluster {where} running={self._running}>"
