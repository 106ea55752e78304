"""The case pages through the browser's eyes (Flask test client): Meine Aufgaben, Fälle, Neue Meldung,
the case page (stepper, history, messages, diagram), step forms built from the form definitions with
the engine's errors, the Jugendamt's Eingang with taking over, triage and sign-off, the consultations
of the insoweit erfahrene Fachkraft — and every refusal: another organisation's case is a 404 that
reveals nothing, the Mehraugenprinzip says why, a double submit says "bereits erledigt".

SQLite only: the pages do not depend on the database, which the engine's tests cover on both."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support import jugendamt
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG, complete, open_tasks
from tests.ui.conftest import PASSWORD

SOFORTMELDUNG = {
    "gemeldet_am": "2026-03-02T08:45:00+01:00",
    "kanal": "telefon",
    "polizei_informiert": False,
    "eltern_informiert": True,
    "zusammenfassung": "Akute Gefahr, telefonisch gemeldet.",
}
NAMES = ("Mia", "Beispielkind")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


#: the page's CSRF tokens (the form fields' and the head's meta tag): they carry a timestamp, so two
#: pages served a second apart differ there and nowhere else
_CSRF_VALUE = re.compile(r'(name="csrf_token" value|name="csrf-token" content)="[^"]+"')


def _text(response) -> str:
    return response.get_data(as_text=True)


def _h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", _text(response), re.S)
    assert match, _text(response)
    return re.sub(r"\s+", " ", match.group(1)).strip()


def _step_url(world, user: str, case_id: int, key: str) -> str:
    return f"/faelle/{case_id}/schritte/{open_tasks(world, user, case_id)[key]['id']}"


def _case(world, child, user: str = "kita_fk") -> dict:
    opened = world.engine.open_case(world[user], process_key="traeger_8a", child=child)
    return world.engine.case(world[user], opened.case_id)


def _to_consultation(world, child) -> dict:
    """A Träger case waiting for the insoweit erfahrene Fachkraft (step 4)."""
    case = _case(world, child)
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(
        world,
        "kita_leitung",
        case["id"],
        "leitung_informieren",
        {"gewichtige_anhaltspunkte": True, "einschaetzung_leitung": "Gewichtig.", "fallschilderung": FALLSCHILDERUNG},
    )
    return case


def _sofortmeldung(world, child) -> tuple[dict, int]:
    """A Sofortmeldung: the Träger case and the Jugendamt case it opened at the Jugendamt Goch."""
    case = _case(world, child)
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": True})
    complete(world, "kita_leitung", case["id"], "sofortmeldung_jugendamt", SOFORTMELDUNG)
    [link] = world.engine.case(world["kita_leitung"], case["id"])["links"]
    return case, link["case_id"]


def _sign_in_again(ui, username: str, next_url: str):
    token = ui.csrf("/anmelden")
    return ui.post(
        "/anmelden", data={"csrf_token": token, "username": username, "password": PASSWORD, "next": next_url}
    )


# ---- Meine Aufgaben, Fälle, navigation ------------------------------------------------------------------


def test_meine_aufgaben_lists_tasks_by_due_date_and_marks_overdue_ones(ui, world, child):
    first = _case(world, child)
    second = _case(world, child)
    complete(world, "kita_fk", second["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)  # Leitung: 4 hours
    ui.clock.advance(timedelta(hours=5))
    ui.login("kita_leitung")
    page = ui.get("/aufgaben")
    html = _text(page)
    assert page.status_code == 200 and _h1(page) == "Meine Aufgaben"
    leitung = html.index("Leitung informieren und Anhaltspunkte bewerten")
    assert leitung < html.index(first["reference"])  # the task with a due date first
    assert "überfällig" in html and "sp-row--overdue" in html and "Überfällige Aufgaben: 1." in html
    assert _step_url(world, "kita_leitung", second["id"], "leitung_informieren") in html
    assert f'href="/faelle/{second["id"]}"' in html
    nav = html[html.index('aria-label="Hauptnavigation"') :]
    assert "Fälle" in nav and "Neue Meldung" in nav and "Eingang" not in nav and "Beratungen" not in nav

    world.engine.run_due()  # the overdue step escalates to the Leitung: a form of its own
    escalation = _step_url(world, "kita_leitung", second["id"], "frist_klaeren")
    assert escalation in _text(ui.get("/aufgaben"))
    form = ui.get(escalation)
    assert form.status_code == 200 and _h1(form) == "Frist überschritten – klären"
    done = ui.post_form(
        escalation, {"grund": "Krankheit.", "naechste_schritte": "Heute erledigen."}, token_from=escalation
    )
    assert done.status_code == 302 and "frist_klaeren" not in open_tasks(world, "kita_leitung", second["id"])


def test_case_list_shows_the_organisations_cases_only(ui, world, child):
    case = _case(world, child)
    ui.login("kita_fk")
    page = ui.get("/faelle")
    assert page.status_code == 200 and _h1(page) == "Fälle"
    assert case["reference"] in _text(page) and case["pseudonym"] in _text(page)
    assert case["reference"] not in _text(ui.get("/faelle?status=abgeschlossen"))
    ui.login("dueren_fk")
    assert case["reference"] not in _text(ui.get("/faelle"))
    ui.login("insofa_kleve")
    nav = _text(ui.get("/aufgaben"))
    assert "Beratungen" in nav and ">Fälle<" not in nav and "Neue Meldung" not in nav
    ui.login("goch_fk")
    assert ">Eingang<" in _text(ui.get("/aufgaben"))
    ui.clear_cookies()
    assert ui.get("/faelle").status_code == 302


# ---- Neue Meldung ---------------------------------------------------------------------------------------


def test_neue_meldung_offers_a_choice_then_opens_the_case_and_its_first_step(ui, world):
    ui.login("kita_fk")  # may start the Träger procedure and the test bundle
    choice = ui.get("/faelle/neu")
    assert choice.status_code == 200 and _h1(choice) == "Neue Meldung"
    assert 'href="/faelle/neu/traeger_8a"' in _text(choice) and 'href="/faelle/neu/melder"' in _text(choice)
    page = ui.get("/faelle/neu/traeger_8a")
    html = _text(page)
    for label in ("Vorname", "Nachname", "Geburtsdatum", "Wohnort (Gemeinde)"):  # required: no marker (KERN)
        assert re.search(rf'<label class="kern-label" for="f-[a-z_]+">{re.escape(label)}</label>', html)
    assert "Pflichtfeld" not in html and "„optional“ müssen ausgefüllt werden" in html
    # a text field in TT.MM.JJJJ: a browser's date picker would show its own language's format
    assert 'id="f-geburtsdatum" name="geburtsdatum" type="text" value=""' in html
    assert "Format: TT.MM.JJJJ, zum Beispiel 02.03.2026" in html
    assert 'list="sp-gemeinden"' in html and '<option value="Goch">' in html
    assert "novalidate" in html and '<span class="kern-label">Fall anlegen</span>' in html
    created = ui.post_form(
        "/faelle/neu/traeger_8a",
        {"vorname": "Mia", "nachname": "Beispielkind", "geburtsdatum": "17.05.2020", "wohnort_gemeinde": "goch"},
        token_from="/faelle/neu/traeger_8a",
    )
    assert created.status_code == 302
    [case] = world.engine.cases(world["kita_fk"]).rows
    assert case["jugendamt"]["key"] == "ja-goch"
    assert created.headers["Location"].endswith(_step_url(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren"))
    step = _text(ui.get(created.headers["Location"]))
    assert f"Der Fall {case['reference']} ist angelegt." in step
    assert world.engine.case(world["kita_fk"], case["id"])["child"]["geburtsdatum"] == "2020-05-17"

    ui.login("lehrerin")  # one procedure only: straight to its form
    assert ui.get("/faelle/neu").headers["Location"].endswith("/faelle/neu/kkg4")
    assert ui.get("/faelle/neu/traeger_8a").status_code == 404
    ui.login("insofa_kleve")
    refused = ui.get("/faelle/neu")
    assert refused.status_code == 403 and "keine Fälle anlegen" in _text(refused)


def test_neue_meldung_shows_the_builtin_child_form_in_the_users_language(ui):
    ui.login("kita_fk")
    html = _text(ui.get("/faelle/neu/traeger_8a", headers={"Accept-Language": "en"}))
    assert re.search(r'<label class="kern-label" for="f-vorname">First name</label>', html)
    assert re.search(r"for=\"f-anschrift-plz\">Postcode", html)
    assert "Vorname" not in html


def test_neue_meldung_keeps_the_values_and_shows_each_error_at_its_field(ui, world):
    ui.login("kita_fk")
    url = "/faelle/neu/traeger_8a"
    missing = ui.post_form(url, {"vorname": "Mia", "anschrift.plz": "123"}, token_from=url)
    html = _text(missing)
    assert missing.status_code == 422
    assert 'value="Mia"' in html and 'value="123"' in html
    assert 'class="kern-alert kern-alert--danger sp-error-summary" role="alert"' in html
    for field in ("nachname", "geburtsdatum", "wohnort_gemeinde"):
        assert f'href="#f-{field}"' in html
        assert re.search(rf'id="f-{field}-fehler">.*?Geben Sie „', html, re.S)
        assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', html)
    assert 'href="#f-anschrift-plz"' in html and "Geben Sie die Postleitzahl mit fünf Ziffern an" in html
    assert '<details class="sp-details" open>' in html  # the optional part with the error is open
    assert 'name="jugendamt"' not in html

    unknown = {"vorname": "Mia", "nachname": "Beispielkind", "geburtsdatum": "2020-05-17", "wohnort_gemeinde": "Gohc"}
    refused = ui.post_form(url, unknown, token_from=url)
    html = _text(refused)
    assert refused.status_code == 422 and 'value="Gohc"' in html
    assert re.search(r'id="f-wohnort_gemeinde-fehler">.*?nicht bekannt.*?Goch', html, re.S)
    assert '<select class="kern-form-input__select" id="f-jugendamt" name="jugendamt"' in html
    assert '<option value="ja-goch">' in html
    created = ui.post_form(url, {**unknown, "jugendamt": "ja-goch"}, token_from=url)
    assert created.status_code == 302
    [case] = world.engine.cases(world["kita_fk"]).rows
    assert case["jugendamt"]["key"] == "ja-goch"


def test_neue_meldung_shows_a_childs_error_and_the_unknown_municipality_at_once(ui, world):
    ui.login("kita_fk")
    url = "/faelle/neu/traeger_8a"
    data = {"vorname": "Mia", "nachname": "Beispielkind", "geburtsdatum": "2026-03-03", "wohnort_gemeinde": "Gohc"}
    refused = ui.post_form(url, data, token_from=url)
    html = _text(refused)
    assert refused.status_code == 422
    assert re.search(r'id="f-geburtsdatum-fehler">.*?Das Geburtsdatum liegt in der Zukunft', html, re.S)
    assert re.search(r'id="f-wohnort_gemeinde-fehler">.*?nicht bekannt.*?Goch', html, re.S)
    summary = html[html.index("sp-error-summary") : html.index("</ul>", html.index("sp-error-summary"))]
    assert 'href="#f-geburtsdatum"' in summary and 'href="#f-wohnort_gemeinde"' in summary
    assert 'name="jugendamt"' in html  # the unknown municipality offers the explicit choice
    assert world.engine.cases(world["kita_fk"]).rows == []


def test_a_step_refuses_a_future_observation_with_a_clear_message(ui, world, child):
    case = _case(world, child)
    url = _step_url(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren")
    ui.login("kita_fk")
    values = {"beobachtungen": "Kind weint oft.", "beobachtet_am": "2026-03-02T10:15", "akute_gefahr": "false"}
    refused = ui.post_form(url, values, token_from=url)
    html = _text(refused)
    assert refused.status_code == 422
    assert re.search(r'id="f-beobachtet_am-fehler">.*?„Beobachtet am“ darf nicht in der Zukunft liegen', html, re.S)
    assert re.search(r'id="f-quelle-fehler">.*?Wählen Sie bei „Quelle der Information“ eine Antwort aus', html, re.S)
    assert "ab dem Abschluss dieses Schritts" in html  # the help says what starts the Leitung's Frist


# ---- the case page ----------------------------------------------------------------------------------------


def test_case_page_guides_with_stepper_history_and_diagram(ui, world, child):
    case = _case(world, child)
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    ui.login("kita_leitung")
    page = ui.get(f"/faelle/{case['id']}")
    html = _text(page)
    assert page.status_code == 200
    assert _h1(page) == f"Fall {case['reference']} · {case['pseudonym']} · Mia Beispielkind"
    assert "Mia" not in html[html.index("<title>") : html.index("</title>")]  # no name in the tab/history
    assert re.search(
        r'<li class="sp-step sp-step--erledigt">.*?Gewichtige Anhaltspunkte dokumentieren.*?erledigt', html, re.S
    )
    assert re.search(
        r'<li class="sp-step sp-step--aktuell" aria-current="step">'
        r".*?Leitung informieren.*?aktuell.*?Zuständig: Leitung",
        html,
        re.S,
    )
    assert re.search(r"sp-step--offen.*?Fall abschließen.*?offen", html, re.S)
    assert "Zuständig: Fachkraft oder Leitung" in html  # the fachkraft lane, with who may work it
    assert _step_url(world, "kita_leitung", case["id"], "leitung_informieren") in html and "Schritt bearbeiten" in html
    # the Fallakte: the entry by name, and what it documented one click away
    assert re.search(r'sp-file-entry__title">Gewichtige Anhaltspunkte dokumentieren</span>.*?Kita Fk', html, re.S)
    assert BEOBACHTUNG["beobachtungen"] in html and "kita_fk" not in html
    assert '<figure class="sp-diagram-figure">' in html and "<figcaption" in html
    assert "<svg" in html and 'class="bpmn-diagram"' in html and "bpmn-current" in html
    assert "<dt>Zuständiges Jugendamt</dt><dd>Stadtjugendamt Goch</dd>" in html
    assert "<script>" not in html and "style=" not in html  # CSP: nothing inline

    ui.login("kita_fk")  # the Leitung's step: shown with the reason, no link
    html = _text(ui.get(f"/faelle/{case['id']}"))
    assert "Jetzt ist die Leitung am Zug – für Sie ist nichts zu tun." in html
    assert _step_url(world, "kita_leitung", case["id"], "leitung_informieren") not in html
    step = ui.get(_step_url(world, "kita_leitung", case["id"], "leitung_informieren"))  # the link typed in
    html = _text(step)
    assert step.status_code == 403 and "Nicht Ihr Schritt" in html and "Nicht erlaubt" not in html
    assert 'kern-alert--info sp-refusal" role="status"' in html
    assert "Jetzt ist die Leitung am Zug – für Sie ist nichts zu tun." in html


def test_another_organisations_case_is_a_404_that_reveals_nothing(ui, world, child):
    case = _case(world, child)
    step = _step_url(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren")
    ui.login("dueren_fk")
    for response in (
        ui.get(f"/faelle/{case['id']}"),
        ui.get(step),
        ui.post_form(step, BEOBACHTUNG, token_from="/faelle"),
        ui.post_form(f"/faelle/{case['id']}/uebernehmen", token_from="/faelle"),
    ):
        html = _text(response)
        assert response.status_code == 404 and _h1(response) == "Seite nicht gefunden"
        for secret in (case["reference"], case["pseudonym"], *NAMES, "Goch", "Kevelaer"):
            assert secret not in html

    def comparable(path: str) -> str:  # the CSRF token carries a timestamp: it may differ by a second
        return _CSRF_VALUE.sub("", _text(ui.get(path)).replace(path, ""))

    assert comparable("/faelle/999999") == comparable(f"/faelle/{case['id']}")
    assert world.engine.case(world["kita_fk"], case["id"])["history"] == []  # nothing happened


# ---- step forms ---------------------------------------------------------------------------------------


def test_step_form_is_built_from_the_definition(ui, world, child):
    case = _case(world, child)
    url = _step_url(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren")
    ui.login("kita_fk")
    page = ui.get(url)
    html = _text(page)
    assert page.status_code == 200 and _h1(page) == "Gewichtige Anhaltspunkte dokumentieren"
    assert "Warum dieser Schritt:" in html and "novalidate" in html and "Schritt abschließen" in html
    assert 'name="beobachtet_am" type="datetime-local"' in html
    assert re.search(
        r'<textarea[^>]*id="f-beobachtungen"[^>]*aria-required="true"[^>]*aria-describedby="f-beobachtungen-hinweis"',
        html,
    )
    assert re.search(r'id="f-beobachtungen-hinweis">Was wurde konkret wahrgenommen', html)
    # the law one click away, not in the hint above the field (KERN): a native disclosure, no script
    hint = re.search(r'id="f-beobachtungen-hinweis">([^<]*)<', html).group(1)
    assert "§" not in hint and "Diese interne Dokumentation geht nicht an das Jugendamt." in hint
    legal = re.search(
        r'<details class="sp-legal"><summary>Rechtsgrundlage<span class="kern-sr-only"> zu „Beobachtungen“</span>'
        r"</summary><p[^>]*>([^<]*)</p></details>",
        html,
    )
    assert legal and legal.group(1).startswith("§ 8a Abs. 4 Satz 1 Nr. 1 SGB VIII: Werden gewichtige Anhaltspunkte")
    # the purpose of the data item (R31) beside it, stated in the form (version 2)
    assert (
        '<details class="sp-legal"><summary>Zweck<span class="kern-sr-only"> zu „Beobachtungen“</span></summary>'
        '<p class="kern-body kern-body--small">Hält fest, welche Anhaltspunkte für eine Gefährdung wahrgenommen'
        " wurden; Grundlage der Gefährdungseinschätzung.</p></details>" in html
    )
    # KERN: only optional fields are marked; "(Pflichtfeld)" is said nowhere but in errors
    assert '<label class="kern-label" for="f-beobachtungen">Beobachtungen</label>' in html
    assert "Pflichtfeld" not in html
    assert 'Aussagen des Kindes (wörtlich) <span class="kern-label__optional">– optional</span>' in html
    danger = r"<fieldset[^>]*>\s*<legend[^>]*>Besteht eine dringende Gefahr.*?</fieldset>"
    question = re.search(danger, html, re.S).group(0)
    assert 'type="radio"' in question and 'value="true"' in question and 'value="false"' in question
    assert ">Ja</label>" in question and ">Nein</label>" in question and "checked" not in question
    assert re.search(r"<legend[^>]*>Besteht eine dringende Gefahr[^<]*</legend>", question)  # required: no marker
    quelle = re.search(r"<legend[^>]*>Quelle der Information.*?</fieldset>", html, re.S).group(0)
    assert quelle.count('type="radio"') == 3  # an enum of three: radio buttons


def test_completing_a_step_keeps_input_on_errors_converts_types_and_refuses_a_double_submit(ui, world, child):
    case = _case(world, child)
    url = _step_url(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren")
    ui.login("kita_fk")
    invalid = ui.post_form(
        url, {"beobachtungen": "Kind weint oft.", "beobachtet_am": "gestern", "akute_gefahr": "false"}, token_from=url
    )
    html = _text(invalid)
    assert invalid.status_code == 422
    assert "Kind weint oft." in html and 'value="gestern"' in html
    assert re.search(r'value="false" checked', html)  # the answer given stays chosen
    choose = "Wählen Sie bei „Quelle der Information“ eine Antwort aus."
    assert re.search(rf'id="f-quelle-fehler">.*?{choose}', html, re.S) and 'href="#f-quelle"' in html
    when = "Geben Sie „Beobachtet am“ mit Datum und Uhrzeit an, zum Beispiel 02.03.2026 14:30."
    assert re.search(rf'id="f-beobachtet_am-fehler">.*?{when}', html, re.S)
    summary = html[html.index("sp-error-summary") : html.index("</ul>", html.index("sp-error-summary"))]
    assert choose in summary and "Quelle der Information: " not in summary  # the field named once

    values = {
        "beobachtungen": "Kind weint oft.",
        "beobachtet_am": "2026-03-02T08:15",  # local time, as datetime-local sends it
        "quelle": "eigene_beobachtung",
        "aussagen_kind": "",
        "akute_gefahr": "false",
    }
    done = ui.post_form(url, values, token_from=url)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/faelle/{case['id']}")
    page = _text(ui.get(done.headers["Location"]))
    assert "Erledigt: „Gewichtige Anhaltspunkte dokumentieren“." in page
    # the next step is the Leitung's, not the Fachkraft's: the message says whose it is
    assert re.search(r"Als Nächstes: „[^“]+“ – zuständig: Leitung", page), page
    [entry] = [
        e
        for e in world.engine.case_trail(world["kita_revision"], case["id"], reason="UI-Test: Werte prüfen")
        if e["type"] == "task.completed"
    ]
    assert entry["payload"]["values"]["beobachtet_am"] == "2026-03-02T07:15:00+00:00"
    assert entry["payload"]["values"]["akute_gefahr"] is False and "aussagen_kind" not in entry["payload"]["values"]

    again = ui.post_form(url, values, token_from=f"/faelle/{case['id']}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/faelle/{case['id']}")
    assert "Dieser Schritt wurde bereits erledigt." in _text(ui.get(again.headers["Location"]))
    revisit = ui.get(url)
    assert revisit.status_code == 302 and "bereits erledigt" in _text(ui.get(revisit.headers["Location"]))


def test_mehraugenprinzip_is_explained_and_refused(ui, world, child):
    case = _case(world, child)
    complete(world, "kita_leitung", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    url = _step_url(world, "kita_leitung2", case["id"], "leitung_informieren")
    ui.login("kita_leitung")
    page = _text(ui.get(f"/faelle/{case['id']}"))
    assert "Mehraugenprinzip" in page and url not in page
    shown = ui.get(url)
    assert shown.status_code == 403 and "Mehraugenprinzip" in _text(shown) and 'role="alert"' in _text(shown)
    posted = ui.post_form(
        url,
        {"gewichtige_anhaltspunkte": "true", "einschaetzung_leitung": "Gewichtig.", "fallschilderung": FALLSCHILDERUNG},
        token_from=f"/faelle/{case['id']}",
    )
    assert posted.status_code == 403
    assert "Mehraugenprinzip: Sie haben „Gewichtige Anhaltspunkte dokumentieren“" in _text(posted)  # the engine's words
    assert "leitung_informieren" in open_tasks(world, "kita_leitung2", case["id"])
    ui.login("kita_leitung2")
    assert url in _text(ui.get(f"/faelle/{case['id']}"))


def test_an_expired_session_keeps_the_typed_step_data(ui, world, child):
    case = _case(world, child)
    url = _step_url(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren")
    ui.login("kita_fk")
    token = ui.csrf(url)
    ui.clock.advance(timedelta(minutes=20))
    posted = ui.post(
        url,
        data={
            "csrf_token": token,
            "beobachtungen": "Kind kam ohne Jacke.",
            "beobachtet_am": "2026-03-02T08:15",
            "akute_gefahr": "false",
        },
    )
    assert posted.status_code == 302 and f"next={url}" in posted.headers["Location"]
    back = _sign_in_again(ui, "kita_fk", url)
    assert back.headers["Location"].endswith(url)
    html = _text(ui.get(url))
    assert "Kind kam ohne Jacke." in html and 'value="2026-03-02T08:15"' in html
    assert re.search(r'value="false" checked', html)
    assert "Ihre Eingaben wurden wiederhergestellt" in html
    assert world.engine.case(world["kita_fk"], case["id"])["history"] == []  # nothing was sent


def test_list_fields_required_if_hints_and_prefilled_values(ui, world, child):
    case = _to_consultation(world, child)
    complete(
        world,
        "insofa_kleve",
        case["id"],
        "insofa_beratung",
        {"beratung_am": "2026-03-02", "einschaetzung": "hilfebedarf", "empfehlung": "Hilfen anbieten."},
    )
    vorgehen = {"vorgehen": "hilfen_mit_familie", "begruendung": "Wie empfohlen."}
    complete(world, "kita_leitung", case["id"], "vorgehen_festlegen", vorgehen)
    ui.login("kita_fk")
    html = _text(ui.get(_step_url(world, "kita_fk", case["id"], "beteiligung_familie")))
    # a condition is said once, by the engine (version 2's help texts no longer repeat it)
    for name in ("grund_keine_beteiligung", "grund_text"):
        hint = " ".join(re.search(rf'id="f-{name}-hinweis">(.*?)</', html, re.S).group(1).split())
        assert hint.count("Pflicht") == 1, hint
    complete(
        world,
        "kita_fk",
        case["id"],
        "beteiligung_familie",
        {"eltern_einbezogen": True, "kind_einbezogen": True, "ergebnis": "hilfe_angenommen"},
    )
    url = _step_url(world, "kita_fk", case["id"], "schutzplan_vereinbaren")
    html = _text(ui.get(url))
    assert html.count('class="kern-fieldset sp-list__item"') == 3  # one required item and two spare ones
    assert 'name="massnahmen.0.bis" type="text"' in html and 'name="massnahmen.2.was"' in html
    assert "Leere Einträge werden nicht gespeichert." in html
    partial = {"massnahmen.1.was": "Elterngespräch", "ueberpruefung_am": "2026-03-20"}
    refused = ui.post_form(url, partial, token_from=url)
    html = _text(refused)
    assert refused.status_code == 422
    assert re.search(r'name="massnahmen.0.was"[^>]*>Elterngespräch</textarea>', html)  # renumbered, kept
    assert re.search(r'id="f-massnahmen-0-wer-fehler">.*?Geben Sie „Wer“ an.', html, re.S)
    assert 'href="#f-massnahmen-0-wer"' in html and "Maßnahmen, Eintrag 1: Wer: Geben Sie „Wer“ an." in html
    more = ui.post_form(url, {**partial, "sp_aktion": "eintrag"}, token_from=url)
    assert (
        more.status_code == 200
        and "Elterngespräch" in _text(more)
        and "Geben Sie „Wer“ an.</span></p>" not in _text(more)
    )
    done = ui.post_form(
        url,
        {**partial, "massnahmen.1.wer": "Eltern", "massnahmen.1.bis": "2026-03-15", "massnahmen.2.wer": ""},
        token_from=url,
    )
    assert done.status_code == 302
    [entry] = [
        e
        for e in world.engine.case_trail(world["kita_revision"], case["id"], reason="UI-Test: Liste prüfen")
        if e["type"] == "task.completed" and e["payload"]["task"] == "schutzplan_vereinbaren"
    ]
    assert entry["payload"]["values"]["massnahmen"] == [{"was": "Elterngespräch", "wer": "Eltern", "bis": "2026-03-15"}]


# ---- insoweit erfahrene Fachkraft ---------------------------------------------------------------------


def test_insofa_works_consultations_with_the_pseudonym_only(ui, world, child):
    case = _to_consultation(world, child)
    ui.login("insofa_kleve")
    page = ui.get("/beratungen")
    html = _text(page)
    assert page.status_code == 200 and _h1(page) == "Beratungen"
    assert case["pseudonym"] in html and "Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft" in html
    url = _step_url(world, "insofa_kleve", case["id"], "insofa_beratung")
    assert url in html
    pages = [html, _text(ui.get("/aufgaben")), _text(ui.get(f"/faelle/{case['id']}")), _text(ui.get(url))]
    assert "pseudonymisiert" in pages[2]
    for text in pages:
        for name in (*NAMES, "2020-05-17", "17.05.2020", "Markt 1"):
            assert name not in text
    form = pages[3]
    assert 'name="beratung_am" type="text"' in form
    done = ui.post_form(
        url,
        {"beratung_am": "2026-03-02", "einschaetzung": "hilfebedarf", "empfehlung": "Hilfen anbieten."},
        token_from=url,
    )
    assert done.status_code == 302
    after = _text(ui.get(done.headers["Location"]))
    assert "Erledigt:" in after and not any(name in after for name in NAMES)
    assert case["pseudonym"] in _text(ui.get("/beratungen"))  # their consultation stays listed
    ui.login("insofa_dueren")  # another network: nothing offered, the case is not there
    assert case["pseudonym"] not in _text(ui.get("/beratungen"))
    assert ui.get(f"/faelle/{case['id']}").status_code == 404
    ui.login("kita_fk")
    assert ui.get("/beratungen").status_code == 403


# ---- Jugendamt ---------------------------------------------------------------------------------------------


def test_eingang_take_over_triage_and_sign_off_by_a_second_person(ui, world, child):
    traeger_case, ja_case = _sofortmeldung(world, child)
    ui.login("goch_fk")
    page = ui.get("/eingang")
    html = _text(page)
    assert page.status_code == 200 and _h1(page) == "Eingang"
    assert "Eingang erfassen" in html and "Fall übernehmen" in html
    ja = world.engine.case(world["goch_fk"], ja_case)
    assert ja["reference"] in html and ja["pseudonym"] in html

    taken = ui.post_form(f"/faelle/{ja_case}/uebernehmen", token_from="/eingang")
    assert taken.status_code == 302 and taken.headers["Location"].endswith(
        _step_url(world, "goch_fk", ja_case, "eingang_erfassen")
    )
    assert world.engine.case(world["goch_fk"], ja_case)["responsible"] == "goch_fk"
    intake = _text(ui.get(taken.headers["Location"]))
    assert "Sie haben den Fall übernommen" in intake
    assert 'value="2026-03-02T08:45"' in intake  # the Sofortmeldung's time, prefilled, in Berlin time
    assert (
        re.search(r'<option value="meldung_traeger" selected>', intake) or 'value="meldung_traeger" checked' in intake
    )
    intake_url = taken.headers["Location"]
    done = ui.post_form(
        intake_url,
        {
            "eingegangen_am": "2026-03-02T08:50",
            "kanal": "meldung_traeger",
            "meldende_stelle": "kita_kindertagespflege",
            "anonym": "false",
            "inhalt": "Akute Gefahr gemeldet.",
        },
        token_from=intake_url,
    )
    assert done.status_code == 302, _text(done)

    triage = _step_url(world, "goch_fk", ja_case, "ersteinschaetzung")
    assert triage in _text(ui.get("/eingang"))
    triaged = ui.post_form(
        triage,
        {
            "dringlichkeit": "rot",
            "gewichtige_anhaltspunkte": "true",
            "begruendung": "Verletzungen.",
            "bekannter_fall": "false",
            "weitere_kinder_im_haushalt": "false",
        },
        token_from=triage,
    )
    assert triaged.status_code == 302
    html = _text(ui.get(f"/faelle/{ja_case}"))
    assert re.search(r'kern-badge--danger sp-ampel sp-ampel--rot".*?Ampel: Rot', html, re.S)
    assert "noch nicht von einer zweiten Fachkraft bestätigt" in html
    assert "Mehraugenprinzip" in html  # the sign-off is not goch_fk's
    assert _step_url(world, "goch_fk2", ja_case, "ersteinschaetzung_bestaetigen") not in _text(ui.get("/eingang"))

    ui.login("goch_fk2")
    sign_off = _step_url(world, "goch_fk2", ja_case, "ersteinschaetzung_bestaetigen")
    assert sign_off in _text(ui.get("/eingang"))
    assert ui.post_form(sign_off, {"bestaetigt": "true"}, token_from=sign_off).status_code == 302
    html = _text(ui.get(f"/faelle/{ja_case}"))
    assert "Ampel: Rot" in html and "von einer zweiten Fachkraft bestätigt" in html
    assert "Unmittelbaren Eindruck verschaffen" in html

    ui.login("kevelaer_fk")  # another Jugendamt
    assert ja["reference"] not in _text(ui.get("/eingang"))
    assert ui.get(f"/faelle/{ja_case}").status_code == 404
    ui.login("kita_fk")
    assert ui.get("/eingang").status_code == 403
    assert "Ampel" not in _text(ui.get(f"/faelle/{traeger_case['id']}"))


def test_the_rueckmeldung_reaches_the_traeger_as_two_facts(ui, world, child):
    traeger_case, ja_case = _sofortmeldung(world, child)
    complete(
        world,
        "goch_fk",
        ja_case,
        "eingang_erfassen",
        {"meldende_stelle": "kita_kindertagespflege", "anonym": False, "inhalt": "Akut."},
    )
    complete(
        world,
        "goch_fk",
        ja_case,
        "ersteinschaetzung",
        {
            "dringlichkeit": "gelb",
            "gewichtige_anhaltspunkte": False,
            "begruendung": "Keine.",
            "bekannter_fall": False,
            "weitere_kinder_im_haushalt": False,
        },
    )
    complete(world, "goch_fk2", ja_case, "ersteinschaetzung_bestaetigen", {"bestaetigt": True})
    values = jugendamt.rueckmeldung(world, ja_case, anhaltspunkte_bestaetigt=False, ja_taetig=True)
    complete(world, "goch_fk", ja_case, "rueckmeldung_melder", values)
    ui.login("kita_leitung")
    html = _text(ui.get(f"/faelle/{traeger_case['id']}"))
    assert "Fallakte" in html and "Rückmeldung des Jugendamts eingegangen" in html
    # the two facts with the sender's questions as labels, answered in words
    assert re.search(r"<dt>Sieht das Jugendamt die gewichtigen Anhaltspunkte bestätigt\?</dt><dd>Nein</dd>", html)
    assert re.search(r"<dt>Ist das Jugendamt tätig geworden und noch tätig\?</dt><dd>Ja</dd>", html)
    assert "Meldung an das Jugendamt:" in html and "gehört Stadtjugendamt Goch" in html  # the linked case
    # the Jugendamt's Leitung closes it: the result the process wrote is shown by its label, not its code
    ui.login("goch_leitung")
    closing = _text(ui.get(_step_url(world, "goch_leitung", ja_case, "abschluss")))
    checked = r'value="keine_gewichtigen_anhaltspunkte" checked>\s*<label class="kern-label" for="f-ergebnis">([^<]+)<'
    selected = re.search(checked, closing)
    assert selected and selected.group(1) == "Keine gewichtigen Anhaltspunkte (Ersteinschätzung)"


def test_the_leitung_sees_the_observations_the_assessment_rests_on(ui, world, child):
    """A hand-over is not blind: the step page shows what the person before documented, by name."""
    case = _case(world, child)
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    ui.login("kita_leitung")
    page = _text(ui.get(_step_url(world, "kita_leitung", case["id"], "leitung_informieren")))
    assert "Grundlage Ihrer Entscheidung" in page and 'name="grundlage_sha256"' in page  # Mehraugenprinzip
    assert BEOBACHTUNG["beobachtungen"] in page and "Kita Fk" in page and "02.03.2026, 08:15 Uhr" in page
    assert "eigene_beobachtung" not in page  # the option's title, never its key


def test_the_insofa_sees_no_observation_and_no_name_on_the_step_page(ui, world, child):
    case = _to_consultation(world, child)
    ui.login("insofa_kleve")
    page = _text(ui.get(_step_url(world, "insofa_kleve", case["id"], "insofa_beratung")))
    assert BEOBACHTUNG["beobachtungen"] not in page and "Gewichtig." not in page
    assert not [name for name in NAMES if name in page]
    assert "Weitere Angaben dieses Eintrags sind für Sie nicht sichtbar." in page  # withheld, and said so
