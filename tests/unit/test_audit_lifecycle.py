"""Field encryption, crypto-shredding and key rotation (interrupted and resumed) on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, select

from audit import AuditError, AuditVault, DecryptionFailed, Shredded
from audit.tables import data_keys

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SCOPE = "case:KS-2026-000001"


def event(vault: AuditVault, conn: Connection, scope: str, **payload: object) -> int:
    case = scope.removeprefix("case:") if scope.startswith("case:") else None
    return vault.append(
        conn,
        time=NOW,
        actor="kita_fk",
        organisation="kita-kevelaer",
        case_ref=case,
        scope=scope,
        type="t",
        payload=payload,
    )


# -- fields --------------------------------------------------------------------------------------


def test_field_round_trip_keeps_type(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        for value in ["Beispielkind", b"\x00\x01", {"strasse": "Markt 1", "plz": "47574"}, ["a", 1]]:
            blob = vault.seal_field(conn, SCOPE, "children/1/x", value, now=NOW)
            assert blob[0] == 1 and b"Markt" not in blob
            assert vault.open_field(conn, SCOPE, "children/1/x", blob) == value
        text = vault.seal_field(conn, SCOPE, "children/1/nachname", "Beispielkind")
        assert vault.open_text(conn, SCOPE, "children/1/nachname", text) == "Beispielkind"
        with pytest.raises(AuditError):
            vault.open_json(conn, SCOPE, "children/1/nachname", text)
        address = vault.seal_field(conn, SCOPE, "children/1/anschrift", {"ort": "Goch"})
        assert vault.open_json(conn, SCOPE, "children/1/anschrift", address) == {"ort": "Goch"}
        with pytest.raises(AuditError):
            vault.open_text(conn, SCOPE, "children/1/anschrift", address)


def test_field_swapped_between_rows_or_cases_does_not_open(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        mia = vault.seal_field(conn, SCOPE, "children/1/nachname", "Beispielkind")
        other = vault.seal_field(conn, "case:KS-2026-000002", "children/2/nachname", "Anders")
        with pytest.raises(DecryptionFailed):
            vault.open_field(conn, SCOPE, "children/2/nachname", mia)  # other row
        with pytest.raises(DecryptionFailed):
            vault.open_field(conn, SCOPE, "children/1/vorname", mia)  # other field
        with pytest.raises(DecryptionFailed):
            vault.open_field(conn, "case:KS-2026-000002", "children/1/nachname", mia)  # other case key
        with pytest.raises(DecryptionFailed):
            vault.open_field(conn, SCOPE, "children/1/nachname", other)


def test_open_field_without_a_data_key(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn, pytest.raises(DecryptionFailed, match="keinen Datenschlüssel"):
        vault.open_field(conn, SCOPE, "children/1/nachname", b"\x01" + bytes(40))


def test_open_json_many_reads_the_keys_of_a_page_at_once(vault: AuditVault, db: Engine, monkeypatch) -> None:
    """A list page opens one sealed object per row with one read of all their keys (issue 11)."""
    with db.begin() as conn:
        fields = []
        for i in range(1, 4):
            scope, record = f"case:KS-2026-00000{i}", f"cases/{i}/child_data"
            fields.append((scope, record, vault.seal_field(conn, scope, record, {"n": i}, now=NOW)))
        fields.append((fields[0][0], "cases/1/other", vault.seal_field(conn, fields[0][0], "cases/1/other", {"n": 9})))
        vault.shred(conn, fields[1][0], reason="Frist", now=NOW)
        statements: list[str] = []
        monkeypatch.setattr(conn, "execute", _counting(conn.execute, statements))
        assert vault.open_json_many(conn, fields) == [{"n": 1}, None, {"n": 3}, {"n": 9}]
        assert len(statements) == 1
        assert vault.open_json_many(conn, []) == []
        with pytest.raises(DecryptionFailed):  # swapped between rows: like open_json
            vault.open_json_many(conn, [(fields[0][0], "cases/1/child_data", fields[3][2])])
        with pytest.raises(DecryptionFailed, match="keinen Datenschlüssel"):
            vault.open_json_many(conn, [("case:KS-2026-000099", "cases/99/child_data", fields[0][2])])
        text = vault.seal_field(conn, fields[2][0], "cases/3/name", "Mia")
        with pytest.raises(AuditError, match="kein JSON-Objekt"):
            vault.open_json_many(conn, [(fields[2][0], "cases/3/name", text)])


def _counting(execute, statements: list[str]):
    def counted(statement, *args, **kwargs):
        statements.append(str(statement))
        return execute(statement, *args, **kwargs)

    return counted


def test_data_key_is_created_once_and_stored_wrapped(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        vault.seal_field(conn, SCOPE, "a/1/b", "x", now=NOW)
        vault.seal_field(conn, SCOPE, "a/1/c", "y", now=NOW + timedelta(days=1))
        rows = conn.execute(select(data_keys)).all()
    assert len(rows) == 1
    assert rows[0].kek_id == vault.provider.current_kek_id()
    assert rows[0].created_at == NOW and len(rows[0].wrapped) == 1 + 12 + 32 + 16


# -- shredding -----------------------------------------------------------------------------------


def test_shred_makes_content_unreadable_and_chain_still_verifies(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        event(vault, conn, SCOPE, note="vor")
        event(vault, conn, "system", note="anderes")
        blob = vault.seal_field(conn, SCOPE, "children/1/nachname", "Beispielkind")
    with db.begin() as conn:
        vault.shred(conn, SCOPE, reason="Aufbewahrungsfrist abgelaufen", now=NOW + timedelta(days=3650))
    with db.begin() as conn:
        events = list(vault.read(conn))
        assert [(e.payload, e.shredded) for e in events] == [(None, True), ({"note": "anderes"}, False)]
        assert events[0].case_ref == "KS-2026-000001"  # the header stays: who did what when, not what
        with pytest.raises(Shredded, match="KS-2026-000001"):
            vault.open_field(conn, SCOPE, "children/1/nachname", blob)
        row = conn.execute(select(data_keys).where(data_keys.c.scope == SCOPE)).one()
        assert row.wrapped is None and row.shred_reason == "Aufbewahrungsfrist abgelaufen"
        assert row.shredded_at == NOW + timedelta(days=3650)
        result = vault.verify(conn)
        assert result.ok and result.checked == 2


def test_shredded_scope_takes_no_new_content(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        event(vault, conn, SCOPE)
        vault.shred(conn, SCOPE, reason="Frist", now=NOW)
        with pytest.raises(Shredded):
            event(vault, conn, SCOPE)
        with pytest.raises(Shredded):
            vault.seal_field(conn, SCOPE, "children/1/nachname", "x")
        with pytest.raises(Shredded):
            vault.shred(conn, SCOPE, reason="nochmal", now=NOW)


def test_shred_of_a_scope_without_key_leaves_a_tombstone(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        vault.shred(conn, SCOPE, reason="Frist", now=NOW)
        with pytest.raises(Shredded):
            vault.seal_field(conn, SCOPE, "children/1/nachname", "x")


def test_shred_needs_a_reason_and_an_aware_time(vault: AuditVault, db: Engine) -> None:
    with db.begin() as conn:
        event(vault, conn, SCOPE)
        with pytest.raises(AuditError, match="Grund"):
            vault.shred(conn, SCOPE, reason="  ", now=NOW)
        with pytest.raises(AuditError):
            vault.shred(conn, SCOPE, reason="Frist", now=datetime(2026, 3, 2))


# -- rotation ------------------------------------------------------------------------------------


def populate(vault: AuditVault, db: Engine, scopes: int) -> None:
    with db.begin() as conn:
        for i in range(scopes):
            event(vault, conn, f"case:KS-2026-{i:06d}", nr=i)


def kek_ids(db: Engine) -> set[str | None]:
    with db.begin() as conn:
        return set(conn.execute(select(data_keys.c.kek_id)).scalars())


def test_rotation_rewraps_everything_and_old_events_stay_readable(vault: AuditVault, db: Engine) -> None:
    populate(vault, db, 25)
    with db.begin() as conn:
        vault.shred(conn, "case:KS-2026-000003", reason="Frist", now=NOW)
    old = vault.provider.current_kek_id()
    calls: list[tuple[int, int]] = []
    report = vault.rotate(db.begin, lambda done, total: calls.append((done, total)), batch_size=10)
    assert report.kek_id != old and report.kek_id == vault.provider.current_kek_id()
    assert (report.rewrapped, report.resumed) == (24, False)
    assert calls == [(0, 24), (10, 24), (20, 24), (24, 24)]
    assert kek_ids(db) == {report.kek_id, None}  # None: the shredded scope has no key at all
    with db.begin() as conn:
        payloads = [e.payload for e in vault.read(conn)]
        assert payloads[:3] == [{"nr": 0}, {"nr": 1}, {"nr": 2}] and payloads[3] is None
        assert vault.verify(conn).ok
        vault.check(conn)


def test_interrupted_rotation_resumes_without_another_key(vault: AuditVault, db: Engine) -> None:
    populate(vault, db, 25)
    old = vault.provider.current_kek_id()
    batches = 0

    @contextmanager
    def crashing_after_two_batches() -> Iterator[Connection]:
        nonlocal batches
        with db.begin() as conn:
            yield conn
            batches += 1
            if batches == 4:  # count, count, batch 1, batch 2 — the second batch rolls back
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        vault.rotate(crashing_after_two_batches, batch_size=10)
    new = vault.provider.current_kek_id()
    with db.begin() as conn:
        on_new = conn.execute(select(data_keys.c.scope).where(data_keys.c.kek_id == new)).scalars().all()
    assert len(on_new) == 10  # only the committed batch moved
    assert kek_ids(db) == {old, new}
    with db.begin() as conn:  # mid-rotation, everything is still readable
        assert len([e for e in vault.read(conn) if e.payload is not None]) == 25
        event(vault, conn, "case:KS-2026-999999")  # a new case gets the new KEK
        assert (
            conn.execute(select(data_keys.c.kek_id).where(data_keys.c.scope == "case:KS-2026-999999")).scalar() == new
        )

    report = vault.rotate(db.begin, batch_size=10)
    assert (report.kek_id, report.rewrapped, report.resumed) == (new, 15, True)
    assert kek_ids(db) == {new}
    # Done: the next rotation makes a fresh key again.
    assert vault.rotate(db.begin).kek_id not in {old, new}


def test_rotation_refuses_a_silly_batch_size(vault: AuditVault, db: Engine) -> None:
    with pytest.raises(AuditError):
        vault.rotate(db.begin, batch_size=0)
