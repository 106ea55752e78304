"""`GET /api/v1/statistik/99`: the Jugendamt's Leitung reads a year's § 99 Abs. 6 records; everybody
else is refused, and a missing year is a problem+json 422 — only for the Leitung."""

from __future__ import annotations

from datetime import datetime

from engine.clock import BERLIN


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
        "abschluss": None,
        "nach_abschluss_geaendert": [],
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


def test_the_leitung_locks_a_past_year_and_unlocks_it_with_a_reason(api, world) -> None:
    year = {"jugendamt": "ja-goch", "jahr": 2026}
    running = api.call("POST", "/statistik/99/abschluss", user="goch_leitung", json=year)
    assert running.status_code == 422 and "jahr" in running.json["errors"]  # 2026 is not over yet
    world.engine.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=BERLIN))
    api.tokens.clear()  # tokens expire: new ones at the new time
    for user in ("goch_fk", "kita_leitung"):
        refused = api.call("POST", "/statistik/99/abschluss", user=user, json=year)
        assert refused.status_code == 403 and refused.content_type == "application/problem+json"

    locked = api.call("POST", "/statistik/99/abschluss", user="goch_leitung", json=year)
    assert locked.status_code == 201, locked.json
    lock = locked.json["abschluss"]
    assert lock["von"] == world["goch_leitung"].display_name and len(lock["sha256"]) == 64
    read = api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=2026", user="goch_leitung")
    assert read.json["abschluss"] == lock
    assert api.call("POST", "/statistik/99/abschluss", user="goch_leitung", json=year).status_code == 409

    aufheben = "/statistik/99/abschluss/aufheben"
    assert api.call("POST", aufheben, user="goch_fk", json={**year, "grund": "x"}).status_code == 403
    no_reason = api.call("POST", aufheben, user="goch_leitung", json=year)
    assert no_reason.status_code == 422 and "grund" in no_reason.json["errors"]
    assert api.call("POST", aufheben, user="goch_leitung", json={**year, "grund": "Nachmeldung"}).status_code == 204
    again = api.call("GET", "/statistik/99?jugendamt=ja-goch&jahr=2026", user="goch_leitung")
    assert again.json["abschluss"] is None
