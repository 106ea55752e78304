"""Migrating running cases between process versions (procedures.md invariant 6, issue 12 item 4), on
the fixture process `wechsel` (tests/support/migration.py): every version-1 task migrates or is
refused with a reason, and a migrated case runs to its end under version 2; deadlines keep their
instants, Mehraugen pairs and history carry over, a dry run and a refused case change nothing, and a
migration killed mid-batch leaves every case whole on one version."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cases import version_migration
from engine.cases.messages import keep_message
from engine.clock import BERLIN, FakeClock
from engine.errors import DefinitionInvalid, NotAllowed, ValidationFailed
from engine.persistence import models as m
from engine.processes.bundles import load_bundle_dir
from engine.processes.spiff import OutgoingMessage
from tests.conftest import CHILD, World, initialised_engine, populate_world
from tests.support.migration import (
    BUNDLES,
    KEY,
    STEPS,
    SUCCESSOR,
    V1_TASKS,
    complete,
    deploy,
    open_at,
    run_to_end,
    version_of,
)
from web.cli import main

#: Most of these run on SQLite only (test time); what depends on the database's transactions — the
#: killed batch — runs on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _migrate(engine, **kwargs: Any):
    kwargs.setdefault("reason", "Version 2 eingeführt")
    return engine.migrate_cases(KEY, 1, 2, operator="tests", **kwargs)


def _deadlines(engine, case_id: int) -> list[tuple[str, str, Any, Any, Any, str]]:
    with engine.reading() as uow:
        rows = uow.session.execute(
            select(m.Deadline).where(m.Deadline.case_id == case_id).order_by(m.Deadline.id)
        ).scalars()
        return [(d.task_key, d.frist_key, d.started_at, d.remind_at, d.due_at, d.state) for d in rows]


def _snapshot(engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a migration could write, for comparing before and after."""
    tables = {
        "cases": (m.Case.id, m.Case.definition_id, m.Case.version, m.Case.current_task_key),
        "instances": (m.Instance.case_id, m.Instance.state),
        "open_tasks": (m.OpenTask.id, m.OpenTask.task_key, m.OpenTask.due_at),
        "bars": (m.OpenTaskBar.task_id, m.OpenTaskBar.user_id),
        "history": (m.TaskHistory.id, m.TaskHistory.task_key),
        "deadlines": (m.Deadline.id, m.Deadline.task_uuid, m.Deadline.state, m.Deadline.due_at),
    }
    with engine.reading() as uow:
        return {name: sorted(tuple(r) for r in uow.session.execute(select(*cols))) for name, cols in tables.items()}


def _audited(engine, reference: str) -> list[dict[str, Any]]:
    with engine.work() as (uow, _work):
        events = engine.vault.read(uow.session.connection(), case_ref=reference)
        return [e.payload for e in events if e.type == "case.migrated"]


@pytest.fixture(scope="module")
def at_every_task(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, int]]]:
    """One engine (SQLite) with a version-1 case standing at each task, then version 2 deployed: the
    cases of the parametrised test below (one engine for all of them: test time)."""
    folder = tmp_path_factory.mktemp("migration")
    (folder / "instance").mkdir(mode=0o700)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))
    engine = initialised_engine(f"sqlite:///{folder / 'schutzpfad.db'}", clock, folder / "instance")
    world = populate_world(engine)
    deploy(engine, 1)
    cases = {task: open_at(world, dict(CHILD), task) for task in V1_TASKS}
    deploy(engine, 2)
    yield world, cases
    engine.db.dispose()


@pytest.mark.parametrize("task", V1_TASKS)
def test_a_case_at_every_v1_task_migrates_or_is_refused_then_runs_to_the_end(at_every_task, task):
    world, cases = at_every_task
    engine, case_id = world.engine, cases[task]
    reference = engine.case(world["kita_fk"], case_id)["reference"]
    successor = SUCCESSOR[task]

    [preview] = _migrate(engine, dry_run=True, references=[reference])
    [outcome] = _migrate(engine, references=[reference])

    if successor is None:
        assert not preview.ok and preview.reason == outcome.reason
        assert outcome.reason == "Der Schritt „Nachfassen“ hat in Version 2 keine Entsprechung."
        assert version_of(engine, case_id) == 1 and _audited(engine, reference) == []
        assert run_to_end(world, case_id) == V1_TASKS[V1_TASKS.index(task) :]  # still whole on version 1
        return
    assert preview.ok and outcome.ok and version_of(engine, case_id) == 2
    [entry] = _audited(engine, reference)
    assert entry["task"] == {"from": task, "to": successor} and entry["reason"] == "Version 2 eingeführt"
    assert entry["from_version"] == 1 and entry["to_version"] == 2
    v2 = [key for key, _who, _values in STEPS[2]]
    # `dringend` was never asked on version 1: its default takes the gateway's "nein" branch (planen)
    assert run_to_end(world, case_id) == v2[v2.index(successor) :]
    history = engine.case(world["kita_fk"], case_id)["history"]
    done_before = V1_TASKS[: V1_TASKS.index(task)]
    titles = {"erfassen": "Erfassen", "bewerten": "Bewerten", "nachfassen": "Nachfassen"}
    assert [h["title"] for h in history][: len(done_before)] == [titles[k] for k in done_before]


@SQLITE_ONLY
def test_deadlines_keep_their_instants_and_state(world, child, clock):
    engine = world.engine
    deploy(engine, 1)
    early, late = open_at(world, child, "bewerten"), open_at(world, child, "bewerten")
    [(_, frist, started, remind, due, state)] = [d for d in _deadlines(engine, early) if d[0] == "bewerten"]
    assert frist == "gefaehrdungseinschaetzung" and state == "pending"
    clock.advance(timedelta(days=1))
    deploy(engine, 2)

    def moved(case_id: int, expected: str) -> None:
        [outcome] = _migrate(engine, references=[engine.case(world["kita_fk"], case_id)["reference"]])
        assert outcome.ok
        rows = _deadlines(engine, case_id)
        assert [(r[0], r[5]) for r in rows][-2:] == [("bewerten", "closed"), ("einschaetzen", expected)]
        assert rows[-1][1:5] == (frist, started, remind, due)  # not counted again from the migration
        open_task = engine.case(world["kita_leitung"], case_id)["open_tasks"][0]
        assert open_task["task"] == "einschaetzen" and open_task["due_at"] == due.isoformat()

    moved(early, "pending")
    clock.set(remind + timedelta(minutes=1))  # 75 % of five Werktage: both reminders fire once
    assert sorted(engine.run_due()) == sorted(
        [
            f"{engine.case(world['kita_fk'], early)['reference']} einschaetzen: reminder",
            f"{engine.case(world['kita_fk'], late)['reference']} bewerten: reminder",
        ]
    )
    moved(late, "reminded")
    assert engine.run_due() == []  # the carried reminder does not fire a second time


@SQLITE_ONLY
def test_mehraugen_pairs_history_and_messages_carry_over(world, child):
    engine = world.engine
    deploy(engine, 1)
    case_id = open_at(world, child, "abschliessen")  # kita_leitung did bewerten
    sender = open_at(world, child, "erfassen")
    with engine.work() as (uow, work):  # a message kept in the case's file (as a Meldebogen is)
        session = uow.session
        keep_message(work, session.get(m.Case, sender), session.get(m.Case, case_id), OutgoingMessage("info", {"x": 1}))
        uow.commit()
    deploy(engine, 2)
    assert all(o.ok for o in _migrate(engine))

    [step] = engine.case(world["kita_leitung"], case_id)["open_tasks"]
    assert step["task"] == "abschliessen" and not step["may_complete"] and "Einschätzen" in step["refusal"]
    with pytest.raises(NotAllowed):
        engine.complete_task(world["kita_leitung"], step["id"], {"vermerk": "Ich selbst."})
    history = engine.case(world["kita_fk"], case_id)["history"]
    assert [(h["task"], h["title"]) for h in history] == [
        ("erfassen", "Erfassen"),
        ("einschaetzen", "Bewerten"),  # the v2 id, the title it was done under
        ("nachfassen", "Nachfassen"),
    ]
    assert [(k["name"], k["payload"]) for k in engine.case(world["kita_fk"], case_id)["messages"]] == [
        ("info", {"x": 1})
    ]
    complete(world, case_id, "abschliessen", "kita_leitung2", {"vermerk": "Erledigt."})


@SQLITE_ONLY
def test_a_dry_run_a_refused_case_and_unnamed_cases_change_nothing(world, child):
    engine = world.engine
    deploy(engine, 1)
    refs = {task: open_at(world, child, task) for task in V1_TASKS}
    deploy(engine, 2)
    before = _snapshot(engine)
    outcomes = _migrate(engine, dry_run=True)
    assert [o.ok for o in outcomes] == [SUCCESSOR[t] is not None for t in V1_TASKS]
    assert _snapshot(engine) == before

    [refused] = _migrate(engine, references=[o.reference for o in outcomes if not o.ok])
    assert not refused.ok and _snapshot(engine) == before
    with pytest.raises(ValidationFailed):
        _migrate(engine, reason="  ")
    with pytest.raises(ValidationFailed):  # version 1 carries no migration map
        engine.migrate_cases(KEY, 2, 1, reason="zurück", operator="tests")

    # only the named cases move; a reference that is no running case of version 1 is reported
    named = [o.reference for o in outcomes if o.ok][:1]
    moved = _migrate(engine, references=["KS-1999-000001", *named])
    assert [(o.reference, o.ok) for o in moved] == [("KS-1999-000001", False), (named[0], True)]
    assert "Kein laufender Fall" in (moved[0].reason or "")
    assert sorted(version_of(engine, case_id) for case_id in refs.values()) == [1, 1, 1, 2]


def test_a_migration_killed_mid_batch_leaves_every_case_on_one_version(world, child, monkeypatch):
    engine = world.engine
    deploy(engine, 1)
    cases = [open_at(world, child, task) for task in ("erfassen", "bewerten", "abschliessen", "erfassen")]
    deploy(engine, 2)
    carry_over = version_migration.deadline_arming.carry_over
    calls = []

    def dies_on_the_third(*args: Any) -> None:
        calls.append(args)
        carry_over(*args)  # the third case has written everything but its audit entry
        if len(calls) == 3:
            raise RuntimeError("killed")

    monkeypatch.setattr(version_migration.deadline_arming, "carry_over", dies_on_the_third)
    with pytest.raises(RuntimeError, match="killed"):
        _migrate(engine)
    monkeypatch.undo()

    assert [version_of(engine, c) for c in cases] == [2, 2, 1, 1]
    with engine.reading() as uow:
        session = uow.session
        for case_id in cases:
            case = session.get(m.Case, case_id)
            version = version_of(engine, case_id)
            tasks = {
                t.task_key for t in session.execute(select(m.OpenTask).where(m.OpenTask.case_id == case_id)).scalars()
            }
            live = {
                d.task_key
                for d in session.execute(
                    select(m.Deadline).where(m.Deadline.case_id == case_id, m.Deadline.state == "pending")
                ).scalars()
            }
            assert tasks == live == {case.current_task_key}
            assert case.current_task_key in {key for key, _w, _v in STEPS[version]}
    assert [len(_audited(engine, engine.case(world["kita_fk"], c)["reference"])) for c in cases] == [1, 1, 0, 0]
    # run again: the rest moves, the moved ones are not taken twice
    assert [o.ok for o in _migrate(engine)] == [True, True]
    assert {version_of(engine, c) for c in cases} == {2}
    for case_id in cases:
        run_to_end(world, case_id)


@SQLITE_ONLY
def test_deploy_checks_the_map_against_the_source_version(case_engine, tmp_path):
    with pytest.raises(DefinitionInvalid) as refused:
        deploy(case_engine, 2)
    assert refused.value.problems == ["migration.json: 'from_version' 1 of wechsel is not deployed"]
    deploy(case_engine, 1)
    changed = tmp_path / "2"
    shutil.copytree(BUNDLES / "2", changed)
    migration = json.loads((changed / "migration.json").read_text())
    migration["tasks"]["pruefen"] = "einschaetzen"
    (changed / "migration.json").write_text(json.dumps(migration))
    with pytest.raises(DefinitionInvalid) as refused:
        case_engine.deploy(load_bundle_dir(changed), deployed_by="tests")
    assert refused.value.problems == ["migration.json: task 'pruefen' is no user task or catch event of version 1"]
    assert [p["version"] for p in case_engine.processes() if p["key"] == KEY] == [1]


@SQLITE_ONLY
def test_the_cli_prints_one_line_per_case(world, child, database_url, instance, monkeypatch):
    engine = world.engine
    deploy(engine, 1)
    cases = [open_at(world, child, task) for task in ("bewerten", "nachfassen")]
    deploy(engine, 2)
    refs = [engine.case(world["kita_fk"], c)["reference"] for c in cases]
    monkeypatch.setenv("SCHUTZPFAD_DATABASE_URL", database_url)
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(instance))
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, list[str], str]:
        result = runner.invoke(main, ["process", "migrate", KEY, "--from", "1", "--to", "2", *args])
        return result.exit_code, result.stdout.splitlines(), result.stderr

    code, lines, summary = cli("--reason", "Version 2", "--dry-run")
    unmapped = "nicht migrierbar: Der Schritt „Nachfassen“ hat in Version 2 keine Entsprechung."
    assert code == 0 and lines == [f"{refs[0]}\tmigrierbar", f"{refs[1]}\t{unmapped}"]
    assert "1 migrierbar, 1 nicht migrierbar" in summary
    assert [version_of(engine, c) for c in cases] == [1, 1]
    code, lines, summary = cli("--reason", "Version 2", "--case", refs[0])
    assert code == 0 and lines == [f"{refs[0]}\tmigriert"]
    assert [version_of(engine, c) for c in cases] == [2, 1]
    code, lines, summary = cli()  # no reason: refused, nothing done
    assert code != 0 and lines == [] and "Grund" in summary
