"""Backup and restore (issue 14, item 6) on SQLite and PostgreSQL: the key material goes to its own
folder, `audit verify` passes after a restore against the checkpoints taken before the backup, and a
case shredded after the backup stays shredded (the shred ledger is re-applied)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.api import build_engine, create_backup, restore_backup
from engine.persistence import models as m
from engine.persistence.sealed import case_scope
from tests.support.cases import closed_case
from tests.support.pg_cluster import find_pg_bin
from web.cli import main

REASON = "Aufbewahrungsfrist abgelaufen"


def _quiet(*_args: object) -> None:
    pass


def test_a_restore_keeps_the_trail_verifiable_and_later_shreds_shredded(world, child, database_url, instance, tmp_path):
    engine = world.engine
    pg_bin = None if database_url.startswith("sqlite") else find_pg_bin()
    early_id, early = closed_case(world, child)
    engine.shred_case(early, reason=REASON, operator="test")
    later_id, later = closed_case(world, {**child, "vorname": "Lena"})
    engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "vorname": "Alt"})

    report = create_backup(
        engine,
        instance,
        tmp_path / "sicherung",
        tmp_path / "schluessel",
        operator="test",
        pg_bin=pg_bin,
        say=_quiet,
        progress=_quiet,
    )
    assert not any(path.name.startswith("kek-") or path.suffix == ".key" for path in report.folder.iterdir())
    assert {path.name for path in report.keys_folder.iterdir()} >= {"current", "checkpoint-signing.key"}
    assert report.manifest.head_seq > 0

    engine.shred_case(later, reason=REASON, operator="test")  # after the backup: the copy still has its key
    engine.rotate_index_key(operator="test")  # retires (shreds) the blind-index key the copy indexes with
    engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "vorname": "Nach"})
    engine.checkpoint()  # signs events the copy lacks: that log is set aside by the restore
    engine.db.dispose()

    restored = restore_backup(
        database_url,
        engine.clock,
        instance,
        report.folder,
        None,
        operator="test",
        pg_bin=pg_bin,
        say=_quiet,
        progress=_quiet,
    )
    assert restored.reshredded == [case_scope(later), "blind-index/1"]
    assert restored.set_aside is not None and restored.set_aside.exists()

    again = build_engine(database_url, engine.clock, instance)
    try:
        assert again.verify_trail().ok
        with again.reading() as uow:
            assert uow.session.execute(select(func.count()).select_from(m.Case)).scalar_one() == 3
            conn = uow.session.connection()
            assert again.vault.is_shredded(conn, case_scope(early))
            assert again.vault.is_shredded(conn, case_scope(later))
            operations = list(again.vault.read(conn, types=["backup.created", "backup.restored"]))
            (reshred,) = again.vault.read(conn, case_ref=later, types=["case.shredded"])
        assert again.case(world["kita_leitung"], later_id)["shredded"] is True
        # the index works again under a new key: an old case is found, a new one indexed
        assert again.cases(world["kita_fk"], {"q": "Alt Beispielkind"}).rows
        again.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "vorname": "Neu"})
        assert again.cases(world["kita_fk"], {"q": "Neu Beispielkind"}).rows
        assert again.case(world["kita_leitung"], early_id)["shredded"] is True
        assert [event.type for event in operations] == ["backup.created", "backup.restored"]
        assert operations[1].payload == {"gesichert_am": report.manifest.created_at.isoformat(), "erneut_vernichtet": 2}
        assert "nach Wiederherstellung erneut angewandt" in reshred.payload["reason"]
    finally:
        again.db.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_commands_keep_keys_apart_and_refuse_a_damaged_backup(case_engine, instance, tmp_path, monkeypatch):
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(instance))
    monkeypatch.setenv("SCHUTZPFAD_DATABASE_URL", case_engine.db.url.render_as_string())
    runner = CliRunner()
    backup, keys = tmp_path / "sicherung", tmp_path / "schluessel"

    inside = runner.invoke(main, ["backup", str(backup), "--keys", str(backup / "keys")])
    assert inside.exit_code == 1 and "getrennte Ordner" in inside.stderr and "Traceback" not in inside.output

    made = runner.invoke(main, ["backup", str(backup), "--keys", str(keys)])
    assert made.exit_code == 0, made.output
    assert "WARNUNG" in made.stderr and "getrennt" in made.stderr and str(keys) in made.stderr

    # the machine is lost: a fresh instance folder and database, the keys from their own folder
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(tmp_path / "neu"))
    monkeypatch.setenv("SCHUTZPFAD_DATABASE_URL", f"sqlite:///{tmp_path / 'neu.db'}")
    without_keys = runner.invoke(main, ["restore", str(backup), "--yes"])
    assert without_keys.exit_code == 1 and "--keys" in without_keys.stderr
    restored = runner.invoke(main, ["restore", str(backup), "--keys", str(keys), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "wiederhergestellt" in restored.stdout and "Datenbank wird wiederhergestellt" in restored.stderr
    verified = runner.invoke(main, ["audit", "verify"])
    assert verified.exit_code == 0 and verified.stdout.startswith("ok:"), verified.output

    manifest = json.loads((backup / "manifest.json").read_text())
    database = backup / manifest["database_file"]
    database.write_bytes(database.read_bytes()[:-1] + b"\x00")
    damaged = runner.invoke(main, ["restore", str(backup), "--yes"])
    assert damaged.exit_code == 1 and "beschädigt" in damaged.stderr and "Traceback" not in damaged.output

    not_a_backup = runner.invoke(main, ["restore", str(tmp_path), "--yes"])
    assert not_a_backup.exit_code == 1 and "kein Sicherungsordner" in not_a_backup.stderr
