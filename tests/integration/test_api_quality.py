"""The LKSG § 8 quality review through `/api/v1`: the Leitung draws (201, the seed in the answer), the
reviewer reads a sampled case with no marker of the test child in the JSON and reviews it (422 as
problem+json with the field), the Kita's Leitung releases the free texts (204) and withdraws them; everybody else is
refused — the sample is a 404 like a missing one."""

from __future__ import annotations

import json

import pytest

from tests.support.cases import BEOBACHTUNG
from tests.support.quality import MARKERS, REVIEW, add_users, closed_cases, sample_request

#: The edge on SQLite; the engine's side runs on both databases in tests/integration/test_quality_review.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_draw_read_review_and_release_through_the_api(world, api) -> None:
    add_users(world)
    (case_id,) = closed_cases(world, 1)
    body = {**sample_request(world), "anzahl": 1}
    refused = api.call("POST", "/qualitaet/stichproben", user="goch_leitung", json=body)
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    invalid = api.call("POST", "/qualitaet/stichproben", user="kevelaer_leitung", json={**body, "von": "gestern"})
    assert invalid.status_code == 422 and list(invalid.json["errors"]) == ["von"]
    drawn = api.call("POST", "/qualitaet/stichproben", user="kevelaer_leitung", json=body)
    assert drawn.status_code == 201, drawn.json
    sample = drawn.json["stichprobe"]
    assert sample["seed"].isdigit() and sample["grundgesamtheit"] == 1 and len(sample["faelle"]) == 1
    path = f"/qualitaet/stichproben/{sample['id']}"

    case = api.call("GET", f"{path}/faelle/1", user="pruefer")
    assert case.status_code == 200 and case.json["alter_jahre"] == 6
    text = json.dumps(case.json, ensure_ascii=False)
    assert not [m for m in MARKERS if m in text] and BEOBACHTUNG["beobachtungen"] not in text
    wrong = api.call("POST", f"{path}/faelle/1/bewertung", user="pruefer", json={**REVIEW, "mehraugen": "x"})
    assert wrong.status_code == 422 and list(wrong.json["errors"]) == ["mehraugen"]
    saved = api.call("POST", f"{path}/faelle/1/bewertung", user="pruefer", json=REVIEW)
    assert saved.status_code == 200 and saved.json["bewertung"]["antworten"]["dokumentation"] == "lueckenhaft"

    assert api.call("POST", f"/cases/{case_id}/qualitaet-freigabe", user="kita_fk").status_code == 403
    assert api.call("POST", f"/cases/{case_id}/qualitaet-freigabe", user="kita_leitung").status_code == 204
    released = json.dumps(api.call("GET", f"{path}/faelle/1", user="pruefer").json, ensure_ascii=False)
    assert BEOBACHTUNG["beobachtungen"] in released and not [m for m in MARKERS if m in released]
    withdraw = f"/cases/{case_id}/qualitaet-freigabe/zuruecknehmen"
    assert api.call("POST", withdraw, user="kita_fk").status_code == 403
    assert api.call("POST", withdraw, user="kita_leitung").status_code == 204
    again = api.call("POST", withdraw, user="kita_leitung")
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    withdrawn = json.dumps(api.call("GET", f"{path}/faelle/1", user="pruefer").json, ensure_ascii=False)
    assert BEOBACHTUNG["beobachtungen"] not in withdrawn

    results = api.call("GET", path, user="kevelaer_leitung").json["ergebnisse"]
    fristen = next(r for r in results if r["kriterium"] == "fristen")
    assert {"antwort": "Eingehalten", "anzahl": 1} in fristen["antworten"]
    for user in ("goch_leitung", "pruefer_dueren", "kita_leitung"):
        assert api.call("GET", path, user=user).status_code == 404
        assert api.call("GET", f"{path}/faelle/1", user=user).status_code == 404
    assert api.call("GET", f"{path}/faelle/1", user="kevelaer_leitung").status_code == 404

    # the results of the period across samples: exact for the Jugendamt's Leitung, R34 for the network
    period = api.call("GET", "/qualitaet/ergebnisse?zeitraum=2026", user="kevelaer_leitung")
    assert period.status_code == 200 and period.json["bereich"] == "jugendamt" and not period.json["unterdrueckt"]
    assert period.json["geprueft"] == {"anzahl": 1, "status": "gezeigt"} and period.json["stichproben"] == 1
    fristen = next(r for r in period.json["ergebnisse"] if r["kriterium"] == "fristen")
    assert {"antwort": "Eingehalten", "anzahl": 1, "status": "gezeigt"} in fristen["antworten"]
    network = api.call("GET", "/qualitaet/ergebnisse", user="pruefer").json
    assert network["bereich"] == "netzwerk" and network["stichproben"] == 0 and not network["unterdrueckt"]
    text = json.dumps([period.json, network], ensure_ascii=False)
    assert not [m for m in [*MARKERS, sample["faelle"][0]["pseudonym"]] if m in text]
    assert api.call("GET", "/qualitaet/ergebnisse", user="kita_leitung").status_code == 403
    mine = "/qualitaet/ergebnisse?bereich=jugendamt&schluessel=ja-kevelaer"
    assert api.call("GET", mine, user="goch_leitung").status_code == 404
    assert api.call("GET", mine, user="pruefer").status_code == 404
    wrong = api.call("GET", f"{mine}&zeitraum=irgendwann", user="kevelaer_leitung")
    assert wrong.status_code == 422 and list(wrong.json["errors"]) == ["zeitraum"]
