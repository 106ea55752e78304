"""The Leitung reviews and locks a Jugendamt's § 99 Abs. 6 year (R23): refused while a record needs
fixing, audited with its counts; a locked year cannot change — a case corrected afterwards is listed
as "nach Abschluss geändert" and the numbers stay as locked — until a correction unlocks it, with a
reason."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.accounts import registry as accounts
from engine.clock import BERLIN
from engine.errors import Conflict, NotAllowed, ValidationFailed
from engine.persistence import models as m
from tests.process.test_statistics_99 import KEIN_EINDRUCK, statistics_case
from tests.support.statistics import correct_record
from web.cli import main

#: statistics_case drives the task sequence of jugendamt_8a version 1 (see test_statistics_99.py).
pytestmark = pytest.mark.shipped_up_to(1)

JANUARY_2027 = datetime(2027, 1, 15, 10, 0, tzinfo=BERLIN)


def _events(world, kind: str) -> list[dict]:
    with world.engine.reading() as uow:
        return [e.payload for e in world.engine.vault.read(uow.session.connection(), types=[kind])]


def test_a_locked_year_stays_as_locked_when_a_case_changes(steps, world, child) -> None:
    first = statistics_case(steps, child)
    older = {**child, "geburtsdatum": "2015-05-17"}
    statistics_case(steps, older, geburtsjahr=2015, ergebnis="keine_kwg_hilfebedarf")
    left_out = statistics_case(steps, child, eindruck=KEIN_EINDRUCK)
    leitung = world["goch_leitung"]
    before = world.engine.statistics_99(leitung, "ja-goch", 2026)
    world.engine.clock.set(JANUARY_2027)

    locked = world.engine.lock_statistics_99(leitung, "ja-goch", 2026)
    assert locked.lock is not None and locked.lock.locked_by == leitung.display_name
    assert locked.csv == before.csv and locked.summary == before.summary and len(locked.records) == 2
    assert locked.lock.sha256 == hashlib.sha256(before.csv.encode()).hexdigest()
    assert [p.case_id for p in locked.not_counted] == [left_out] and locked.changed_after_lock == ()
    assert _events(world, "statistics.locked") == [
        {
            "jugendamt": "ja-goch",
            "jahr": 2026,
            "datensaetze": 2,
            "nicht_gezaehlt": 1,
            "ergebnis": {"latente_kwg": 1, "keine_kwg_hilfebedarf": 1},
            "sha256": locked.lock.sha256,
        }
    ]

    correct_record(world, first, aufenthaltsort="pflegefamilie", ergebnis="akute_kwg")
    after = world.engine.statistics_99(leitung, "ja-goch", 2026)
    assert after.csv == locked.csv and after.summary == locked.summary and after.problems == ()
    assert [(p.case_id, p.text) for p in after.changed_after_lock] == [
        (
            first,
            "Nach Abschluss geändert: „Ergebnis der Gefährdungseinschätzung“,"
            " „Aufenthaltsort des Kindes zum Zeitpunkt der Meldung“.",
        )
    ]
    with pytest.raises(Conflict):
        world.engine.lock_statistics_99(leitung, "ja-goch", 2026)

    # a correction: unlocked with a reason, the year reads the cases as they are now
    with pytest.raises(ValidationFailed) as no_reason:
        world.engine.unlock_statistics_99(leitung, "ja-goch", 2026, "  ")
    assert "grund" in no_reason.value.errors
    world.engine.unlock_statistics_99(leitung, "ja-goch", 2026, "Ergebnis nach Fallkonferenz korrigiert.")
    assert _events(world, "statistics.unlocked") == [
        {
            "jugendamt": "ja-goch",
            "jahr": 2026,
            "datensaetze": 2,
            "sha256": locked.lock.sha256,
            "grund": "Ergebnis nach Fallkonferenz korrigiert.",
        }
    ]
    reopened = world.engine.statistics_99(leitung, "ja-goch", 2026)
    assert reopened.lock is None and reopened.summary["ergebnis"] == {"akute_kwg": 1, "keine_kwg_hilfebedarf": 1}
    with pytest.raises(Conflict):
        world.engine.unlock_statistics_99(leitung, "ja-goch", 2026, "noch einmal")
    relocked = world.engine.lock_statistics_99(leitung, "ja-goch", 2026)
    assert relocked.lock is not None and relocked.lock.sha256 != locked.lock.sha256


def test_locking_is_refused_while_a_record_needs_fixing_or_the_year_runs(steps, world, child) -> None:
    leitung = world["goch_leitung"]
    wrong = statistics_case(steps, child, geburtsmonat=13)
    with pytest.raises(ValidationFailed) as running:
        world.engine.lock_statistics_99(leitung, "ja-goch", 2026)
    assert "jahr" in running.value.errors
    world.engine.clock.set(JANUARY_2027)
    with pytest.raises(ValidationFailed) as to_fix:
        world.engine.lock_statistics_99(leitung, "ja-goch", 2026)
    with world.engine.reading() as uow:
        reference = uow.session.get(m.Case, wrong).reference
    assert to_fix.value.errors == {"zu_korrigieren": [f"{reference}: Geburtsmonat 13: muss zwischen 1 und 12 liegen."]}
    assert _events(world, "statistics.locked") == []
    with world.engine.reading() as uow:
        assert uow.session.execute(select(m.StatisticsLock)).first() is None


def test_only_the_jugendamts_own_leitung_locks_and_unlocks(world) -> None:
    world.engine.clock.set(JANUARY_2027)
    with world.engine.writing() as uow:
        user = accounts.create_user(
            uow.session,
            username="kevelaer_leitung",
            organisation_key="ja-kevelaer",
            role="ja_leitung",
            password=None,
            now=JANUARY_2027,
            display_name="Leitung Kevelaer",
            mfa_required=False,
        )
        other_leitung = accounts.actor_for_user(uow.session, user)
        uow.commit()
    for actor in (world["goch_fk"], world["kita_leitung"], other_leitung):
        with pytest.raises(NotAllowed):
            world.engine.lock_statistics_99(actor, "ja-goch", 2026)
        with pytest.raises(NotAllowed):
            world.engine.unlock_statistics_99(actor, "ja-goch", 2026, "Korrektur")
        with pytest.raises(NotAllowed):
            world.engine.statistics_99(actor, "ja-goch", 2026)
    assert world.engine.lock_statistics_99(other_leitung, "ja-kevelaer", 2026).lock is not None


def test_the_cli_exports_a_locked_year_as_locked(steps, world, child, database_url, instance, tmp_path, monkeypatch):
    counted = statistics_case(steps, child)
    world.engine.clock.set(JANUARY_2027)
    locked = world.engine.lock_statistics_99(world["goch_leitung"], "ja-goch", 2026)
    correct_record(world, counted, eingliederungshilfe=True)
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(instance))
    monkeypatch.setenv("SCHUTZPFAD_DATABASE_URL", database_url)
    out = tmp_path / "kwg.csv"
    args = ["statistik", "export", "--jugendamt", "ja-goch", "--jahr", "2026", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == locked.csv
    assert (
        "Nach Abschluss geändert: „Erhält das Kind Eingliederungshilfe?“." in result.stderr
        and locked.lock.sha256 in result.stderr
    )
