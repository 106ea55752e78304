"""A Schutzplan reviewed again and again for years must not grow the instance: SpiffWorkflow slows with
every task in its tree and stalls silently after ~250 loop iterations. 300 review cycles through the
engine (timer fired, review completed with `weiter_beobachten`): the work per step at cycle 300 —
tasks in the tree and bytes of the stored instance — is within 1.5x of cycle 1."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from engine.clock import BERLIN
from engine.persistence import models as m
from tests.support.cases import BEOBACHTUNG, open_task, to_schutzplan


def _instance_work(engine, case_id):
    with engine.reading() as uow:
        instance = uow.session.get(m.Instance, case_id)
        return instance.tree_size, len(instance.state)


def test_300_review_cycles_keep_the_step_cost_flat(world, child, clock):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    case_id = case.case_id
    engine.complete_task(world["kita_fk"], case.open_tasks[0].id, BEOBACHTUNG)
    to_schutzplan(world, case_id)
    review_day = clock.now().astimezone(BERLIN).date() + timedelta(days=7)
    engine.complete_task(
        world["kita_fk"],
        open_task(world, "kita_fk", case_id, "schutzplan_vereinbaren")["id"],
        {
            "massnahmen": [{"was": "Frühstück", "wer": "Eltern", "bis": review_day.isoformat()}],
            "ueberpruefung_am": review_day.isoformat(),
        },
    )

    work = []
    for cycle in range(300):
        clock.set(datetime.combine(review_day, time(8, 0, 1), tzinfo=BERLIN))
        assert any(line.endswith("timer fired") for line in engine.run_due()), cycle
        review = open_task(world, "kita_leitung", case_id, "schutzplan_ueberpruefen")
        review_day += timedelta(days=7)
        engine.complete_task(
            world["kita_leitung"],
            review["id"],
            {
                "wirksam": "weiter_beobachten",
                "vermerk": f"Überprüfung {cycle + 1}",
                "naechste_ueberpruefung_am": review_day.isoformat(),
            },
        )
        work.append(_instance_work(engine, case_id))

    (tasks_1, bytes_1), (tasks_300, bytes_300) = work[0], work[-1]
    assert tasks_300 <= 1.5 * tasks_1, work[::50]
    assert bytes_300 <= 1.5 * bytes_1, work[::50]
    history = engine.case(world["kita_leitung"], case_id)["history"]
    assert sum(h["task"] == "schutzplan_ueberpruefen" for h in history) == 300  # the history is all there
    clock.set(datetime.combine(review_day, time(8, 0, 1), tzinfo=BERLIN))
    engine.run_due()
    engine.complete_task(
        world["kita_leitung"],
        open_task(world, "kita_leitung", case_id, "schutzplan_ueberpruefen")["id"],
        {"wirksam": "ja", "vermerk": "Wirksam."},
    )
    assert [t["task"] for t in engine.case(world["kita_leitung"], case_id)["open_tasks"]] == ["abschluss"]
