"""What the views show of an instance is written to columns when a step saves (migration 0006), so
no view decrypts and deserialises an instance, and a step loads each instance it moves once."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, select, update

from engine.cases import state as case_state
from engine.persistence import models as m
from engine.persistence.migrate import alembic_config, upgrade_to_head
from tests.integration.test_ui_queries import _sofortmeldung

EINGANG = {
    "eingegangen_am": "2026-03-02T08:50:00+01:00",
    "kanal": "meldung_traeger",
    "meldende_stelle": "kita_kindertagespflege",
    "anonym": False,
    "inhalt": "Akut.",
}
ERSTEINSCHAETZUNG = {
    "dringlichkeit": "rot",
    "gewichtige_anhaltspunkte": True,
    "begruendung": "Verletzungen.",
    "bekannter_fall": False,
    "weitere_kinder_im_haushalt": False,
}


def _columns(world, case_id: int) -> tuple:
    with world.engine.reading() as uow:
        case = uow.session.get(m.Case, case_id)
        return case.views_written, case.dringlichkeit, case.current_task_key, case.current_task_title


def _count_instance_opens(monkeypatch) -> list[str]:
    opened: list[str] = []
    original = case_state.open_state

    def counting(work, case, blob):
        opened.append(case.reference)
        return original(work, case, blob)

    monkeypatch.setattr(case_state, "open_state", counting)
    return opened


def _task(world, user: str, case_id: int, key: str) -> dict:
    return next(t for t in world.engine.case(world[user], case_id)["open_tasks"] if t["task"] == key)


def test_steps_write_the_view_columns_and_views_open_no_instance(world, child, monkeypatch):
    engine = world.engine
    ja = _sofortmeldung(world, child)
    engine.take_over(world["goch_fk"], ja)
    assert _columns(world, ja) == (True, None, "eingang_erfassen", "Eingang erfassen")
    opened = _count_instance_opens(monkeypatch)
    eingang = _task(world, "goch_fk", ja, "eingang_erfassen")
    assert engine.task(world["goch_fk"], eingang["id"])["data"]  # prefilled from the Meldebogen
    assert opened == []  # case and task views read columns and the sealed prefill
    engine.complete_task(world["goch_fk"], eingang["id"], EINGANG)
    assert len(opened) == 1  # one load of the one instance the step moved
    first = _task(world, "goch_fk", ja, "ersteinschaetzung")
    engine.complete_task(world["goch_fk"], first["id"], ERSTEINSCHAETZUNG)
    assert _columns(world, ja)[1:] == (
        "rot",
        "ersteinschaetzung_bestaetigen",
        "Ersteinschätzung bestätigen (zweite Fachkraft)",
    )
    opened.clear()
    assert engine.case(world["goch_fk"], ja)["ampel"] == {"dringlichkeit": "rot", "bestaetigt": False}
    assert opened == []


def test_a_process_without_an_ampel_writes_none(world, child):
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    assert _columns(world, case.case_id) == (
        True,
        None,
        "anhaltspunkte_dokumentieren",
        "Gewichtige Anhaltspunkte dokumentieren",
    )


def test_migration_0006_and_init_fill_existing_rows(world, child):
    """Rows saved before 0006: the migration fills the current step from the inbox projection, `init`
    (which holds the keys) the Dringlichkeit and the sealed prefills."""
    engine = world.engine
    triaged, waiting = _sofortmeldung(world, child), _sofortmeldung(world, child)
    for ja in (triaged, waiting):
        engine.complete_task(world["goch_fk"], _task(world, "goch_fk", ja, "eingang_erfassen")["id"], EINGANG)
    engine.complete_task(
        world["goch_fk"], _task(world, "goch_fk", triaged, "ersteinschaetzung")["id"], ERSTEINSCHAETZUNG
    )
    open_task = _task(world, "goch_fk", waiting, "ersteinschaetzung")
    prefilled = engine.task(world["goch_fk"], open_task["id"])["data"]
    assert prefilled == {"dringlichkeit": "rot"}  # from the Meldebogen's "akut"
    expected = {case_id: _columns(world, case_id) for case_id in _case_ids(world)}
    # Without the foreign-key pragma of `make_engine`: SQLite's batch mode copies the cases table.
    plain = create_engine(engine.db.url.render_as_string(hide_password=False))
    try:
        command.downgrade(alembic_config(plain), "0005")
        upgrade_to_head(plain)
    finally:
        plain.dispose()
    for case_id, (_, _, key, title) in expected.items():
        assert _columns(world, case_id) == (False, None, key, title)
    with engine.work() as (uow, work):
        assert case_state.fill_view_columns(work) == len(expected)
        uow.commit()
    assert {case_id: _columns(world, case_id) for case_id in expected} == expected
    assert expected[triaged][1] == "rot"
    assert engine.task(world["goch_fk"], open_task["id"])["data"] == prefilled
    with engine.work() as (uow, work):
        assert case_state.fill_view_columns(work) == 0


def _case_ids(world) -> list[int]:
    with world.engine.reading() as uow:
        return list(uow.session.execute(select(m.Case.id).order_by(m.Case.id)).scalars())


def test_fill_view_columns_repairs_a_row_marked_unwritten(world, child):
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    with world.engine.writing() as uow:
        uow.session.execute(update(m.Case).values(views_written=False, current_task_key=None, current_task_title=None))
        uow.commit()
    with world.engine.work() as (uow, work):
        assert case_state.fill_view_columns(work) == 1
        uow.commit()
    assert _columns(world, case.case_id)[2] == "anhaltspunkte_dokumentieren"
