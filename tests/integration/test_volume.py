"""The volume generator (`schutzpfad demo generate`, engine/volume): generated cases are real cases —
the chain verifies, sealed values open under each case's own key, an open case continues through
the engine, the child is found through the blind index — and it never writes next to real cases."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.accounts import registry
from engine.actor import Actor
from engine.bootstrap import build_engine, initialise
from engine.case_engine import CaseEngine
from engine.cases.search import search
from engine.clock import FakeClock
from engine.errors import Conflict, NotAllowed, ValidationFailed
from engine.persistence import models as m
from engine.persistence.sealed import open_child, open_history_values, open_state
from engine.volume.generate import MAX_CASES, check_count, generate_volume
from engine.volume.scenarios import SCENARIOS
from engine.volume.scratch import _resolved
from engine.volume.steps import Step
from web.cli import main

#: few Kitas and schools: the world is made faster, the cases are the same kind
SMALL = {"operator": "tests", "traeger": 25}


def _generate(engine: CaseEngine, cases: int, seed: int = 11, **options: Any):
    return generate_volume(engine, cases=cases, seed=seed, **{**SMALL, **options})


def _actor(engine: CaseEngine, user_id: int) -> Actor:
    with engine.reading() as uow:
        return registry.actor_for_user(uow.session, uow.session.get(m.User, user_id))


def _children(engine: CaseEngine) -> list[tuple[str, str, str]]:
    with engine.tx.unit(write=False) as (_, work):
        children = [open_child(work, case) for case in work.session.execute(select(m.Case)).scalars()]
    return sorted((c["vorname"], c["nachname"], c["geburtsdatum"]) for c in children)


def _step_values() -> dict[tuple[str, str], dict[str, Any]]:
    """What the scenarios enter per process and task (the last time they meet it: the Jugendamt's
    own scenarios come last and fill in the Eingang completely)."""
    values: dict[tuple[str, str], dict[str, Any]] = {}
    for scenario in SCENARIOS:
        for step in scenario.steps:
            if isinstance(step, Step):
                process = "jugendamt_8a" if step.case == "ja" else scenario.process
                values[(process, step.task)] = dict(step.values)
    return values


def _process(engine: CaseEngine, case_id: int) -> str:
    with engine.reading() as uow:
        query = select(m.ProcessDefinition.key).join(m.Case, m.Case.definition_id == m.ProcessDefinition.id)
        return uow.session.execute(query.where(m.Case.id == case_id)).scalar_one()


@dataclass(frozen=True)
class _Task:
    id: str
    case_id: int
    task_key: str
    lane_roles: str
    organisation_id: int
    network_key: str
    pool_role: str | None


def _continue(engine: CaseEngine, task: _Task, values: dict[str, Any]) -> str:
    """Complete the open task as the first person of its organisation (or pool) who may."""
    with engine.reading() as uow:
        members = uow.session.execute(
            select(m.Membership.user_id)
            .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
            .where(
                m.Membership.role.in_(task.lane_roles.split(",")),
                (m.Organisation.id == task.organisation_id)
                | ((m.Organisation.network_key == task.network_key) & (m.Membership.role == task.pool_role)),
            )
        ).scalars()
        candidates = list(members)
    for user_id in candidates:
        actor = _actor(engine, user_id)
        try:
            prefill = engine.task(actor, task.id)["data"]
            return engine.complete_task(actor, task.id, {**prefill, **values}).status
        except NotAllowed:  # Mehraugenprinzip: the author of the paired step may not
            continue
    raise AssertionError(f"nobody may complete {task.task_key}")


def test_generated_cases_are_real_cases(case_engine: CaseEngine, clock: FakeClock) -> None:
    report = _generate(case_engine, 40, open_share=0.5)
    assert report.cases == 40 and 0 < report.open_cases < 40 and report.rate > 0
    with case_engine.reading() as uow:
        session = uow.session
        statuses = dict(session.execute(select(m.Case.status, func.count()).group_by(m.Case.status)).tuples().all())
        steps = set(session.execute(select(m.Case.current_task_key).where(m.Case.status == "offen")).scalars())
        assert sum(statuses.values()) == 40 and statuses["offen"] == report.open_cases
        assert session.execute(select(func.count()).where(m.Case.generated.is_(False))).scalar_one() == 0
        assert len(steps) >= 3  # open at several steps
        assert session.execute(select(func.count()).select_from(m.Deadline)).scalar_one() > 40
        assert session.execute(select(func.count()).select_from(m.TaskHistory)).scalar_one() > 40
        assert session.execute(select(func.count(func.distinct(m.ChildIndex.case_id)))).scalar_one() == 40
        open_tasks = [
            _Task(t.id, t.case_id, t.task_key, t.lane_roles, t.organisation_id, t.network_key, t.pool_role)
            for t in session.execute(select(m.OpenTask).order_by(m.OpenTask.case_reference)).scalars()
        ]
        closed = session.execute(
            select(m.Case.id, m.Case.organisation_id).where(m.Case.status == "abgeschlossen").limit(1)
        ).one()
    trail = case_engine.verify_trail()
    assert trail.ok, trail.reason

    # a closed case's whole file opens: history values, messages, the child — under its own key
    ((owner,), *_) = _memberships(case_engine, closed.organisation_id)
    page, case_file = case_engine.case_page(_actor(case_engine, owner), closed.id)
    assert page["status"] == "abgeschlossen" and len(case_file.entries) >= 3

    # open cases continue through the engine: their instances are real instances at that step
    values = _step_values()
    continued = 0
    for task in open_tasks[:6]:
        entered = _resolved(values[(_process(case_engine, task.case_id), task.task_key)], clock.now())
        status = _continue(case_engine, task, entered)
        assert status in {"offen", "abgeschlossen"}
        continued += 1
    assert continued >= 3
    assert case_engine.verify_trail().ok


def _memberships(engine: CaseEngine, organisation_id: int) -> list[tuple[int]]:
    with engine.reading() as uow:
        return list(
            uow.session.execute(
                select(m.Membership.user_id).where(
                    m.Membership.organisation_id == organisation_id, m.Membership.role != "auditor"
                )
            ).tuples()
        )


def test_the_child_of_a_generated_case_is_found_by_name_and_birth_date(case_engine: CaseEngine) -> None:
    _generate(case_engine, 12)
    with case_engine.tx.unit(write=False) as (_, work):
        case = work.session.execute(select(m.Case).order_by(m.Case.id).limit(1)).scalar_one()
        case_id, organisation_id, child = case.id, case.organisation_id, open_child(work, case)
    (user_id,) = _memberships(case_engine, organisation_id)[0]
    actor = _actor(case_engine, user_id)
    by_name = case_engine.tx.query(lambda work: search(work, actor, f"{child['nachname']} {child['vorname']}"))
    by_birth = case_engine.tx.query(lambda work: search(work, actor, child["geburtsdatum"]))
    assert case_id in by_name.case_ids and case_id in by_birth.case_ids


def test_no_trace_of_the_template_world_remains(case_engine: CaseEngine) -> None:
    """Every sealed value and audit payload of the clones names their own world: no "Vorlage", no
    template reference, the child's own statistics items in its instance."""
    _generate(case_engine, 25, seed=5, open_share=0.5)
    texts = []
    with case_engine.tx.unit(write=False) as (_, work):
        session = work.session
        for case in session.execute(select(m.Case)).scalars():
            child = open_child(work, case)
            state = open_state(work, case, session.get(m.Instance, case.id).state)
            born = child["geburtsdatum"]
            root = next(t for t in state["tasks"].values() if "kind_geburtsjahr" in t["data"])
            assert (root["data"]["kind_geburtsjahr"], root["data"]["kind_geburtsmonat"]) == (
                int(born[:4]),
                int(born[5:7]),
            )
            texts += [json.dumps(child), json.dumps(state)]
            rows = session.execute(select(m.TaskHistory).where(m.TaskHistory.case_id == case.id)).scalars()
            texts += [json.dumps(open_history_values(work, case.reference, row)) + row.title for row in rows]
            for event in work.vault.read(session.connection(), case_ref=case.reference):
                texts.append(json.dumps(event.payload) + event.actor + str(event.organisation))
                if event.type == "case.created":
                    assert event.payload["child"] == child
        references = set(session.execute(select(m.Case.reference)).scalars())
    text = "\n".join(texts)
    assert "orlage" not in text
    assert set(re.findall(r"KS-\d{4}-\d{6}", text)) <= references  # only the clones' own references


def test_generation_refuses_a_database_with_a_real_case(world: Any, child: dict[str, object]) -> None:
    world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    with pytest.raises(Conflict, match="echte"):
        _generate(world.engine, 5)
    with world.engine.reading() as uow:
        assert uow.session.execute(select(func.count()).select_from(m.Case)).scalar_one() == 1


@pytest.mark.parametrize("count", [0, -3, MAX_CASES + 1, True, "12"])
def test_nonsense_counts_are_refused_before_anything_is_read(count: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_count(count)
    assert "cases" in refused.value.errors


def test_the_same_seed_gives_the_same_children(tmp_path: Path, clock: FakeClock) -> None:
    engines = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        engine = build_engine(f"sqlite:///{folder / 'db.sqlite'}", clock, folder, create_keys=True)
        initialise(engine)
        _generate(engine, 15, seed=4242)
        engines.append(engine)
    first, second = (_children(e) for e in engines)
    assert first == second and len(set(first)) > 10
    for engine in engines:
        engine.db.dispose()


def test_cli_generates_and_reports_the_rate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("SCHUTZPFAD_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init"], catch_exceptions=False).exit_code == 0
    done = runner.invoke(main, ["demo", "generate", "--cases", "8", "--seed", "3"], catch_exceptions=False)
    assert done.exit_code == 0, done.stderr
    assert "8 Fälle erzeugt" in done.stdout and "Fälle/s" in done.stdout and "8/8 Fälle" in done.stderr
    refused = runner.invoke(main, ["demo", "generate", "--cases", "0"], catch_exceptions=False)
    assert refused.exit_code == 1 and "mindestens einem Fall" in refused.stderr
    verified = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert verified.exit_code == 0, verified.stderr
