"""A journey through the API shared by the case-file and the Akte tests: a Kita case brought to the
Meldung (Träger → Leitung → insofa → the Leitung's decision → Meldung), and the values each step documents."""

from __future__ import annotations

from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG

LEITUNG = {
    "gewichtige_anhaltspunkte": True,
    "einschaetzung_leitung": "Beratung nötig, Verletzungen wiederholt.",
    "fallschilderung": FALLSCHILDERUNG,
}
BERATUNG = {"beratung_am": "2026-03-02", "einschaetzung": "kwg_nicht_abwendbar", "empfehlung": "Jugendamt informieren."}
#: the Leitung's decision after the consultation (traeger_8a version 2)
VORGEHEN = {"vorgehen": "meldung", "begruendung": "Die Gefährdung lässt sich ohne das Jugendamt nicht abwenden."}
MELDUNG = {
    "eltern_vorab_informiert": False,
    "grund_nicht_informiert": "Ein Gespräch würde das Kind gefährden.",
    "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
    "zusammenfassung": "Wiederholte Verletzungen an den Armen.",
}
EINGANG = {
    "eingegangen_am": "2026-03-02T08:50:00+01:00",
    "kanal": "meldung_traeger",
    "meldende_stelle": "kita_kindertagespflege",
    "anonym": False,
    "inhalt": "Meldung der Kita nach § 8a Abs. 4 SGB VIII.",
}
ERSTEINSCHAETZUNG = {
    "dringlichkeit": "gelb",
    "begruendung": "Wiederholte Verletzungen.",
    "bekannter_fall": False,
    "weitere_kinder_im_haushalt": False,
    "gewichtige_anhaltspunkte": True,
}


def task_id(api, user, case_id, key):
    case = api.call("GET", f"/cases/{case_id}", user=user).get_json()
    return next(t["id"] for t in case["open_tasks"] if t["task"] == key)


def complete(api, user, case_id, key, values, status=200, digest=None):
    body = {**values, **({"grundlage_sha256": digest} if digest else {})}
    response = api.call("POST", f"/tasks/{task_id(api, user, case_id, key)}/complete", user=user, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def reported(api, child):
    """A Kita case brought to the Meldung; returns (Träger case id, Jugendamt case id)."""
    kita = api.call("POST", "/cases", user="kita_fk", json={"process": "traeger_8a", "child": child}).get_json()["id"]
    complete(api, "kita_fk", kita, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(api, "kita_leitung", kita, "leitung_informieren", LEITUNG)
    complete(api, "insofa_kleve", kita, "insofa_beratung", BERATUNG)
    complete(api, "kita_leitung", kita, "vorgehen_festlegen", VORGEHEN)
    meldung = complete(api, "kita_leitung", kita, "meldung_jugendamt", MELDUNG)
    [link] = meldung["links"]
    return kita, link["case_id"]
