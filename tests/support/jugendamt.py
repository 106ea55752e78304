"""The values of jugendamt_8a version 2's steps that the tests share (path tests, migration, the
cross-process tests): what a Fachkraft of the Jugendamt Goch enters at each step of a case whose
Gefährdungseinschätzung finds a latente Kindeswohlgefährdung, without an Inobhutnahme. Dates of what
happened lie before the FakeClock (2026-03-02 09:00): they are `nicht_in_zukunft`."""

from __future__ import annotations

from typing import Any

#: `unmittelbarer_eindruck`: a Hausbesuch of goch_fk with goch_fk2, the child seen, no Inobhutnahme.
EINDRUCK: dict[str, Any] = {
    "art": "hausbesuch",
    "datum": "2026-03-02T08:30:00+01:00",
    "zweite_fachkraft": "goch_fk2",
    "kind_gesehen": True,
    "beobachtungen": "Wohnung verwahrlost, Kind wirkt verängstigt.",
    "inobhutnahme_erforderlich": False,
}
BETEILIGUNG: dict[str, Any] = {
    "eltern_beteiligt": True,
    "kind_beteiligt": True,
    "melder_beteiligt": True,
    "inobhutnahme_erforderlich": False,
}
GEFAEHRDUNG: dict[str, Any] = {
    "ergebnis": "latente_kwg",
    "gefaehrdungsarten": ["vernachlaessigung"],
    "gefaehrdung_durch": ["mutter"],
    "tatsachen": "Kühlschrank leer, Kind unterernährt.",
    "inobhutnahme_erforderlich": False,
}
MASSNAHMEN: dict[str, Any] = {
    "schutzplan": True,
    "hilfeangebot": "hze_27_35a",
    "familiengericht": False,
    "polizei_gesundheit": False,
}
INOBHUTNAHME: dict[str, Any] = {
    "beginn": "2026-03-02T08:50:00+01:00",
    "rechtsgrundlage": "dringende_gefahr",
    "unterbringung": "Bereitschaftspflegefamilie im Kreis Kleve",
    "kind_informiert": True,
    "vertrauensperson_benachrichtigt": True,
    "sorgeberechtigte_informiert": True,
    "widerspruch": "nein",
    "freiheitsentziehung": False,
    "begruendung": "Dringende Gefahr; die Entscheidung des Gerichts konnte nicht abgewartet werden.",
}
FAMILIENGERICHT_42: dict[str, Any] = {
    "angerufen_am": "2026-03-02T08:55:00+01:00",
    "gericht": "Amtsgericht Goch – Familiengericht",
    "anlass": "widerspruch",
    "begruendung": "Die Eltern widersprechen der Inobhutnahme.",
}
HILFEPLAN: dict[str, Any] = {
    "eingeleitet_am": "2026-03-02",
    "naechste_schritte": "Hilfeplangespräch mit der Mutter und der Bereitschaftspflegefamilie.",
}
FAMILIENGERICHT: dict[str, Any] = {
    "angerufen_am": "2026-03-02",
    "gericht": "Amtsgericht Goch – Familiengericht",
    "anlass": "gefaehrdung",
    "eilantrag": False,
    "begruendung": "Die Eltern nehmen die Hilfe nicht an (§ 1666 BGB).",
}
RUECKMELDUNG: dict[str, Any] = {"betroffene_informiert": True, "anhaltspunkte_bestaetigt": True, "ja_taetig": True}
ABSCHLUSS: dict[str, Any] = {"abschlussvermerk": "Verfahren beendet."}


def rueckmeldung(
    world: Any, case_id: int, *, anhaltspunkte_bestaetigt: bool, ja_taetig: bool, user: str = "goch_fk"
) -> dict[str, Any]:
    """The values of `rueckmeldung_melder` for the case's version: version 2 first asks whether the
    persons concerned were informed (R13); the message carries the two facts in either version."""
    values: dict[str, Any] = {"anhaltspunkte_bestaetigt": anhaltspunkte_bestaetigt, "ja_taetig": ja_taetig}
    if world.engine.case(world[user], case_id)["process"]["version"] >= 2:
        values["betroffene_informiert"] = True
    return values
