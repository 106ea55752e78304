"""Rows the network's indicators count, written by hand: a Frist (kept, missed or open) and a completed
step with its opening time and coded facts — for exact figures (tests/integration/test_indicators.py)
and a believable quarter for the screenshot (tests/e2e/test_network_pages.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from engine.persistence import models as m


def deadline(
    case_id: int,
    task_key: str,
    frist: str,
    due: datetime,
    state: str,
    closed: datetime | None,
    title: str | None = None,
) -> m.Deadline:
    """A step's Frist due at `due`: `closed` (at `closed`), `fired` (escalated) or `pending`."""
    return m.Deadline(
        case_id=case_id,
        task_uuid=str(uuid4()),
        task_key=task_key,
        title=title or task_key.replace("_", " ").title(),
        kind="task",
        frist_key=frist,
        frist_value="1 Werktag",
        started_at=due - timedelta(days=1),
        due_at=due,
        state=state,
        closed_at=closed,
        fired_at=due if state == "fired" else None,
    )


def history(
    case_id: int, task_key: str, started: datetime, hours: float, codes: dict | None = None, title: str | None = None
) -> m.TaskHistory:
    """A step opened at `started` and completed `hours` later, with its coded facts."""
    return m.TaskHistory(
        case_id=case_id,
        task_uuid=str(uuid4()),
        task_key=task_key,
        title=title or task_key,
        lane="x",
        completed_at=started + timedelta(hours=hours),
        started_at=started,
        kennzahlen=json.dumps(codes) if codes else None,
    )


#: A quarter of a network: per step (task key, title, Frist): kept and missed Fristen.
BUSY_FRISTEN = {
    ("traeger", "leitung_informieren", "Leitung informieren", "leitung_informieren"): (18, 3),
    ("traeger", "insofa_beratung", "Beratung durch die insoweit erfahrene Fachkraft", "insofa_beratung"): (12, 6),
    ("ja", "ersteinschaetzung", "Ersteinschätzung und Dringlichkeit", "ersteinschaetzung"): (15, 0),
    ("ja", "gefaehrdungseinschaetzung", "Gefährdungseinschätzung", "gefaehrdungseinschaetzung"): (9, 2),
    ("ja", "rueckmeldung_melder", "Rückmeldung an die meldende Stelle", "rueckmeldung_melder"): (11, 5),
}
BUSY_PARTICIPATION = {"beteiligt": 14, "gefaehrdung_des_schutzes": 5, "nicht_erreichbar": 6, "alter_reife": 2}
PARTICIPATION = "Eltern und Kind beteiligen"
BUSY_REPORTERS = {"schule": 6, "kita_kindertagespflege": 7, "polizei_justiz": 5, "anonym": 2}


def busy_quarter(world: Any, child: dict[str, Any], start: datetime) -> None:
    """Fristen, steps, participations and Meldungen of a busy quarter beginning at `start` in Kreis
    Kleve: the rows hang on real cases (a Kita's and the Jugendämter's own), the counts are BUSY_*."""
    engine = world.engine
    traeger = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    offices = ["goch_fk"] * 14 + ["kevelaer_fk"] * 6
    ja_cases = [engine.open_case(world[u], process_key="jugendamt_8a", child=child).case_id for u in offices]
    rows: list[Any] = []
    for (side, task_key, title, frist), (kept, missed) in BUSY_FRISTEN.items():
        case_id = traeger if side == "traeger" else ja_cases[0]
        for i in range(kept + missed):
            due = start + timedelta(days=i % 80, hours=9)
            closed = due - timedelta(hours=1 + i % 5) if i < kept else None
            rows.append(deadline(case_id, task_key, frist, due, "closed" if i < kept else "fired", closed, title))
            rows.append(history(case_id, task_key, due - timedelta(hours=20), 6 + (i * 7) % 40, title=title))
    participation = [reason for reason, count in BUSY_PARTICIPATION.items() for _ in range(count)]
    for i, reason in enumerate(participation):
        opened = start + timedelta(days=i)
        rows.append(history(traeger, "beteiligung_familie", opened, 30 + i * 3, {"beteiligung": reason}, PARTICIPATION))
    reporters = [kind for kind, count in BUSY_REPORTERS.items() for _ in range(count)]
    for case_id, kind in zip(ja_cases, reporters, strict=True):
        rows.append(history(case_id, "eingang_erfassen", start, 1, {"meldende_stelle": kind}, "Eingang erfassen"))
    with engine.writing() as uow:
        uow.session.add_all(rows)
        uow.commit()
