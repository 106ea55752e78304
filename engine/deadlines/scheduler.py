"""The deadline scheduler: APScheduler only wakes the process; the deadlines are rows.

It wakes at the earliest pending instant (re-planned whenever a step arms an earlier one, and every
few seconds for steps taken on other nodes), fires what is due through the same code as
`schutzpfad deadlines run-due`, sends the mail outbox, and on start fires everything that fell due
while nothing was running. APScheduler never drops a late run here (`misfire_grace_time=None`): its
default would silently skip a job missed by more than a second. Every tick writes the heartbeat that
the readiness check of each web node reads.

One scheduler per deployment is the configuration (`serve` on one node or a `worker`; `serve
--no-scheduler` for the others), but two are safe: each firing and each mail is claimed with a
conditional UPDATE (`FOR UPDATE SKIP LOCKED` on PostgreSQL), and checkpoints serialise on the chain's
head row (two at once at worst sign the same head twice).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from engine.case_engine import CaseEngine
from engine.clock import BERLIN
from engine.retention.policy import RetentionPolicy

log = logging.getLogger(__name__)

#: Safety net for deadlines armed by another node (this node is not told about those).
POLL_SECONDS = 5
#: The audit chain's head is signed at least this often while events arrive (issue: every 60 s).
CHECKPOINT_SECONDS = 60
#: Retention (R25) runs monthly: the first of the month, at night (Europe/Berlin).
RETENTION_SCHEDULE = {"day": 1, "hour": 3, "minute": 0}


class DeadlineScheduler:
    def __init__(
        self,
        engine: CaseEngine,
        *,
        smtp_url: str | None = None,
        base_url: str = "",
        retention: RetentionPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.smtp_url = smtp_url
        self.base_url = base_url
        self.retention = retention
        self.fired: list[str] = []
        self.node = f"{socket.gethostname()}:{os.getpid()}"
        # Reentrant: a tick re-plans while holding it. It serialises ticks (so several instances of
        # the wake job may be queued without being skipped) and lets `stop` wait for a running tick.
        self._lock = threading.RLock()
        self._stopping = False
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 3}
        )

    def start(self) -> None:
        """Start-up reconciliation first (everything overdue fires now), then the regular rhythm."""
        now = datetime.now(UTC)
        self._scheduler.add_job(self.tick, "interval", seconds=POLL_SECONDS, id="poll", next_run_time=now)
        self._scheduler.add_job(self._sign_head, "interval", seconds=CHECKPOINT_SECONDS, id="checkpoint")
        if self.retention is not None:
            self._scheduler.add_job(self.run_retention, "cron", timezone=BERLIN, id="retention", **RETENTION_SCHEDULE)
        self._scheduler.start()
        self.engine.deadline_listeners.append(self.replan)

    def stop(self) -> None:
        """Wait for a running tick, then shut down. (APScheduler's `shutdown(wait=True)` holds its job
        store lock while waiting for jobs, and a tick's re-plan needs that lock: a deadlock.)"""
        self._stopping = True
        with self._lock:
            if self.replan in self.engine.deadline_listeners:
                self.engine.deadline_listeners.remove(self.replan)
            self._scheduler.shutdown(wait=False)

    def tick(self) -> None:
        with self._lock:
            if self._stopping:
                return
            try:
                self.engine.record_heartbeat(self.node)
                # Until nothing is due: what fell due while this run was busy fires now, not at a wake-up
                # that might be planned while this job still runs.
                while True:
                    fired = self.engine.run_due()
                    self.fired.extend(fired)
                    for line in fired:
                        log.info("deadline %s", line)
                    upcoming = self.engine.next_wake()
                    if not fired or upcoming is None or upcoming > self.engine.clock.now():
                        break
                if self.smtp_url:
                    self.engine.send_notifications(self.smtp_url, self.base_url)
            except Exception:  # a failing run must not stop the scheduler; the next wake retries
                log.exception("deadline run failed")
            self.replan()

    def _sign_head(self) -> None:
        try:
            self.engine.checkpoint_if_unsigned()
        except Exception:  # noqa: BLE001 - logged; the next run retries
            log.exception("audit checkpoint failed")

    def run_retention(self) -> None:
        """The monthly retention run; a second scheduler running it at once shreds nothing twice
        (each case is shredded in its own transaction, and a shredded one is skipped)."""
        if self.retention is None:
            return
        try:
            report = self.engine.run_retention(self.retention, dry_run=False, operator="scheduler")
            log.info("retention: %d due, %d shredded", len(report.due), len(report.shredded))
        except Exception:  # noqa: BLE001 - logged; next month (or `schutzpfad retention run`) retries
            log.exception("retention run failed")

    def replan(self) -> None:
        """Wake exactly at the earliest due instant (a millisecond after, for SpiffWorkflow's timers)."""
        with self._lock:
            if self._stopping or not self._scheduler.running:
                return
            wake = self.engine.next_wake()
            if wake is None:
                return
            run_date = max(wake, datetime.now(UTC)) + timedelta(milliseconds=1)
            self._scheduler.add_job(self.tick, "date", run_date=run_date, id="wake", replace_existing=True)
