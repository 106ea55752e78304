"""Retention per record type (rule R25, issue 14 item 7): the run lists and crypto-shreds closed
cases whose period ended — by result, with or without findings —, a Löschsperre stops it, both are
audited; the periods come from the defaults or the installation's file."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from engine.clock import BERLIN
from engine.deadlines.scheduler import DeadlineScheduler
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.persistence import models as m
from engine.persistence.sealed import case_scope
from engine.retention.policy import load_policy
from tests.support.cases import closed_case
from web.cli import main

DEFAULTS = load_policy(None)


def _shredded(engine, reference: str) -> bool:
    with engine.reading() as uow:
        return engine.vault.is_shredded(uow.session.connection(), case_scope(reference))


def test_the_run_shreds_what_is_due_and_spares_the_held_and_the_longer_kept(world, child):
    engine = world.engine
    due_id, due = closed_case(world, child)
    _, findings = closed_case(world, {**child, "vorname": "Lena"}, ergebnis="hilfe_laeuft")
    _, held = closed_case(world, {**child, "vorname": "Tom"})
    with engine.reading() as uow:
        assert uow.session.get(m.Case, due_id).befund is False
    engine.hold_case(held, reason="Familiengerichtliches Verfahren anhängig", operator="test")

    assert engine.run_retention(DEFAULTS, dry_run=False, operator="test").due == []  # five years not over
    engine.clock.advance(timedelta(days=5 * 366))

    dry = engine.run_retention(DEFAULTS, dry_run=True, operator="test")
    assert [(d.reference, d.record_type) for d in dry.due] == [(due, "fall_ohne_befund")]
    assert dry.shredded == [] and not _shredded(engine, due)

    done = engine.run_retention(DEFAULTS, dry_run=False, operator="test")
    assert done.shredded == [due]
    assert _shredded(engine, due) and not _shredded(engine, findings) and not _shredded(engine, held)
    assert engine.run_retention(DEFAULTS, dry_run=False, operator="test").due == []

    with engine.reading() as uow:
        conn = uow.session.connection()
        runs = [e.payload for e in engine.vault.read(conn, types=["retention.run"])]
        (shred,) = engine.vault.read(conn, case_ref=due, types=["case.shredded"])
        (hold,) = engine.vault.read(conn, case_ref=held, types=["case.hold_set"])
    assert runs[1] == {"probelauf": True, "faellig": [due], "vernichtet": []}
    assert runs[2] == {"probelauf": False, "faellig": [due], "vernichtet": [due]}
    assert shred.payload["reason"].startswith("Aufbewahrungsfrist abgelaufen (Abgeschlossener § 8a-Fall ohne Befund")
    assert hold.payload == {"reason": "Familiengerichtliches Verfahren anhängig"}

    engine.release_case(held, reason="Verfahren rechtskräftig abgeschlossen", operator="test")
    assert engine.run_retention(DEFAULTS, dry_run=False, operator="test").shredded == [held]
    # with findings: 70 years from the child's 30th birthday (born 17 May 2020): 17 May 2120
    engine.clock.set(datetime(2120, 5, 16, 12, tzinfo=BERLIN))
    assert engine.run_retention(DEFAULTS, dry_run=True, operator="test").due == []
    engine.clock.set(datetime(2120, 5, 17, 12, tzinfo=BERLIN))
    assert engine.run_retention(DEFAULTS, dry_run=False, operator="test").shredded == [findings]


def test_only_the_jugendamts_leitung_holds_its_case(world, child):
    engine = world.engine
    case_id = engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id
    assert engine.case_hold(world["goch_leitung"], case_id) == {"may_hold": True, "held": False, "hold": None}
    with pytest.raises(NotAllowed):
        engine.set_case_hold(world["goch_fk"], case_id, "Akteneinsicht beantragt")
    with pytest.raises(NotFound):
        engine.set_case_hold(world["kita_leitung"], case_id, "Akteneinsicht beantragt")
    with pytest.raises(ValidationFailed):
        engine.set_case_hold(world["goch_leitung"], case_id, " ")
    engine.set_case_hold(world["goch_leitung"], case_id, "Akteneinsicht beantragt")
    with pytest.raises(Conflict):
        engine.set_case_hold(world["goch_leitung"], case_id, "Noch einmal gesperrt")
    shown = engine.case_hold(world["goch_leitung"], case_id)
    assert shown["held"] and shown["hold"].reason == "Akteneinsicht beantragt" and shown["hold"].set_by
    assert engine.case_hold(world["goch_fk"], case_id) == {"may_hold": False, "held": True, "hold": None}
    engine.release_case_hold(world["goch_leitung"], case_id, "Einsicht gewährt")
    assert engine.case_hold(world["goch_leitung"], case_id)["held"] is False


def test_periods_come_from_the_installations_file(tmp_path):
    path = tmp_path / "aufbewahrung.json"
    path.write_text(json.dumps({"fall_ohne_befund": {"dauer": "P2Y6M"}, "fall_mit_befund": {"ab": "abschluss"}}))
    policy = load_policy(path)
    assert policy["fall_ohne_befund"].text == "2 Jahre, 6 Monate ab Abschluss"
    assert policy["fall_mit_befund"].text == "70 Jahre ab Abschluss"
    assert policy["statistik"] == DEFAULTS["statistik"]
    for wrong, message in (
        ({"akten": {"dauer": "P1Y"}}, "unbekannte Datensatzart"),
        ({"fall_ohne_befund": {"dauer": "5 Jahre"}}, "keine Dauer"),
        ({"audit_metadaten": {"ab": "abschluss"}}, "nicht möglich"),
    ):
        path.write_text(json.dumps(wrong))
        with pytest.raises(Exception, match=message):
            load_policy(path)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_commands_and_the_monthly_job(world, child, instance, tmp_path, monkeypatch):
    engine = world.engine
    _, held = closed_case(world, child)
    _, due = closed_case(world, {**child, "vorname": "Lena"})
    periods = tmp_path / "aufbewahrung.json"
    periods.write_text(json.dumps({"fall_ohne_befund": {"dauer": "P0D"}}))
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(instance))
    monkeypatch.setenv("SCHUTZPFAD_DATABASE_URL", engine.db.url.render_as_string())
    monkeypatch.setenv("SCHUTZPFAD_RETENTION_FILE", str(periods))
    runner = CliRunner()

    shown = runner.invoke(main, ["retention", "show"])
    assert shown.exit_code == 0 and "fall_ohne_befund\t0 Tage ab Abschluss\twird vernichtet" in shown.stdout
    unknown = runner.invoke(main, ["retention", "hold", "--case", "KS-1999-000001", "--reason", "Gerichtsverfahren"])
    assert unknown.exit_code == 1 and "Fall nicht gefunden" in unknown.stderr
    assert runner.invoke(main, ["retention", "hold", "--case", held, "--reason", "Gerichtsverfahren"]).exit_code == 0

    dry = runner.invoke(main, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0 and f"{due}\tfall_ohne_befund" in dry.stdout and held not in dry.stdout
    assert "1 fällig (Probelauf)" in dry.stderr and not _shredded(engine, due)
    done = runner.invoke(main, ["retention", "run"])
    assert done.exit_code == 0 and "vernichtet" in done.stdout and _shredded(engine, due)
    assert not _shredded(engine, held)

    periods.write_text(json.dumps({"fall_ohne_befund": {"dauer": "bald"}}))
    wrong = runner.invoke(main, ["retention", "run"])
    assert wrong.exit_code == 1 and "keine Dauer" in wrong.stderr and "Traceback" not in wrong.output

    scheduler = DeadlineScheduler(engine, retention=load_policy(None))
    scheduler.start()
    try:
        monthly = scheduler._scheduler.get_job("retention")
        assert monthly.next_run_time.day == 1 and monthly.next_run_time.hour == 3
    finally:
        scheduler.stop()
    engine.release_case(held, reason="Verfahren beendet", operator="test")
    DeadlineScheduler(engine, retention=load_policy(tmp_path / "keine.json")).run_retention()
    assert not _shredded(engine, held)  # the defaults: five years
    periods.write_text(json.dumps({"fall_ohne_befund": {"dauer": "P0D"}}))
    DeadlineScheduler(engine, retention=load_policy(periods)).run_retention()
    assert _shredded(engine, held)
