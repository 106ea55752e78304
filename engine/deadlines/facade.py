"""The deadlines part of `CaseEngine`: firing what is due, the scheduler's next wake-up, the
networks' Fristen profiles, and the mail outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.deadlines import firing, notifications, profiles
from engine.engine_parts import EngineParts
from engine.transactions import Work


class DeadlinesFacade(EngineParts):
    def run_due(self, now: datetime | None = None) -> list[str]:
        """Fire every deadline due at `now` (default: the clock's now), each firing its own command;
        what the scheduler and `schutzpfad deadlines run-due` call."""
        at = now or self.clock.now()
        return firing.fire_due(lambda action: self.tx.command(action, at=at), at)

    def next_wake(self) -> datetime | None:
        return self.tx.query(firing.next_wake)

    def fristen(self, network_key: str) -> dict[str, str]:
        return self.tx.query(lambda work: profiles.profile(work.session, network_key).merged())

    def set_frist(self, network_key: str, key: str, value: str, *, operator: str) -> dict[str, str]:
        return self.tx.command(
            lambda work: profiles.set_override(work, network_key, key, value, changed_by=operator).merged()
        )

    def send_notifications(self, smtp_url: str, base_url: str) -> int:
        def run(action: Callable[[Work], Any]) -> Any:
            return self.tx.command(action)

        return notifications.send_pending(run, smtp_url, base_url)
