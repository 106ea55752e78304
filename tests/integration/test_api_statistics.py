"""`GET /api/v1/statistik/99`: the Jugendamt's Leitung reads a year's § 99 Abs. 6 records; everybody
else is refused, and a missing year is a problem+json 422 — only for the Leitung."""

from __future__ import annotations


def test_the_leitung_reads_the_year_and_others_are_refused(api) -> None:
    ok = api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=2026", user="goch_leitung")
    assert ok.status_code == 200, ok.json
    assert ok.json == {
        "jugendamt": "ja-goch",
        "jahr": 2026,
        "datensaetze": [],
        "zu_korrigieren": [],
        "nicht_gezaehlt": [],
        "uebersicht": {"ergebnis": {}, "meldende_stelle": {}, "altersgruppe": {}},
    }
    for user in ("goch_fk", "kita_leitung", "kevelaer_fk"):
        refused = api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=2026", user=user)
        assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    assert api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=2026", user=None).status_code == 401
    assert api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=x", user="goch_fk").status_code == 403
    missing = api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=x", user="goch_leitung")
    assert missing.status_code == 422 and "jahr" in missing.json["errors"]
    assert api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=2031", user="goch_leitung").status_code == 422
    assert api.call("GET", "/statistik/99?jugendamt=kita-kevelaer&jahr=2026", user="goch_leitung").status_code == 404
