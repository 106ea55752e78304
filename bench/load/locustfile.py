"""The journey's mixed workload for locust (run by `python -m bench.load`, `make load`).

Each simulated caseworker is a Fachkraft of a generated Träger with an API token (given in
`SCHUTZPFAD_LOAD_TOKENS`, one per line): she looks at her inbox and her case list, searches a child
by name, opens the case page of one of her cases, and now and then documents a new case (opening it
and completing its first step) — the same calls the UI's pages make, through the JSON API.
"""

from __future__ import annotations

import itertools
import os
import random
from datetime import UTC, datetime
from pathlib import Path

from locust import HttpUser, between, task

from bench.case_journey import _beobachtung
from bench.step import CHILD

TOKENS = itertools.cycle(Path(os.environ["SCHUTZPFAD_LOAD_TOKENS"]).read_text().split())


class Caseworker(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {next(TOKENS)}"
        self.cases: list[int] = []

    @task(4)
    def inbox(self) -> None:
        self.client.get("/api/v1/tasks", name="inbox")

    @task(3)
    def case_list(self) -> None:
        response = self.client.get("/api/v1/cases", name="case list")
        if response.ok:
            self.cases = [row["id"] for row in response.json()] or self.cases

    @task(2)
    def search(self) -> None:
        self.client.get("/api/v1/cases", params={"q": f"{CHILD['nachname']} {CHILD['vorname']}"}, name="search")

    @task(3)
    def case_page(self) -> None:
        if self.cases:
            self.client.get(f"/api/v1/cases/{random.choice(self.cases)}", name="case page")  # noqa: S311

    @task(1)
    def document_a_case(self) -> None:
        opened = self.client.post("/api/v1/cases", json={"process": "traeger_8a", "child": CHILD}, name="open a case")
        if not opened.ok:
            return
        [task_id] = [t["id"] for t in opened.json()["open_tasks"] if t["task"] == "anhaltspunkte_dokumentieren"]
        values = _beobachtung(datetime.now(UTC))
        self.client.post(f"/api/v1/tasks/{task_id}/complete", json=values, name="complete a step")
