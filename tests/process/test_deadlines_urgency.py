"""Every user task has a Frist (issue 10, item 5): `unverzueglich` where the BPMN declares none, and
`akut` for the intake of a case that started with a Sofortmeldung — from the profile, with the
deployed v1 bundles unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.clock import BERLIN
from engine.persistence import models as m
from tests.process.conftest import EINGANG, ERSTEINSCHAETZUNG
from tests.support.cases import open_task, sofortmeldung


def _sofortmeldung(world, child, clock) -> int:
    """A Träger's Sofortmeldung at 09:30 opens the Jugendamt case; its id."""
    return sofortmeldung(world, child, advance=lambda: clock.advance(timedelta(minutes=30)))


def _frist_keys(world, case_id: int) -> dict[str, str | None]:
    with world.engine.reading() as uow:
        rows = uow.session.query(m.Deadline).filter_by(case_id=case_id).all()
        return {d.task_key: d.frist_key for d in rows}


def test_a_task_without_its_own_frist_is_due_unverzueglich(world, child, clock):
    engine = world.engine
    opened = engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child)
    eingang = open_task(world, "goch_fk", opened.case_id, "eingang_erfassen")
    assert eingang["due_at"] == datetime(2026, 3, 3, 9, 0, tzinfo=BERLIN).astimezone(UTC).isoformat()  # 1 Werktag
    clock.advance(timedelta(minutes=20))
    engine.complete_task(world["goch_fk"], eingang["id"], EINGANG)
    first = open_task(world, "goch_fk", opened.case_id, "ersteinschaetzung")
    assert (
        first["due_at"] == datetime(2026, 3, 2, 13, 0, tzinfo=BERLIN).astimezone(UTC).isoformat()
    )  # its own key, PT4H
    assert _frist_keys(world, opened.case_id) == {
        "eingang_erfassen": "unverzueglich",
        "ersteinschaetzung": "ersteinschaetzung",
    }
    with engine.reading() as uow:
        assert uow.session.get(m.Case, opened.case_id).akut is False


def test_a_sofortmeldung_runs_the_intake_and_its_confirmation_on_akut(world, child, clock):
    engine = world.engine
    ja = _sofortmeldung(world, child, clock)
    opened = clock.now()
    with engine.reading() as uow:
        assert uow.session.get(m.Case, ja).akut is True
    assert open_task(world, "goch_fk", ja, "eingang_erfassen")["due_at"] == (opened + timedelta(hours=1)).isoformat()
    clock.advance(timedelta(minutes=10))
    engine.complete_task(world["goch_fk"], open_task(world, "goch_fk", ja, "eingang_erfassen")["id"], EINGANG)
    first = open_task(world, "goch_fk", ja, "ersteinschaetzung")
    assert first["due_at"] == (opened + timedelta(hours=1)).isoformat()  # frist_ab: the case's opening
    clock.advance(timedelta(minutes=20))
    engine.complete_task(world["goch_fk"], first["id"], {**ERSTEINSCHAETZUNG, "gewichtige_anhaltspunkte": True})
    confirmation = open_task(world, "goch_fk2", ja, "ersteinschaetzung_bestaetigen")
    assert confirmation["due_at"] == (clock.now() + timedelta(hours=1)).isoformat()  # from its own opening
    assert _frist_keys(world, ja) == {
        "eingang_erfassen": "akut",
        "ersteinschaetzung": "akut",
        "ersteinschaetzung_bestaetigen": "akut",
    }
    engine.complete_task(world["goch_fk2"], confirmation["id"], {"bestaetigt": True})
    assert _frist_keys(world, ja)["unmittelbarer_eindruck"] == "eindruck_gelb"  # after the intake: the BPMN's own


def test_the_network_profile_sets_akut_and_unverzueglich(world, child, clock):
    engine = world.engine
    engine.set_frist("kreis-kleve", "akut", "PT30M", operator="test")
    engine.set_frist("kreis-kleve", "unverzueglich", "PT2H", operator="test")
    ja = _sofortmeldung(world, child, clock)
    assert (
        open_task(world, "goch_fk", ja, "eingang_erfassen")["due_at"]
        == (clock.now() + timedelta(minutes=30)).isoformat()
    )
    direct = engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child)
    eingang = open_task(world, "goch_fk", direct.case_id, "eingang_erfassen")
    assert eingang["due_at"] == (clock.now() + timedelta(hours=2)).isoformat()


def test_an_overdue_akut_intake_is_reminded_and_escalated(world, child, clock):
    engine = world.engine
    ja = _sofortmeldung(world, child, clock)
    reference = engine.case(world["goch_fk"], ja)["reference"]
    clock.advance(timedelta(minutes=45))  # 75 % of an hour
    assert engine.run_due() == [f"{reference} eingang_erfassen: reminder"]
    clock.advance(timedelta(minutes=15))
    assert f"{reference} eingang_erfassen: escalated" in engine.run_due()
    assert open_task(world, "goch_fk", ja, "eingang_erfassen")["overdue"] is True
