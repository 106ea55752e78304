"""The network's indicators (issue 15 item 3, R34): counted from deadlines, history and the directory
without any data key; small counts suppressed; only the network's own cases; hand-made figures
checked exactly and generated volume checked against plain counts of its tables."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.accounts import registry as accounts
from engine.actor import Actor
from engine.actor import Membership as ActorMembership
from engine.clock import BERLIN
from engine.errors import NotAllowed, NotFound, ValidationFailed
from engine.indicators import suppression
from engine.indicators.facade import COORDINATION_ROLE
from engine.indicators.figures import KEPT, MISSED
from engine.indicators.quarters import recent
from engine.indicators.suppression import PROTECTED, SHOWN, SMALL
from engine.persistence import models as m
from engine.volume.generate import generate_volume
from engine.volume.planner import YEARS
from tests.support.cases import BEOBACHTUNG, complete, sofortmeldung, to_rueckmeldung, to_schutzplan
from tests.support.indicators import deadline, history

KLEVE = "kreis-kleve"
JAN = datetime(2026, 1, 12, 9, 0, tzinfo=BERLIN)


def _coordinator(world: Any, organisation: str = "ja-kreis-kleve") -> Actor:
    with world.engine.writing() as uow:
        user = accounts.create_user(
            uow.session,
            username="koordination",
            organisation_key=organisation,
            role=COORDINATION_ROLE,
            password=None,
            now=world.engine.clock.now(),
            mfa_required=False,
        )
        actor = accounts.actor_for_user(uow.session, user)
        uow.commit()
    return actor


class NoKeys:
    """A key provider that has lost every key: any decryption fails."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the indicators asked the key provider for {name}")


def test_steps_leave_their_codes_and_the_figures_need_no_key(world, child, monkeypatch) -> None:
    own = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", own.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    to_schutzplan(world, own.case_id)
    ja_case = sofortmeldung(world, child)
    to_rueckmeldung(world, ja_case)
    with world.engine.reading() as uow:
        history = dict(
            uow.session.execute(
                select(m.TaskHistory.task_key, m.TaskHistory.kennzahlen).where(m.TaskHistory.started_at.is_not(None))
            ).all()
        )
    assert json.loads(history["beteiligung_familie"]) == {"beteiligung": "beteiligt"}
    assert json.loads(history["eingang_erfassen"]) == {"meldende_stelle": "kita_kindertagespflege"}
    assert history["leitung_informieren"] is None  # a step without a coded fact keeps none
    coordinator = _coordinator(world)

    monkeypatch.setattr(world.engine.vault, "provider", NoKeys())
    with pytest.raises(AssertionError):  # the keys are really gone for a case read
        world.engine.case(world["goch_fk"], ja_case)
    found = world.engine.indicators(coordinator)
    assert found.network_key == KLEVE and found.quarter.name == "2026-Q1"
    assert found.by_reporter.labels == {
        "kita_kindertagespflege": "Kindertageseinrichtung oder Kindertagespflege"
    }  # the Eingang form's name
    assert found.by_reporter.breakdown.total.state == SMALL  # one Meldung: "< 5", never "1"
    assert found.by_jugendamt.breakdown.cells["ja-goch"].state == SMALL
    assert found.participation.breakdown.total.state == SMALL
    assert all(row.count.state == SMALL and row.median_hours is None for row in found.durations)


def test_only_the_coordination_of_the_network_reads_it(world) -> None:
    with pytest.raises(NotAllowed):
        world.engine.indicators(world["goch_leitung"])
    coordinator = _coordinator(world)
    with pytest.raises(NotFound):
        world.engine.indicators(coordinator, "kreis-dueren")
    with pytest.raises(ValidationFailed):
        world.engine.indicators(coordinator, quarter="2026-Q2")  # after the current quarter
    with pytest.raises(ValidationFailed):
        world.engine.indicators(coordinator, quarter="2026/1")


def test_hand_made_figures_are_counted_exactly_and_suppressed(world, child) -> None:
    kleve = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    dueren = world.engine.open_case(world["dueren_fk"], process_key="traeger_8a", child=child).case_id
    ja_cases = [
        world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id for _ in range(6)
    ]
    now = world.engine.clock.now()
    rows: list[Any] = []
    for day in range(7):  # kept: closed before the due instant
        due = JAN + timedelta(days=day)
        rows.append(
            deadline(kleve, "leitung_informieren", "leitung_informieren", due, "closed", due - timedelta(hours=1))
        )
    for day in range(2):  # missed: escalated
        rows.append(
            deadline(kleve, "leitung_informieren", "leitung_informieren", JAN + timedelta(days=20 + day), "fired", None)
        )
    rows += [
        # missed: still open after its due instant; not yet decided: due after now
        deadline(kleve, "leitung_informieren", "leitung_informieren", now - timedelta(hours=2), "pending", None),
        deadline(kleve, "leitung_informieren", "leitung_informieren", now + timedelta(hours=2), "pending", None),
        # missed: completed after the due instant; and one of the quarter before (not counted)
        deadline(kleve, "leitung_informieren", "leitung_informieren", JAN, "closed", JAN + timedelta(hours=3)),
        deadline(kleve, "leitung_informieren", "leitung_informieren", JAN - timedelta(days=30), "closed", JAN),
        # another network's case: not counted
        deadline(dueren, "leitung_informieren", "leitung_informieren", JAN, "fired", None),
    ]
    rows += [
        deadline(kleve, "rueckmeldung_melder", "rueckmeldung_melder", JAN + timedelta(days=d), "closed", JAN)
        for d in range(6)
    ]
    rows += [history(kleve, "insofa_beratung", JAN + timedelta(days=d), hours=d + 1) for d in range(10)]
    rows += [history(dueren, "insofa_beratung", JAN, hours=500)]
    reasons = ["beteiligt"] * 8 + ["gefaehrdung_des_schutzes"] * 5 + ["nicht_erreichbar"] * 2
    rows += [
        history(kleve, "beteiligung_familie", JAN, hours=i + 1, codes={"beteiligung": r}) for i, r in enumerate(reasons)
    ]
    reporters = ["schule"] * 5 + ["anonym"]
    rows += [
        history(case_id, "eingang_erfassen", JAN, hours=1, codes={"meldende_stelle": r})
        for case_id, r in zip(ja_cases, reporters, strict=True)
    ]
    with world.engine.writing() as uow:
        uow.session.add_all(rows)
        uow.commit()

    found = world.engine.indicators(_coordinator(world))

    rows_by_step = {row.step: row for row in found.fristentreue}
    assert set(rows_by_step) == {"Leitung Informieren", "Rueckmeldung Melder"}  # open steps not yet due
    frist = rows_by_step["Leitung Informieren"]
    assert frist.step == "Leitung Informieren" and frist.frist == "Leitung informieren"
    assert frist.breakdown.total.value == 11  # 7 kept, 4 missed
    assert frist.breakdown.cells[MISSED].state == SMALL and frist.breakdown.cells[KEPT].state == PROTECTED
    assert found.rueckmeldungen.cells[KEPT].value == 6 and found.rueckmeldungen.share(KEPT) == 100.0
    durations = {row.step: row for row in found.durations}
    insofa = durations["insofa_beratung"]
    assert insofa.count.value == 10 and insofa.median_hours == 5.5 and insofa.p90_hours == 9.0
    assert durations["beteiligung_familie"].count.value == 15
    assert durations["eingang_erfassen"].count.value == 6
    part = found.participation
    assert list(part.labels) == ["beteiligt", "gefaehrdung_des_schutzes", "nicht_erreichbar"]
    assert part.labels["nicht_erreichbar"] == "Nicht erreichbar"  # the form's own option name
    assert [part.breakdown.cells[k].state for k in part.labels] == [SHOWN, PROTECTED, SMALL]
    assert part.breakdown.total.value == 15 and part.breakdown.share("beteiligt") == pytest.approx(100 * 8 / 15)
    reporter = found.by_reporter.breakdown
    assert reporter.cells["schule"].state == PROTECTED and reporter.cells["anonym"].state == SMALL
    assert reporter.total.value == 6 and found.by_reporter.labels["anonym"] == "Anonym"
    assert found.by_jugendamt.breakdown.cells["ja-goch"].value == 6

    earlier = world.engine.indicators(_actor_of(world), quarter="2025-Q4")
    assert [(row.step, row.breakdown.total.state) for row in earlier.fristentreue] == [("Leitung Informieren", SMALL)]
    assert earlier.durations == [] and earlier.by_reporter.labels == {}


def _actor_of(world: Any) -> Actor:
    """The coordinator as a plain value (no second user)."""
    return Actor(
        0,
        "koordination",
        "Koordination",
        (ActorMembership(0, "ja-kreis-kleve", "jugendamt", KLEVE, COORDINATION_ROLE),),
    )


def _in_network(query: Any, key: str) -> Any:
    return (
        query.join(m.Case)
        .join(m.Organisation, m.Organisation.id == m.Case.organisation_id)
        .where(m.Organisation.network_key == key)
    )


def _table_counts(case_engine: Any, key: str, now: datetime) -> tuple[int, ...]:
    """Decided Fristen, kept ones, timed steps, participation steps and Meldungen of a network, counted
    plainly from the tables over all time."""
    with case_engine.reading() as uow:
        s = uow.session
        deadlines = s.execute(
            _in_network(select(m.Deadline.state, m.Deadline.closed_at, m.Deadline.due_at), key).where(
                m.Deadline.kind == "task", m.Deadline.frist_key.is_not(None), m.Deadline.due_at < now
            )
        ).all()
        kept = sum(1 for state, closed, due in deadlines if state == "closed" and closed <= due)
        history = _in_network(select(func.count(m.TaskHistory.id)), key)
        timed = s.scalar(history.where(m.TaskHistory.started_at.is_not(None)))
        part = s.scalar(history.where(m.TaskHistory.kennzahlen.like('%"beteiligung"%')))
        reports = s.scalar(
            select(func.count(m.Case.id))
            .join(m.Organisation, m.Organisation.id == m.Case.organisation_id)
            .where(m.Organisation.network_key == key, m.Organisation.kind == "jugendamt")
        )
    return len(deadlines), kept, timed, part, reports


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_generated_volume_adds_up_to_its_tables(case_engine, monkeypatch) -> None:
    """Without suppression (MIN_COUNT 1), the figures of every quarter add up to plain counts of the
    tables the generator wrote, for every network."""
    generate_volume(case_engine, cases=16, seed=5, operator="tests", traeger=25, open_share=0.2)
    monkeypatch.setattr(suppression, "MIN_COUNT", 1)
    now = case_engine.clock.now()
    with case_engine.reading() as uow:
        networks = list(uow.session.scalars(select(m.Network.key)))
    expected = {key: _table_counts(case_engine, key, now) for key in networks}
    for figure in range(5):  # the volume reaches every kind of figure
        assert sum(counts[figure] for counts in expected.values()) > 0, figure
    for key in networks:
        actor = Actor(0, "k", "K", (ActorMembership(0, "x", "jugendamt", key, COORDINATION_ROLE),))
        totals: Counter[str] = Counter()
        for quarter in recent(now, count=4 * YEARS + 2):
            found = case_engine.indicators(actor, key, quarter.name)
            totals["fristen"] += sum(row.breakdown.total.value for row in found.fristentreue)
            totals["kept"] += sum(row.breakdown.cells[KEPT].value for row in found.fristentreue)
            totals["timed"] += sum(row.count.value for row in found.durations)
            totals["part"] += found.participation.breakdown.total.value
            totals["reports"] += found.by_reporter.breakdown.total.value
            assert found.by_reporter.breakdown.total.value == found.by_jugendamt.breakdown.total.value
        found_totals = (totals["fristen"], totals["kept"], totals["timed"], totals["part"], totals["reports"])
        assert found_totals == expected[key], key
