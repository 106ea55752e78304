"""The Revision's pages: the audit log (metadata, filters, chain status, last checkpoint) and one
case's decrypted trail, only after a reason that is itself recorded (`audit.read`, `audit.exported`)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from sqlalchemy import update

from audit.tables import audit_events
from engine.auditing.events import EventType
from engine.clock import BERLIN
from tests.support.cases import BEOBACHTUNG, complete
from tests.support.plain_words import assert_plain_words, visible_text


def _text(response) -> str:
    return response.get_data(as_text=True)


def _h1(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", _text(response), re.S).group(1).strip()


def _decrypted_events(engine, event_type):
    with engine.work() as (uow, _work):
        return list(engine.vault.read(uow.session.connection(), types=[event_type]))


def _rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", _text(response), re.S)
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []


def _open(world, child, who="kita_fk"):
    opened = world.engine.open_case(world[who], process_key="traeger_8a", child=child)
    return world.engine.case(world[who], opened.case_id)


# ---- who may enter ------------------------------------------------------------------------------


def test_only_auditors_reach_the_log_and_the_case_trail(ui, world, child):
    case = _open(world, child)
    trail = f"/revision/faelle/{case['reference']}"
    assert "/anmelden?next=/revision" in ui.get("/revision").headers["Location"]
    for username in ("kita_fk", "kita_leitung", "kita_admin"):
        ui.login(username)
        assert ui.get("/revision").status_code == 403, username
        assert ui.get(trail).status_code == 403, username
        assert ui.post_form(trail, {"grund": "Prüfung durch den DSB"}, token_from="/aufgaben").status_code == 403
        export = ui.post_form(f"{trail}/export", {"grund": "Prüfung durch den DSB"}, token_from="/aufgaben")
        assert export.status_code == 403
        assert 'href="/revision"' not in _text(ui.get("/aufgaben"))  # no nav entry
    assert _decrypted_events(world.engine, "audit.read") == []
    ui.login("kita_revision")
    page = ui.get("/revision")
    assert page.status_code == 200 and _h1(page) == "Protokoll"
    assert '<a class="sp-nav__link" href="/revision" aria-current="page">Protokoll</a>' in _text(page)
    assert page.headers["Cache-Control"] == "no-store"


def test_another_organisations_case_is_a_plain_404(ui, world, child):
    case = _open(world, child)
    ui.login("dueren_revision")
    for path in (f"/revision/faelle/{case['reference']}", f"/revision/faelle/{case['id']}", "/revision/faelle/KS-1-1"):
        assert ui.get(path).status_code == 404, path
    trail = f"/revision/faelle/{case['reference']}"
    posted = ui.post_form(trail, {"grund": "Neugier ist kein Grund"}, token_from="/revision")
    assert posted.status_code == 404 and child["nachname"] not in _text(posted)
    assert _decrypted_events(world.engine, "audit.read") == []


# ---- the log: metadata, filters ---------------------------------------------------------------------


def test_the_log_lists_metadata_in_scope_without_content(ui, world, child):
    mine = _open(world, child)
    other = _open(world, {**child, "vorname": "Ben"}, who="dueren_fk")
    ui.login("kita_revision")
    page = ui.get("/revision")
    html = _text(page)
    assert "<caption>Protokolleinträge, neueste zuerst" in html
    for column in ("Zeit", "Ereignis", "Person", "Organisation", "Fall"):
        assert f'<th scope="col">{column}</th>' in html
    row = next(r for r in _rows(page) if "Fall angelegt" in r)
    assert "Fall angelegt" in row and "Kita Fk (kita_fk)" in row and "02.03.2026, 09:00" in row
    assert "Kita Regenbogen Kevelaer" in row and "kita-kevelaer" not in row  # the organisation by its name
    assert f'href="/revision/faelle/{mine["reference"]}"' in row
    assert other["reference"] not in html  # Düren's case is outside kita-kevelaer's scope
    assert child["nachname"] not in html and child["vorname"] not in html  # metadata only
    assert "<script>" not in html and "style=" not in html


def test_filters_by_case_person_type_and_berlin_days(ui, world, child):
    first = _open(world, child)
    # 00:30 in Berlin on 3 March is still 2 March in UTC: the day filter must use Berlin days
    world.engine.clock.set(datetime(2026, 3, 3, 0, 30, tzinfo=BERLIN))
    second = _open(world, child, who="kita_leitung")
    ui.login("kita_revision")

    by_case = _rows(ui.get("/revision", query_string={"fall": first["reference"]}))
    assert by_case and all(first["reference"] in r for r in by_case)
    by_person = _rows(ui.get("/revision", query_string={"person": "kita_leitung"}))
    assert by_person and all("kita_leitung" in r for r in by_person) and second["reference"] in by_person[-1]
    created = _rows(ui.get("/revision", query_string={"ereignis": "case.created"}))
    assert len(created) == 2 and all("Fall angelegt" in r for r in created)
    page = ui.get("/revision", query_string={"ereignis": "case.created"})
    assert '<option value="case.created" selected>Fall angelegt</option>' in _text(page)

    one_day = {"ereignis": "case.created", "von": "2026-03-02", "bis": "2026-03-02"}
    day_two = _rows(ui.get("/revision", query_string=one_day))
    assert len(day_two) == 1 and first["reference"] in day_two[0]
    assert _rows(ui.get("/revision", query_string={**one_day, "von": "2.3.2026", "bis": "02.03.2026"})) == day_two
    day_three = _rows(ui.get("/revision", query_string={"ereignis": "case.created", "von": "2026-03-03"}))
    assert len(day_three) == 1 and second["reference"] in day_three[0] and "03.03.2026, 00:30" in day_three[0]
    nothing = ui.get("/revision", query_string={"fall": first["reference"], "bis": "2026-03-01"})
    assert _rows(nothing) == [] and "Keine Einträge gefunden." in _text(nothing)


def test_invalid_filters_are_shown_next_to_their_fields(ui):
    ui.login("kita_revision")
    page = ui.get("/revision", query_string={"von": "31.2.2026", "ereignis": "case.stolen"})
    html = _text(page)
    assert page.status_code == 422
    assert "Bitte geben Sie das Datum als TT.MM.JJJJ an, zum Beispiel 02.03.2026." in html
    assert 'id="f-von-fehler"' in html and 'href="#f-von"' in html and 'aria-invalid="true"' in html
    assert 'id="f-ereignis-fehler"' in html and "Unbekannte Ereignisart." in html
    backwards = ui.get("/revision", query_string={"von": "2026-03-05", "bis": "2026-03-01"})
    assert backwards.status_code == 422 and 'id="f-bis-fehler"' in _text(backwards)


# ---- chain status --------------------------------------------------------------------------------


def test_chain_status_and_last_checkpoint(ui, world, child):
    _open(world, child)
    ui.login("kita_revision")
    html = _text(ui.get("/revision"))
    assert re.search(r"Kette intakt — \d+ Einträge geprüft", html)
    assert 'sp-chain--ok" role="status"' in html
    world.engine.clock.advance(timedelta(minutes=5))
    _open(world, child)
    checkpoint = world.engine.checkpoint()
    html = _text(ui.get("/revision"))
    assert f"Eintrag {checkpoint.seq}, 02.03.2026, 09:05" in html
    assert checkpoint.hash.hex()[:16] in html


def test_a_tampered_chain_is_shown_as_broken(ui, world, child):
    case = _open(world, child)
    created = world.engine.audit_events(world["kita_revision"], event_type=EventType.CASE_CREATED)[0]["seq"]
    with world.engine.db.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == created).values(actor="jemand-anderes"))
    ui.login("kita_revision")
    html = _text(ui.get("/revision"))
    assert f"Kette beschädigt ab Eintrag {created}" in html
    assert "kern-alert--danger sp-chain sp-chain--broken" in html and "Kette intakt" not in html
    if world.engine.db.dialect.name != "sqlite":
        return  # audit's vault.read leaves PostgreSQL's server-side cursor open when decryption fails
    # the altered header no longer opens its content: nothing shown, nothing half-read
    trail = f"/revision/faelle/{case['reference']}"
    damaged = ui.post_form(trail, {"grund": "Prüfung der Kette"}, token_from="/revision")
    assert damaged.status_code == 409 and "lässt sich nicht entschlüsseln" in _text(damaged)
    assert child["nachname"] not in _text(damaged)


# ---- one case, decrypted ----------------------------------------------------------------------------


def test_the_case_trail_asks_for_a_reason_first(ui, world, child):
    case = _open(world, child)
    ui.login("kita_revision")
    page = ui.get(f"/revision/faelle/{case['reference']}")
    html = _text(page)
    assert page.status_code == 200 and _h1(page) == f"Protokoll des Falls {case['reference']}"
    assert "Der Grund wird protokolliert (§ 64 SGB VIII)" in html and 'name="grund"' in html
    assert "novalidate" in html and 'name="csrf_token"' in html
    assert child["nachname"] not in html and page.headers["Cache-Control"] == "no-store"
    assert ui.get(f"/revision/faelle/{case['id']}").status_code == 200  # by id as well

    missing = ui.post_form(f"/revision/faelle/{case['reference']}", {"grund": "kurz"}, token_from="/revision")
    html = _text(missing)
    assert missing.status_code == 422
    assert 'id="f-grund-fehler"' in html and "mindestens 5 Zeichen" in html and 'href="#f-grund"' in html
    assert child["nachname"] not in html
    assert _decrypted_events(world.engine, "audit.read") == []


def test_the_decrypted_trail_is_shown_after_the_reason_and_recorded(ui, world, child):
    case = _open(world, child)
    ui.login("kita_revision")
    shown = ui.post_form(
        f"/revision/faelle/{case['reference']}", {"grund": "Auskunftsersuchen Art. 15 DSGVO"}, token_from="/revision"
    )
    html = _text(shown)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert child["nachname"] in html and "Fall angelegt" in html
    [read] = _decrypted_events(world.engine, "audit.read")
    assert read.actor == "kita_revision" and read.case_ref == case["reference"]
    assert read.payload["reason"] == "Auskunftsersuchen Art. 15 DSGVO"
    # the log lists the reading too
    log = _text(ui.get("/revision", query_string={"ereignis": "audit.read"}))
    assert "Protokoll entschlüsselt eingesehen" in log and case["reference"] in log


def test_the_decrypted_trail_shows_labelled_fields_not_json(ui, world, child):
    """Event names instead of codes, each payload value under its label (the form's, option titles,
    dates in German notation), no JSON key or brace: the raw JSON is only in the export."""
    case = _open(world, child)
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    world.engine.case(world["kita_fk"], case["id"])  # case.read
    ui.login("kita_revision")
    shown = ui.post_form(
        f"/revision/faelle/{case['reference']}", {"grund": "Prüfung durch den DSB"}, token_from="/revision"
    )
    text = visible_text(_text(shown))
    assert shown.status_code == 200
    fields = dict(re.findall(r"<dt[^>]*>\s*(.*?)\s*</dt>\s*<dd[^>]*>\s*(.*?)\s*</dd>", _text(shown), re.S))
    assert fields["Kind – Nachname"] == child["nachname"]
    assert fields["Verfahren"].endswith(", Version 2") and "Träger" in fields["Verfahren"]
    assert fields["Schritt"] == "Gewichtige Anhaltspunkte dokumentieren"
    assert fields["Quelle der Information"] == "Eigene Beobachtung"
    assert fields["Beobachtet am"].startswith("02.03.2026")
    assert fields["Besteht eine dringende Gefahr für das Kind?"] == "Nein"
    assert fields["Ansicht"] == "Fallseite"
    assert fields["Organisation"] == "Kita Regenbogen Kevelaer" and fields["Person"] == "Kita Fk (kita_fk)"
    assert "kita-kevelaer" not in text  # no organisation key, on any event
    assert "Schritt abgeschlossen" in text and "Fall eingesehen" in text
    assert_plain_words(text, "the decrypted trail", allowed=["kita_fk", "kita_revision"])


def test_export_downloads_json_lines_only_with_a_reason(ui, world, child):
    case = _open(world, child)
    ui.login("kita_revision")
    path = f"/revision/faelle/{case['reference']}/export"
    refused = ui.post_form(path, {"grund": ""}, token_from="/revision")
    assert refused.status_code == 422 and refused.mimetype == "text/html"
    assert "Content-Disposition" not in refused.headers and 'id="f-grund-fehler"' in _text(refused)
    assert _decrypted_events(world.engine, "audit.exported") == []

    download = ui.post_form(path, {"grund": "Anfrage der Aufsichtsbehörde"}, token_from="/revision")
    assert download.status_code == 200 and download.mimetype == "application/x-ndjson"
    assert download.headers["Content-Disposition"] == f'attachment; filename="protokoll-{case["reference"]}.jsonl"'
    assert download.headers["Cache-Control"] == "no-store"
    lines = [json.loads(line) for line in _text(download).splitlines()]
    assert lines[0]["type"] == "case.created" and lines[0]["payload"]["child"]["nachname"] == child["nachname"]
    [exported] = _decrypted_events(world.engine, "audit.exported")
    assert exported.actor == "kita_revision" and exported.payload["reason"] == "Anfrage der Aufsichtsbehörde"
    # the button sits in the reason form (formaction), so a download always carries a reason
    page = _text(ui.get(f"/revision/faelle/{case['reference']}"))
    assert f'formaction="{path}"' in page and "Export (JSON Lines)" in page


def test_the_pages_speak_english_too(ui, world, child):
    case = _open(world, child)
    ui.login("kita_revision")
    ui.post_form("/sprache", {"lang": "en"}, token_from="/revision")
    html = _text(ui.get("/revision"))
    assert "Audit log" in html and "Case created" in html
    world.engine.clock.advance(timedelta(minutes=1))
    assert "The reason is recorded" in _text(ui.get(f"/revision/faelle/{case['reference']}"))
