"""The audit trail as the engine writes it (SQLite and PostgreSQL): every event in the transaction of
the change it records, refusals recorded although the refused change rolled back, auditors reading
with a reason, nobody else reading at all, shredding and rotation keeping the chain verifiable."""

from __future__ import annotations

import pytest

from audit import AuditError
from engine.errors import NotFound, ValidationFailed

BEOBACHTUNG = {
    "beobachtungen": "Kind erzählt von Schlägen durch den Stiefvater.",
    "beobachtet_am": "2026-03-02T08:15:00+01:00",
    "quelle": "aussage_kind",
    "akute_gefahr": False,
}


def _types(engine, case_ref=None):
    with engine.work() as (uow, work):
        return [e.type for e in engine.vault.read(uow.session.connection(), case_ref=case_ref)]


def _first(world, user, case_id):
    return world.engine.case(world[user], case_id)["open_tasks"][0]["id"]


def test_every_change_is_recorded_in_order_and_the_chain_verifies(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_fk"], case.open_tasks[0].id, BEOBACHTUNG)
    engine.case(world["kita_leitung"], case.case_id)
    assert _types(engine, case.reference) == ["case.created", "task.completed", "case.read"]
    with engine.work() as (uow, work):
        [completed] = [e for e in engine.vault.read(uow.session.connection(), types=["task.completed"])]
    assert completed.actor == "kita_fk" and completed.organisation == "kita-kevelaer"
    assert completed.payload["values"]["beobachtungen"] == BEOBACHTUNG["beobachtungen"]
    assert engine.verify_trail().ok


def test_refused_completion_is_recorded_although_nothing_else_changed(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    task_id = case.open_tasks[0].id
    with pytest.raises(NotFound):
        engine.complete_task(world["dueren_fk"], task_id, BEOBACHTUNG)
    with pytest.raises(Exception):  # noqa: B017 - ValidationFailed; the record is what matters
        engine.complete_task(world["kita_fk"], task_id, {"beobachtungen": ""})
    assert _types(engine, case.reference) == ["case.created", "access.denied", "task.rejected"]
    with engine.work() as (uow, work):
        [rejected] = list(engine.vault.read(uow.session.connection(), types=["task.rejected"]))
    assert "beobachtungen" in rejected.payload["errors"]
    assert engine.case(world["kita_fk"], case.case_id)["history"] == []


def test_a_failed_audit_write_fails_the_action(world, child, monkeypatch):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    task_id = case.open_tasks[0].id

    def broken(*args, **kwargs):
        raise AuditError("audit storage unavailable")

    monkeypatch.setattr(engine.vault, "append", broken)
    with pytest.raises(AuditError):
        engine.complete_task(world["kita_fk"], task_id, BEOBACHTUNG)
    monkeypatch.undo()
    view = engine.case(world["kita_fk"], case.case_id)
    assert view["history"] == [] and [t["id"] for t in view["open_tasks"]] == [task_id]


def test_meldung_is_recorded_on_both_sides(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_fk"], case.open_tasks[0].id, {**BEOBACHTUNG, "akute_gefahr": True})
    engine.complete_task(
        world["kita_leitung"],
        _first(world, "kita_leitung", case.case_id),
        {
            "gemeldet_am": "2026-03-02T08:45:00+01:00",
            "kanal": "telefon",
            "polizei_informiert": True,
            "eltern_informiert": True,
            "zusammenfassung": "Akute Gefahr.",
        },
    )
    ja_ref = engine.case(world["kita_leitung"], case.case_id)["links"][0]["reference"]
    assert "message.sent" in _types(engine, case.reference)
    assert _types(engine, ja_ref)[:2] == ["case.created", "message.received"]


def test_auditor_reads_with_a_reason_others_may_not(api, world, child):
    case = api.call("POST", "/cases", json={"process": "traeger_8a", "child": child}).get_json()
    path = f"/cases/{case['id']}/audit"
    missing = api.call("GET", path, user="kita_revision")
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    events = api.call("GET", f"{path}?reason=Datenschutzprüfung 2026", user="kita_revision").get_json()
    # The 201 response shows the case as stored: that read is recorded like any other.
    assert [e["type"] for e in events] == ["case.created", "case.read"]
    assert events[0]["payload"]["child"]["nachname"] == child["nachname"]
    assert api.call("GET", f"{path}?reason=Neugier ohne Auftrag", user="kita_fk").status_code == 403
    assert api.call("GET", f"{path}?reason=Neugier ohne Auftrag", user="dueren_revision").status_code == 404
    assert api.call("GET", f"{path}?reason=Neugier ohne Auftrag", user="kita_admin").status_code == 404
    # the three refused reads of the trail leave a trace (a case worker's 403 like a stranger's 404)
    assert _types(world.engine, case["reference"])[-4:] == ["audit.read"] + ["access.denied"] * 3
    verify = api.call("GET", "/audit/verify", user="kita_revision").get_json()
    assert verify["ok"] is True and verify["checked"] >= 3 and verify["first_bad_seq"] is None
    assert api.call("GET", "/audit/verify", user="kita_fk").status_code == 403


def test_admin_reaches_no_case_content_by_any_route(api, world, child):
    case = api.call("POST", "/cases", json={"process": "traeger_8a", "child": child}).get_json()
    task_id = case["open_tasks"][0]["id"]
    values = {"case_id": case["id"], "task_id": task_id, "match_id": 1, "sample_id": 1, "position": 1, "access_id": 1}
    seen = 0
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule.replace("/api/v1", "")
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name])).replace(f"<{name}>", str(values[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = api.call(method, f"{path}?reason=Administration prüft", user="kita_admin", json=BEOBACHTUNG)
            body = response.get_data(as_text=True)
            assert child["nachname"] not in body and child["vorname"] not in body, (method, path)
            assert "Markt 1" not in body
            seen += 1
    assert seen >= 9
    assert api.call("GET", f"/cases/{case['id']}").get_json()["history"] == []  # the POSTs were refused


def test_shredding_a_closed_case_leaves_content_unreadable_and_the_chain_intact(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    with pytest.raises(Exception, match="offener Fall"):
        engine.shred_case(case.reference, reason="Aufbewahrungsfrist abgelaufen", operator="test")
    engine.complete_task(world["kita_fk"], case.open_tasks[0].id, BEOBACHTUNG)
    engine.complete_task(
        world["kita_leitung"],
        _first(world, "kita_leitung", case.case_id),
        {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "Unbegründet."},
    )
    engine.complete_task(
        world["kita_leitung"],
        _first(world, "kita_leitung", case.case_id),
        {"abschlussvermerk": "Ende.", "ergebnis": "keine_gewichtigen_anhaltspunkte"},
    )
    engine.shred_case(case.reference, reason="Aufbewahrungsfrist abgelaufen", operator="test")
    view = engine.case(world["kita_leitung"], case.case_id)
    assert view["shredded"] is True and "child" not in view
    with engine.work() as (uow, work):
        events = list(engine.vault.read(uow.session.connection(), case_ref=case.reference))
    assert all(e.payload is None for e in events if e.type in ("case.created", "task.completed"))
    assert next(e for e in events if e.type == "case.shredded").payload["reason"] == "Aufbewahrungsfrist abgelaufen"
    assert engine.verify_trail().ok


def test_rotation_keeps_old_events_readable(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    report = engine.rotate_keys(operator="test")
    assert report.rewrapped >= 2  # the case's key and the system key
    assert engine.case(world["kita_fk"], case.case_id)["child"]["nachname"] == child["nachname"]
    assert "key.rotated" in _types(engine)
    assert engine.verify_trail().ok


def test_insofa_view_and_errors_never_carry_the_name(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    with pytest.raises(NotFound) as denied:
        engine.case(world["insofa_kleve"], case.case_id)
    assert child["nachname"] not in denied.value.detail
    with pytest.raises(ValidationFailed) as refused:
        engine.complete_task(world["kita_fk2"], case.open_tasks[0].id, {"beobachtungen": child["nachname"] * 200})
    assert child["nachname"] not in str(refused.value.__dict__)  # messages name fields, never echo values


def test_periodic_checkpoint_signs_only_an_unsigned_head(world, child):
    engine = world.engine
    engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    signed = engine.checkpoint_if_unsigned()
    assert signed is not None and signed.seq >= 1
    assert engine.checkpoint_if_unsigned() is None  # nothing new since
    assert engine.verify_trail().ok


def test_the_opening_records_whether_the_jugendamt_was_routed_or_chosen(world, child):
    """R17 (§ 86 SGB VIII): the Jugendamt of the child's place of residence, unless one is named by hand —
    and `case.created` says which, so that a review can tell a routing from a choice."""
    engine = world.engine
    routed = engine.open_case(world["kita_fk"], process_key="melder", child=child)
    elsewhere = {**child, "wohnort_gemeinde": "Kevelaer"}
    chosen = engine.open_case(world["kita_fk"], process_key="melder", child=elsewhere, jugendamt_key="ja-goch")

    def created(reference):
        with engine.work() as (uow, work):
            [event] = engine.vault.read(uow.session.connection(), case_ref=reference, types=["case.created"])
        return event.payload

    assert created(routed.reference)["jugendamt"] == "ja-goch"
    assert created(routed.reference)["jugendamt_ausdruecklich_gewaehlt"] is False
    assert created(chosen.reference)["jugendamt"] == "ja-goch"
    assert created(chosen.reference)["jugendamt_ausdruecklich_gewaehlt"] is True
