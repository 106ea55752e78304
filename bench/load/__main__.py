"""`python -m bench.load [--seconds S] [--users U]` (`make load`): 50 concurrent caseworkers (locust,
loopback only, bounded in time) on the journey's mixed workload against `gunicorn web.wsgi:app` with
one and with two app processes on one throw-away PostgreSQL, each app process with its deadline
scheduler (`schutzpfad worker`) and a local SMTP sink.

Before each run, deadlines of generated open cases are moved so that their reminder and escalation
fall due during the run (and every other deadline after it); afterwards the audit trail and the
outbox are counted: each moved deadline reminded and escalated exactly once, each mail sent once.
Prints p95 per page, errors and throughput; not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from engine.accounts import tokens as api_tokens
from engine.bootstrap import build_engine, initialise
from engine.case_engine import CaseEngine
from engine.clock import SystemClock
from engine.persistence import models as m
from engine.volume.generate import generate_volume

BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CASES = 5_000
DEADLINES = 100  # moved to fall due during each run
TARGET_P95_MS = 150.0


class Sink:
    """The SMTP server the schedulers send to: counts what arrives."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(engine: CaseEngine, users: int, start_in: float, window: float) -> tuple[list[str], int]:
    """Tokens for `users` generated Träger caseworkers; DEADLINES deadlines (fewer if there are not so
    many) due within the run's window, every other open one after it; an address for every person (the
    reminders go by mail). Returns the tokens and how many deadlines were moved."""
    now = SystemClock().now()
    rng = random.Random(11)  # noqa: S311 - which deadlines, not a secret
    with engine.writing() as uow:
        session = uow.session
        names = session.execute(
            select(m.User.username)
            .join(m.Membership, m.Membership.user_id == m.User.id)
            .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
            .where(m.Organisation.kind == "traeger", m.Membership.role == "fachkraft", m.User.username.like("gen.%"))
            .order_by(m.User.id)
            .limit(users)
        ).scalars()
        tokens = [api_tokens.issue_token(session, name, now) for name in names]
        session.execute(update(m.User).where(m.User.email.is_(None)).values(email=m.User.username + "@load.example"))
        open_ = session.execute(select(m.Deadline.id).where(m.Deadline.state == "pending", m.Deadline.kind == "task"))
        population = list(open_.scalars())
        chosen = set(rng.sample(population, min(DEADLINES, len(population))))
        later = now + timedelta(days=30)
        session.execute(
            update(m.Deadline)
            .where(m.Deadline.state.in_(("pending", "reminded")), m.Deadline.id.not_in(chosen))
            .values(remind_at=later, due_at=later, next_at=later)
        )
        for deadline_id in chosen:
            remind = now + timedelta(seconds=start_in + rng.uniform(0, window / 2))
            due = remind + timedelta(seconds=rng.uniform(1, window / 2))
            session.execute(
                update(m.Deadline)
                .where(m.Deadline.id == deadline_id)
                .values(remind_at=remind, due_at=due, next_at=remind)
            )
        uow.commit()
    return tokens, len(chosen)


def _counts(engine: CaseEngine) -> dict[str, int]:
    with engine.work() as (uow, _):
        types = [
            e.type
            for e in engine.vault.read(uow.session.connection(), types=["deadline.reminder", "deadline.escalated"])
        ]
        session = uow.session
        return {
            "reminders": types.count("deadline.reminder"),
            "escalations": types.count("deadline.escalated"),
            "mails": session.query(m.Notification).count(),
            "mails sent": session.query(m.Notification).filter(m.Notification.sent_at.is_not(None)).count(),
            "mails sent twice or more": session.query(m.Notification).filter(m.Notification.attempts > 1).count(),
        }


def _wait_ready(base: str, processes: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a process exited during start-up")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{base} not ready in {timeout} s")


def _stats(prefix: Path, kind: str = "stats") -> list[dict[str, str]]:
    """Locust's CSV of a run: `stats` per page, `failures` per page and error."""
    with (prefix.parent / f"{prefix.name}_{kind}.csv").open() as f:
        return list(csv.DictReader(f))


def run_once(url: str, instance: Path, processes: int, users: int, seconds: int, folder: Path) -> dict[str, Any]:
    engine = build_engine(url, SystemClock(), instance)
    before = _counts(engine)
    tokens, moved = _prepare(engine, users, start_in=15, window=seconds - 10)
    token_file = folder / f"tokens-{processes}"
    token_file.write_text("\n".join(tokens))
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHUTZPFAD_")}
    env.update(
        SCHUTZPFAD_DATABASE_URL=url,
        SCHUTZPFAD_INSTANCE=str(instance),
        SCHUTZPFAD_SECRET_KEY=secrets.token_hex(16),
        SCHUTZPFAD_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        SCHUTZPFAD_LOAD_TOKENS=str(token_file),
    )
    logs = [(folder / f"{name}-{processes}.log").open("wb") for name in ("web", "worker", "worker2")]
    web = subprocess.Popen(
        [
            BIN / "gunicorn",
            "web.wsgi:app",
            "--workers",
            str(processes),
            "--threads",
            "4",
            "--timeout",  # a worker booting on a busy machine is not a hung worker
            "120",
            # longer than a user's think time (≤ 2 s): with gunicorn's default of 2 s the server closes
            # an idle connection just as locust reuses it (ConnectionResetError, docs/operations.md)
            "--keep-alive",
            "5",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=logs[0],
    )
    workers = [
        subprocess.Popen([BIN / "schutzpfad", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=logs[1 + i])
        for i in range(processes)
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_ready(base, [web, *workers])
        except RuntimeError:
            for log in logs:
                log.flush()
                print(f"--- {log.name}", Path(log.name).read_text()[-3000:], file=sys.stderr, sep="\n")
            raise
        prefix = folder / f"locust-{processes}"
        subprocess.run(
            [
                BIN / "locust",
                "-f",
                LOCUSTFILE,
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                base,
                "--csv",
                prefix,
                "--only-summary",
            ],
            env=env,
            check=False,
            timeout=seconds + 120,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        settle = time.monotonic() + 60  # the last escalations and mails
        after = _counts(engine)
        while time.monotonic() < settle and (
            after["escalations"] - before["escalations"] < moved or after["mails sent"] < after["mails"]
        ):
            time.sleep(1)
            after = _counts(engine)
    finally:
        for process in [web, *workers]:
            process.terminate()
        for process in [web, *workers]:
            process.wait(timeout=30)
        smtp.stop()
        engine.db.dispose()
    return {
        "processes": processes,
        "stats": _stats(prefix),
        "failures": _stats(prefix, "failures"),
        "fired": {k: after[k] - before[k] for k in after},
        "received": sink.received,
        "moved": moved,
    }


def report(results: list[dict[str, Any]], users: int, seconds: int, cases: int) -> str:
    lines = [
        f"{users} users, {seconds} s per run, {cases:,} generated cases.",
        "",
    ]
    lines.append("| app processes | page | requests | errors | p95 ms | median ms | requests/s |")
    lines.append("|---|---|---|---|---|---|---|")
    for r in results:
        for row in r["stats"]:
            lines.append(
                f"| {r['processes']} | {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                f"{row['95%']} | {row['50%']} | {float(row['Requests/s']):.1f} |"
            )
    lines.append("")
    for r in results:
        f = r["fired"]
        lines.append(
            f"{r['processes']} app process(es): reminders {f['reminders']}, escalations {f['escalations']} "
            f"(of {r['moved']} deadlines due); mails written {f['mails']}, sent {f['mails sent']}, received by the "
            f"SMTP sink {r['received']}, retried {f['mails sent twice or more']}."
        )
        for failure in r["failures"]:
            lines.append(
                f"{r['processes']} app process(es), error on {failure['Name']}: {failure['Error']} "
                f"({failure['Occurrences']}×)."
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--cases", type=int, default=CASES, help="generated cases in the database")
    args = parser.parse_args(argv)
    from tests.support.pg_cluster import PgCluster  # the test suite's throw-away cluster

    with tempfile.TemporaryDirectory(prefix="schutzpfad-load-") as tmp, PgCluster() as cluster:
        folder = Path(tmp)
        instance = folder / "instance"
        instance.mkdir(mode=0o700)
        cluster.create_database("load")
        url = cluster.url("load")
        engine = build_engine(url, SystemClock(), instance, create_keys=True)
        initialise(engine)
        generate_volume(engine, cases=args.cases, seed=7, operator="load")
        engine.db.dispose()
        results = [run_once(url, instance, processes, args.users, args.seconds, folder) for processes in (1, 2)]
    print(report(results, args.users, args.seconds, args.cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
