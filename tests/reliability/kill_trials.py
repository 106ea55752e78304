"""SIGKILL trials and races against a live server (tests/reliability/live_server.py).

A trial: the server is (re)started; the last trial's work is checked; two drivers take Kita cases
through the Meldung to the Jugendamt's Eingang, step by step over the API; after a random moment the
server is SIGKILLed mid-work. A step is *acknowledged* when the server answered 2xx. After the restart:
- lost: an acknowledged step that is not in its case's history;
- inconsistent: a case whose history is not a prefix of the procedure, whose open tasks are not the
  next step, whose Meldung has not exactly one Jugendamt case, or whose audit trail's `task.completed`
  events differ from its history (a step must commit with its audit entries, or not at all);
- the audit chain verifies (API every `verify_every` trials, and `schutzpfad audit verify` at the end).
A step whose request was cut off may or may not have happened; the drivers read the case and go on
from what the server says — which is also what a user does after a crash.

A race: one task, `contenders` simultaneous completions; exactly one 200, the rest 409 problem+json.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.reliability.live_server import Answer, LiveServer, ServerGone
from tests.support.cases import BEOBACHTUNG
from tests.support.file_journey import BERATUNG, EINGANG, LEITUNG, MELDUNG, VORGEHEN

#: the Träger's steps (user, task, values), then the Jugendamt's
TRAEGER_STEPS = (
    ("kita_fk", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
    ("kita_leitung", "leitung_informieren", LEITUNG),
    ("insofa_kleve", "insofa_beratung", BERATUNG),
    ("kita_leitung", "vorgehen_festlegen", VORGEHEN),
    ("kita_leitung", "meldung_jugendamt", MELDUNG),
)
JUGENDAMT_STEPS = (("goch_fk", "eingang_erfassen", EINGANG),)
#: who reads each side (case view) and its audit trail
READER = {"traeger": "kita_leitung", "jugendamt": "goch_fk"}
AUDITOR = {"traeger": "kita_revision", "jugendamt": "goch_revision"}
REASON = "Zuverlaessigkeitspruefung nach Absturz"


def _child(n: int) -> dict[str, Any]:
    return {"vorname": "Kim", "nachname": f"Versuch{n}", "geburtsdatum": "2019-01-02", "wohnort_gemeinde": "Goch"}


@dataclass
class Figures:
    trials: int = 0
    acknowledged: int = 0
    cut_off: int = 0  # requests that got no answer (the kill landed during them)
    lost: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # answers other than the procedure's (5xx …)
    chain_checks: int = 0
    chain_failures: list[str] = field(default_factory=list)
    cases: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "trials": self.trials,
            "acknowledged_steps": self.acknowledged,
            "cut_off_requests": self.cut_off,
            "cases": self.cases,
            "lost": len(self.lost),
            "inconsistent": len(self.inconsistent),
            "unexpected_answers": len(self.unexpected),
            "chain_checks": self.chain_checks,
            "chain_failures": len(self.chain_failures),
            "first_problems": (self.lost + self.inconsistent + self.unexpected + self.chain_failures)[:5],
        }


@dataclass
class Flow:
    """One driver's current Kita case and, after the Meldung, its Jugendamt case."""

    traeger: int | None = None
    jugendamt: int | None = None


class Trials:
    def __init__(
        self, server: LiveServer, seed: int = 0, drivers: int = 3, window: tuple[float, float] = (0.05, 1.5)
    ) -> None:
        self.server = server
        self.random = random.Random(seed)
        self.flows = [Flow() for _ in range(drivers)]
        self.window = window  # seconds of driving before the kill: uniform in [low, high]
        self.figures = Figures()
        #: every acknowledged step ever: (side, case id, task key or "opened")
        self.acks: list[tuple[str, int, str]] = []
        self._pending: list[tuple[str, int, str]] = []  # acknowledged in the running trial
        self._lock = threading.Lock()
        self._children = 0

    # --- driving --------------------------------------------------------------------------------
    def _api(self, method: str, path: str, user: str, body: Any = None) -> Answer:
        return self.server.client.api(method, path, user, body)

    def _ack(self, side: str, case_id: int, what: str) -> None:
        with self._lock:
            self._pending.append((side, case_id, what))

    def _unexpected(self, what: str, answer: Answer) -> None:
        with self._lock:
            self.figures.unexpected.append(f"{what}: {answer.status} {str(answer.body)[:300]}")

    def _step(self, flow: Flow) -> None:
        """One state change of `flow`, chosen from what the server says now."""
        if flow.traeger is None:
            with self._lock:
                self._children += 1
                n = self._children
            answer = self._api("POST", "/cases", "kita_fk", {"process": "traeger_8a", "child": _child(n)})
            if answer.status != 201:
                return self._unexpected("open", answer)
            flow.traeger = answer.body["id"]
            self._ack("traeger", answer.body["id"], "opened")
            return
        side, case_id, steps = (
            ("jugendamt", flow.jugendamt, JUGENDAMT_STEPS)
            if flow.jugendamt is not None
            else ("traeger", flow.traeger, TRAEGER_STEPS)
        )
        view = self._api("GET", f"/cases/{case_id}", READER[side])
        if view.status != 200:
            return self._unexpected(f"view {case_id}", view)
        done = len(view.body["history"])
        if done == len(steps):
            if side == "traeger":
                flow.jugendamt = view.body["links"][0]["case_id"]
            else:
                flow.traeger = flow.jugendamt = None
            return
        user, key, values = steps[done]
        task = next(t["id"] for t in view.body["open_tasks"] if t["task"] == key)
        answer = self._api("POST", f"/tasks/{task}/complete", user, values)
        if answer.status != 200:
            return self._unexpected(f"{key} of {case_id}", answer)
        self._ack(side, case_id, key)

    def _drive(self, flow: Flow, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._step(flow)
            except ServerGone:
                with self._lock:
                    self.figures.cut_off += 1
                return
            except (KeyError, IndexError, StopIteration, TypeError) as error:
                with self._lock:
                    self.figures.inconsistent.append(f"driver could not read the case: {error!r}")
                return

    # --- checking -------------------------------------------------------------------------------
    def _check_case(self, side: str, case_id: int, audit: bool = True) -> dict[str, Any] | None:
        steps = TRAEGER_STEPS if side == "traeger" else JUGENDAMT_STEPS
        view = self._api("GET", f"/cases/{case_id}", READER[side])
        if view.status != 200:
            self.figures.inconsistent.append(f"{side} case {case_id} unreadable: {view.status}")
            return None
        done = [h["task"] for h in view.body["history"]]
        keys = [key for _, key, _ in steps]
        wrong = []
        if done != keys[: len(done)]:
            wrong.append(f"history {done} is not a prefix of {keys}")
        open_keys = [t["task"] for t in view.body["open_tasks"]]
        if len(done) < len(keys) and open_keys != [keys[len(done)]]:
            wrong.append(f"after {done} open tasks are {open_keys}")
        if side == "traeger":
            links = [link for link in view.body["links"] if link["relation"] == "meldung_an"]
            expected_links = 1 if "meldung_jugendamt" in done else 0
            if len(links) != expected_links:
                wrong.append(f"{len(links)} Meldung links after {done}")
        if audit:
            wrong.extend(self._audit_mismatch(side, case_id, done))
        self.figures.inconsistent.extend(f"{side} case {case_id}: {w}" for w in wrong)
        return view.body

    def _audit_mismatch(self, side: str, case_id: int, done: list[str]) -> list[str]:
        wrong = []
        trail = self._api("GET", f"/cases/{case_id}/audit?reason={REASON.replace(' ', '+')}", AUDITOR[side])
        if trail.status != 200:
            wrong.append(f"audit trail unreadable: {trail.status}")
        else:
            audited = [e["payload"]["task"] for e in trail.body if e["type"] == "task.completed"]
            created = sum(1 for e in trail.body if e["type"] == "case.created")
            if audited != done:
                wrong.append(f"audited completions {audited} != history {done}")
            if created != 1:
                wrong.append(f"{created} case.created events")
        return wrong

    def _check(self, acks: list[tuple[str, int, str]], audit: bool = True) -> None:
        """After a restart: every acknowledged step of `acks` there; every case touched consistent
        (with `audit`: its audit trail too — each trial does; the final sweep over all cases not)."""
        cases = {(side, case_id) for side, case_id, _ in acks}
        for flow in self.flows:
            cases |= {("traeger", flow.traeger)} if flow.traeger is not None else set()
            cases |= {("jugendamt", flow.jugendamt)} if flow.jugendamt is not None else set()
        views = {case: self._check_case(*case, audit=audit) for case in sorted(cases)}
        for side, case_id, what in acks:
            view = views[(side, case_id)]
            if view is None or (what != "opened" and what not in [h["task"] for h in view["history"]]):
                self.figures.lost.append(f"{side} case {case_id}: {what}")

    def verify_chain(self) -> None:
        self.figures.chain_checks += 1
        answer = self._api("GET", "/audit/verify", "kita_revision")
        if answer.status != 200 or not answer.body.get("ok"):
            self.figures.chain_failures.append(f"{answer.status} {answer.body}")

    # --- the loop -------------------------------------------------------------------------------
    def trial(self) -> None:
        """Drive until a random moment, SIGKILL, restart, check what was acknowledged."""
        stop = threading.Event()
        threads = [threading.Thread(target=self._drive, args=(flow, stop)) for flow in self.flows]
        for thread in threads:
            thread.start()
        time.sleep(self.random.uniform(*self.window))
        code = self.server.kill()
        stop.set()
        for thread in threads:
            thread.join(120)
        if code != -9:
            self.figures.inconsistent.append(f"server ended with {code}, not by the SIGKILL")
        self.figures.trials += 1
        self.server.start()
        with self._lock:
            pending, self._pending = self._pending, []
        self.figures.acknowledged += len(pending)
        self.acks.extend(pending)
        self._check(pending)

    def run(
        self, trials: int, deadline: float | None = None, progress: Callable[[Figures], None] | None = None
    ) -> Figures:
        """`trials` trials, fewer if the monotonic `deadline` passes first; the chain verified ten
        times along the way and at the end; `progress` told every 50 trials."""
        verify_every = max(1, trials // 10)
        self.server.start()
        for n in range(trials):
            self.trial()
            if (n + 1) % verify_every == 0:
                self.verify_chain()
            if progress and (n + 1) % 50 == 0:
                progress(self.figures)
            if deadline is not None and time.monotonic() > deadline:
                break
        self.verify_chain()
        self._check(self.acks, audit=False)  # at the end, every acknowledged step of every trial once more
        self.figures.cases = len({(side, case_id) for side, case_id, _ in self.acks})
        return self.figures


@dataclass
class RaceFigures:
    rounds: int = 0
    contenders: int = 0
    single_winner: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "contenders_per_round": self.contenders,
            "exactly_one_winner": self.single_winner,
            "failures": len(self.failures),
        }


def _contend(server: LiveServer, task: str, contenders: int) -> list[Answer | None]:
    """`contenders` threads complete `task` at the same instant (a barrier); their answers."""
    barrier = threading.Barrier(contenders)
    answers: list[Answer | None] = [None] * contenders

    def contend(i: int) -> None:
        barrier.wait()
        answers[i] = server.client.api("POST", f"/tasks/{task}/complete", "kita_fk", BEOBACHTUNG)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def race(server: LiveServer, rounds: int, contenders: int = 12) -> RaceFigures:
    """Each round: a fresh case; `contenders` threads complete its first task at the same instant."""
    figures = RaceFigures(contenders=contenders)
    for n in range(rounds):
        child = _child(1_000_000 + n)
        case_id = server.client.api("POST", "/cases", "kita_fk", {"process": "traeger_8a", "child": child}).body["id"]
        task = server.client.api("GET", f"/cases/{case_id}", "kita_fk").body["open_tasks"][0]["id"]
        answers = _contend(server, task, contenders)
        statuses = Counter(a.status if a else None for a in answers)
        clean = all(
            a is not None and (a.status == 200 or a.content_type == "application/problem+json") for a in answers
        )
        history = [h["task"] for h in server.client.api("GET", f"/cases/{case_id}", "kita_fk").body["history"]]
        figures.rounds += 1
        if statuses == Counter({200: 1, 409: contenders - 1}) and clean and history == ["anhaltspunkte_dokumentieren"]:
            figures.single_winner += 1
        else:
            figures.failures.append(f"case {case_id}: {dict(statuses)}, problem+json={clean}, history={history}")
    return figures
