"""The `kinder` field on a step's page (issue 12 item 1): one block of the child's fields per sibling,
another shown on request like the Sorgeberechtigte's entries, errors in the entry's block; completing
the step opens the linked cases, and each case page names the other ("Geschwisterfall zu …")."""

from __future__ import annotations

import re

from tests.support.cases import open_tasks

FIELD = "weitere_kinder_im_haushalt"
CHILD = {
    "vorname": "Mia",
    "nachname": "Beispiel",
    "geburtsdatum": "2019-05-17",
    "wohnort_gemeinde": "Goch",
    "anschrift": {"strasse": "Markt 1", "plz": "47574", "ort": "Goch"},
}


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_step_page_opens_a_case_per_sibling_entered(ui, world):
    case_id = world.engine.open_case(world["goch_fk"], process_key="geschwister", child=CHILD).case_id
    url = f"/faelle/{case_id}/schritte/{open_tasks(world, 'goch_fk', case_id)['hausbesuch']['id']}"
    ui.login("goch_fk")
    html = _text(ui.get(url))
    assert html.count('class="kern-fieldset sp-list__item"') == 1  # one empty child at a time
    assert f'name="{FIELD}.0.vorname"' in html and f'name="{FIELD}.0.anschrift.plz"' in html
    assert "Weitere Kinder im Haushalt, Eintrag 1" in html and "Anschrift des Kindes" in html

    ben = {f"{FIELD}.0.vorname": "Ben", f"{FIELD}.0.geburtsdatum": "03.02.2021"}
    more = ui.post_form(url, {"eindruck": "Zwei weitere Kinder.", **ben, "sp_aktion": "eintrag"}, token_from=url)
    assert more.status_code == 200 and _text(more).count('class="kern-fieldset sp-list__item"') == 2
    assert re.search(rf'name="{FIELD}\.0\.vorname"[^>]*value="Ben"', _text(more))

    lea = {
        f"{FIELD}.1.vorname": "Lea",
        f"{FIELD}.1.nachname": "Beispiel",
        f"{FIELD}.1.geburtsdatum": "01.09.2016",
        f"{FIELD}.1.anschrift.plz": "4758",
    }
    refused = ui.post_form(url, {"eindruck": "Zwei weitere Kinder.", **ben, **lea}, token_from=url)
    html = _text(refused)
    assert refused.status_code == 422
    assert re.search(rf'id="f-{FIELD}-0-nachname-fehler">.*?Geben Sie „Nachname“ an\.', html, re.S)
    assert "Weitere Kinder im Haushalt, Eintrag 2: Postleitzahl: Geben Sie die Postleitzahl mit fünf Ziffern" in html
    assert world.engine.case(world["goch_fk"], case_id)["links"] == []  # nothing opened

    fixed = {**ben, f"{FIELD}.0.nachname": "Beispiel", **lea, f"{FIELD}.1.anschrift.plz": "47589"}
    done = ui.post_form(url, {"eindruck": "Zwei weitere Kinder.", **fixed}, token_from=url)
    assert done.status_code == 302
    links = world.engine.case(world["goch_fk"], case_id)["links"]
    assert [link["relation"] for link in links] == ["geschwisterfall", "geschwisterfall"]
    page = _text(ui.get(f"/faelle/{case_id}"))
    for link in links:
        assert re.search(rf'Geschwisterfall:\s*<a class="kern-link" href="/faelle/{link["case_id"]}">', page)
    origin = world.engine.case(world["goch_fk"], case_id)["reference"]
    sibling = _text(ui.get(f"/faelle/{links[1]['case_id']}"))
    assert re.search(rf'Geschwisterfall zu:\s*<a class="kern-link" href="/faelle/{case_id}">{origin}</a>', sibling)
