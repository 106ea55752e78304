"""R35 through `/api/v1/notfallzugriffe`: the Bereitschaftsdienst asks (201) and reads the case with
`notfallzugriff_bis`; refusals as problem+json (403 another role, 404 another Jugendamt's case, 422
the field); the Leitung lists the access, may review it only after it ended (409, then 204)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.break_glass import COMMENT, REASON, arrange

#: The edge on SQLite; the engine's side runs on both databases in tests/integration/test_break_glass.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PROBLEM = "application/problem+json"


def test_ask_read_list_and_review_through_the_api(world, api, child) -> None:
    arrange(world, child)
    ref = world.goch_case.reference
    body = {"aktenzeichen": ref, "grund": REASON, "stunden": 2}
    refused = api.call("POST", "/notfallzugriffe", user="goch_fk", json=body)
    assert refused.status_code == 403 and refused.content_type == PROBLEM
    foreign = api.call(
        "POST", "/notfallzugriffe", user="goch_bereitschaft", json={**body, "aktenzeichen": world.kita_case.reference}
    )
    assert foreign.status_code == 404 and foreign.content_type == PROBLEM
    invalid = api.call("POST", "/notfallzugriffe", user="goch_bereitschaft", json={**body, "grund": "Notfall"})
    assert invalid.status_code == 422 and list(invalid.json["errors"]) == ["grund"]
    too_long = api.call("POST", "/notfallzugriffe", user="goch_bereitschaft", json={**body, "stunden": 13})
    assert too_long.status_code == 422 and list(too_long.json["errors"]) == ["stunden"]  # 12 unless configured

    granted = api.call("POST", "/notfallzugriffe", user="goch_bereitschaft", json=body)
    assert granted.status_code == 201, granted.json
    assert granted.json["reference"] == ref and granted.json["case_id"] == world.goch_case.case_id
    case = api.call("GET", f"/cases/{world.goch_case.case_id}", user="goch_bereitschaft")
    assert case.status_code == 200 and case.json["notfallzugriff_bis"] and case.json["child"]["vorname"] == "Mia"

    (listed,) = api.call("GET", "/notfallzugriffe", user="goch_leitung").json
    assert (listed["grund"], listed["laeuft"], listed["pruefbar"]) == (REASON, True, False)
    assert api.call("GET", "/notfallzugriffe", user="goch_fk").status_code == 403
    path = f"/notfallzugriffe/{listed['id']}/pruefung"
    early = api.call("POST", path, user="goch_leitung", json={"kommentar": COMMENT})
    assert early.status_code == 409 and early.content_type == PROBLEM

    world.engine.clock.advance(timedelta(hours=2))
    assert api.call("GET", f"/cases/{world.goch_case.case_id}", user="goch_bereitschaft").status_code == 404
    assert api.call("POST", path, user="kevelaer_leitung", json={"kommentar": COMMENT}).status_code == 404
    assert api.call("POST", path, user="goch_leitung", json={"kommentar": COMMENT}).status_code == 204
    (done,) = api.call("GET", "/notfallzugriffe", user="goch_revision").json
    assert done["kommentar"] == COMMENT and done["geprueft_von"] == "Goch Leitung"
