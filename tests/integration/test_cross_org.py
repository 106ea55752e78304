"""The cross-organisation flow end to end through the API: a Kita in Kevelaer reports a child who
lives in Goch; the Meldung reaches Jugendamt Goch and only Goch; the Jugendamt assesses with two
people, answers with exactly two facts; the Rückmeldung returns; both cases close."""

from __future__ import annotations

from tests.support import jugendamt
from tests.support.cases import FALLSCHILDERUNG
from tests.support.file_journey import VORGEHEN


def _task(api, user, case_id, key):
    case = api.call("GET", f"/cases/{case_id}", user=user).get_json()
    return next(t["id"] for t in case["open_tasks"] if t["task"] == key)


def _complete(api, user, case_id, key, values, status=200):
    response = api.call("POST", f"/tasks/{_task(api, user, case_id, key)}/complete", user=user, json=values)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_meldung_from_kevelaer_to_goch_and_back(api, world, child):
    case = api.call("POST", "/cases", user="kita_fk", json={"process": "traeger_8a", "child": child}).get_json()
    kita = case["id"]
    assert case["jugendamt"]["key"] == "ja-goch"
    _complete(
        api,
        "kita_fk",
        kita,
        "anhaltspunkte_dokumentieren",
        {
            "beobachtungen": "Hämatome an beiden Armen.",
            "beobachtet_am": "2026-03-02T08:15:00+01:00",
            "quelle": "eigene_beobachtung",
            "akute_gefahr": False,
        },
    )
    _complete(
        api,
        "kita_leitung",
        kita,
        "leitung_informieren",
        {
            "gewichtige_anhaltspunkte": True,
            "einschaetzung_leitung": "Beratung nötig.",
            "fallschilderung": FALLSCHILDERUNG,
        },
    )
    _complete(
        api,
        "insofa_kleve",
        kita,
        "insofa_beratung",
        {"beratung_am": "2026-03-02", "einschaetzung": "kwg_nicht_abwendbar", "empfehlung": "Jugendamt informieren."},
    )
    _complete(api, "kita_leitung", kita, "vorgehen_festlegen", VORGEHEN)  # the Leitung decides to report
    meldung = _complete(
        api,
        "kita_leitung",
        kita,
        "meldung_jugendamt",
        {
            "eltern_vorab_informiert": False,
            "grund_nicht_informiert": "Gefährdet das Kind.",
            "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
            "zusammenfassung": "Wiederholte Verletzungen.",
        },
    )
    [link] = meldung["links"]
    ja = link["case_id"]

    # Only Goch: not Kevelaer (the Kita's own Jugendamt), not the Kita's other staff via the JA case.
    assert api.call("GET", f"/cases/{ja}", user="kevelaer_fk").status_code == 404
    assert api.call("GET", f"/cases/{ja}", user="kita_leitung").status_code == 404
    ja_case = api.call("GET", f"/cases/{ja}", user="goch_fk").get_json()
    assert ja_case["organisation"]["key"] == "ja-goch" and ja_case["child"]["nachname"] == child["nachname"]
    assert "Hämatome" not in str(ja_case)  # the Träger's internal documentation stays with the Träger

    _complete(
        api,
        "goch_fk",
        ja,
        "eingang_erfassen",
        {
            "eingegangen_am": "2026-03-02T08:50:00+01:00",
            "kanal": "meldung_traeger",
            "meldende_stelle": "kita_kindertagespflege",
            "anonym": False,
            "inhalt": "Meldung der Kita.",
        },
    )
    _complete(
        api,
        "goch_fk",
        ja,
        "ersteinschaetzung",
        {
            "dringlichkeit": "gelb",
            "gewichtige_anhaltspunkte": True,
            "begruendung": "Verletzungen.",
            "bekannter_fall": False,
            "weitere_kinder_im_haushalt": True,
        },
    )
    same = api.call(
        "POST",
        f"/tasks/{_task(api, 'goch_fk2', ja, 'ersteinschaetzung_bestaetigen')}/complete",
        user="goch_fk",
        json={"bestaetigt": True},
    )
    assert same.status_code == 403 and "Mehraugenprinzip" in same.get_json()["detail"]
    _complete(api, "goch_fk2", ja, "ersteinschaetzung_bestaetigen", {"bestaetigt": True})
    _complete(
        api,
        "goch_fk",
        ja,
        "unmittelbarer_eindruck",
        {**jugendamt.EINDRUCK, "beobachtungen": "Kind gesehen."},
    )
    _complete(
        api,
        "goch_fk",
        ja,
        "beteiligung",
        {**jugendamt.BETEILIGUNG, "melder_beteiligt": False},
        status=422,
    )
    _complete(
        api,
        "goch_fk",
        ja,
        "beteiligung",
        {**jugendamt.BETEILIGUNG, "melder_beteiligt": False, "grund_keine_beteiligung": "nicht_erreichbar"},
    )
    _complete(
        api,
        "goch_fk",
        ja,
        "gefaehrdungseinschaetzung",
        {
            "ergebnis": "latente_kwg",
            "gefaehrdungsarten": ["koerperliche_misshandlung"],
            "gefaehrdung_durch": ["vater"],
            "tatsachen": "Wiederholte Hämatome, Erklärungen widersprüchlich.",
            "inobhutnahme_erforderlich": False,
        },
    )
    _complete(api, "goch_fk2", ja, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True})
    _complete(
        api,
        "goch_fk",
        ja,
        "massnahmen_festlegen",
        jugendamt.MASSNAHMEN,
    )
    _complete(
        api,
        "goch_fk",
        ja,
        "rueckmeldung_melder",
        {**jugendamt.RUECKMELDUNG, "bemerkung": "mehr"},
        status=422,
    )
    _complete(api, "goch_fk", ja, "rueckmeldung_melder", jugendamt.RUECKMELDUNG)

    # The Rückmeldung reached the Kita's case: exactly the two facts (§ 4 Abs. 4 KKG, § 64 Abs. 4 SGB VIII).
    kita_case = api.call("GET", f"/cases/{kita}", user="kita_leitung").get_json()
    with world.engine.work() as (uow, _):
        [answer] = [
            e.payload
            for e in world.engine.vault.read(
                uow.session.connection(), case_ref=case["reference"], types=["message.received"]
            )
        ]
    assert answer["message"] == "rueckmeldung_8a"
    assert answer["payload"] == {"anhaltspunkte_bestaetigt": True, "ja_taetig": True}
    assert [msg["payload"] for msg in kita_case["messages"]] == [{"anhaltspunkte_bestaetigt": True, "ja_taetig": True}]
    assert [t["task"] for t in kita_case["open_tasks"]] == ["rueckmeldung_zur_kenntnis"]
    _complete(api, "kita_leitung", kita, "rueckmeldung_zur_kenntnis", {"vermerk": "Zur Kenntnis genommen."})
    closed = _complete(
        api,
        "kita_leitung",
        kita,
        "abschluss",
        {"abschlussvermerk": "An das Jugendamt übergeben.", "ergebnis": "an_jugendamt_uebergeben"},
    )
    assert closed["status"] == "abgeschlossen"

    _complete(
        api,
        "goch_fk",
        ja,
        "statistik_erfassen",
        {
            "wiederholte_meldung": False,
            "geschlecht": "weiblich",
            "geburtsmonat": 5,
            "geburtsjahr": 2020,
            "herkunft_ausland": "nein",
            "deutsch_familiensprache": "ja",
            "eingliederungshilfe": False,
            "aufenthaltsort": "beide_eltern",
            "alter_mutter": "27_und_aelter",
            "alter_vater": "27_und_aelter",
            "massnahme_42": False,
        },
    )
    done = _complete(api, "goch_leitung", ja, "abschluss", {"abschlussvermerk": "Hilfe läuft."})
    assert done["status"] == "abgeschlossen"
