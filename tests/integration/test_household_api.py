"""Several children of one household through `POST /api/v1/cases/haushalt` (issue 16 item 2): one
linked case per child, created all or nothing; errors per child as problem+json. Runs on SQLite and
PostgreSQL (the transaction that creates the cases is the point)."""

from __future__ import annotations

HOUSEHOLD = {"wohnort_gemeinde": "Goch", "anschrift": {"strasse": "Am Markt 3", "plz": "47574", "ort": "Goch"}}
CHILDREN = [
    {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 5},
    {"vorname": "Ben", "nachname": "Beispiel", "geburtsdatum": "2023-04-01"},
]
CALL = {
    "eingegangen_am": "2026-03-02T08:50:00+01:00",
    "kanal": "telefon",
    "meldende_stelle": "anonym",
    "anonym": True,
    "inhalt": "Anonymer Anruf: zwei Kinder allein in der Wohnung.",
}
BODY = {"process": "jugendamt_8a", "haushalt": HOUSEHOLD, "kinder": CHILDREN, "eingang": CALL}


def _count(api) -> int:
    return len(api.call("GET", "/cases", user="goch_fk").get_json())


def test_a_household_of_two_opens_two_linked_cases(api):
    response = api.call("POST", "/cases/haushalt", user="goch_fk", json=BODY)
    assert response.status_code == 201, response.get_data(as_text=True)
    mia, ben = response.get_json()["cases"]
    assert mia["child"]["vorname"] == "Mia" and ben["child"]["geburtsdatum"] == "2023-04-01"
    assert mia["child"]["anschrift"] == ben["child"]["anschrift"] == HOUSEHOLD["anschrift"]
    assert mia["links"] == [{"case_id": ben["id"], "reference": ben["reference"], "relation": "gleicher_haushalt"}]
    assert [h["task"] for h in ben["history"]] == ["eingang_erfassen"]
    assert [t["task"] for t in ben["open_tasks"]] == ["ersteinschaetzung"]


def test_an_error_of_one_child_opens_none(api):
    before = _count(api)
    body = {**BODY, "kinder": [CHILDREN[0], {"vorname": "Ben", "geburtsdatum": "2030-01-01"}]}
    response = api.call("POST", "/cases/haushalt", user="goch_fk", json=body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert errors["kinder.1.geburtsdatum"] == [
        "Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an."
    ]
    assert "kinder.1.nachname" in errors and not any(key.startswith("kinder.0") for key in errors)
    assert _count(api) == before


def test_a_traeger_cannot_report_a_household(api):
    body = {**BODY, "process": "traeger_8a"}
    del body["eingang"]
    response = api.call("POST", "/cases/haushalt", user="kita_fk", json=body)
    assert response.status_code == 422 and "Jugendamt" in response.get_json()["errors"]["kinder"][0]
