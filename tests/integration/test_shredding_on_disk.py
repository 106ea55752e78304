"""Crypto-shredding is complete on disk (issue 13, finding 4): after a shred no file of the database
holds the wrapped data key any more, so a copy of the main file (without its `-wal`) plus `keys/`
cannot decrypt the shredded child's record; the shred ledger names the scope."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import select

from audit import Shredded
from audit.tables import data_keys
from engine.bootstrap import SHRED_LEDGER, build_engine
from engine.persistence import models as m
from engine.persistence.sealed import case_scope
from tests.support.cases import closed_case

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _wrapped_key(world, reference: str) -> bytes:
    with world.engine.reading() as uow:
        row = uow.session.execute(
            select(data_keys.c.wrapped).where(data_keys.c.scope == case_scope(reference))
        ).scalar_one()
    return bytes(row)


def test_a_copy_of_the_main_file_and_the_keys_cannot_decrypt_a_shredded_child(world, child, tmp_path, instance):
    case_id, reference = closed_case(world, child)
    wrapped = _wrapped_key(world, reference)
    database = tmp_path / "schutzpfad.db"
    with world.engine.reading() as uow:
        sealed_child = bytes(uow.session.get(m.Case, case_id).child_data)

    world.engine.shred_case(reference, reason="Aufbewahrungsfrist abgelaufen", operator="test")

    # The idle server keeps its connections open (no checkpoint on close); the copy is taken now.
    for leftover in (database, database.with_name("schutzpfad.db-wal")):
        assert not leftover.exists() or wrapped not in leftover.read_bytes(), leftover.name
    stolen = tmp_path / "stolen"
    stolen.mkdir(mode=0o700)
    shutil.copy(database, stolen / "schutzpfad.db")
    shutil.copytree(instance / "keys", stolen / "keys")
    raw = sqlite3.connect(stolen / "schutzpfad.db")
    assert raw.execute("SELECT wrapped FROM data_keys WHERE scope = ?", (case_scope(reference),)).fetchone() == (None,)
    raw.close()
    thief = build_engine(f"sqlite:///{stolen / 'schutzpfad.db'}", world.engine.clock, stolen)
    with thief.reading() as uow, pytest.raises(Shredded):
        thief.vault.open_field(
            uow.session.connection(), case_scope(reference), f"cases/{reference}/child_data", sealed_child
        )
    thief.db.dispose()
    assert case_scope(reference) in (instance / SHRED_LEDGER).read_text()


def test_sqlite_runs_durable_and_overwrites_deleted_content(case_engine):
    with case_engine.db.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
