"""A Jugendamt's own report through `POST /api/v1/cases` (issue 16 item 2): unknown fields marked,
an approximate age instead of the birth date; a Träger may not mark anything unknown."""

from __future__ import annotations

CALL = {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 5, "wohnort_gemeinde": "Goch"}


def test_a_jugendamt_opens_a_case_with_unknown_surname_and_birth_date(api):
    response = api.call("POST", "/cases", user="goch_fk", json={"process": "jugendamt_8a", "child": CALL})
    assert response.status_code == 201, response.get_data(as_text=True)
    case = api.call("GET", f"/cases/{response.get_json()['id']}", user="goch_fk").get_json()
    assert case["child"]["unbekannt"] == ["nachname", "geburtsdatum"] and case["child"]["alter_geschaetzt"] == 5


def test_a_traeger_may_not_mark_the_child_unknown(api, child):
    body = {"process": "traeger_8a", "child": {**child, "unbekannt": ["nachname"]}}
    response = api.call("POST", "/cases", user="kita_fk", json=body)
    assert response.status_code == 422 and "unbekannt" in response.get_json()["errors"]


def test_the_unknown_surname_and_birth_date_are_completed_later(api):
    opened = api.call("POST", "/cases", user="goch_fk", json={"process": "jugendamt_8a", "child": CALL}).get_json()
    learnt = {"nachname": "Beispiel", "geburtsdatum": "2020-09-14"}
    response = api.call("POST", f"/cases/{opened['id']}/angaben", user="goch_fk", json=learnt)
    assert response.status_code == 200, response.get_data(as_text=True)
    child = response.get_json()["child"]
    assert child["nachname"] == "Beispiel" and child["geburtsdatum"] == "2020-09-14"
    assert "unbekannt" not in child and "alter_geschaetzt" not in child
    assert [h["task"] for h in response.get_json()["history"]] == ["angaben_ergaenzt"]
    # another organisation: the case is not there; a wrong date: 422 at the field, in German
    assert api.call("POST", f"/cases/{opened['id']}/angaben", user="kita_fk", json=learnt).status_code == 404
    wrong = api.call("POST", f"/cases/{opened['id']}/angaben", user="goch_fk", json={"geburtsdatum": "2030-01-01"})
    assert wrong.status_code == 422
    assert wrong.get_json()["errors"]["geburtsdatum"] == [
        "Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an."
    ]
