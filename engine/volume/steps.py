"""The steps of the scenarios (`scenarios`): who does which task with which values, and the building
blocks the scenarios share — the Jugendamt's Ersteinschätzung confirmed by a second Fachkraft, its
Prüfung, the Rückmeldung, the Inobhutnahme — with plausible values for every form.

Values may name the template's clock: `@jetzt` (now, ISO with offset), `@heute` (today) and
`@heute+N` (N days on). Who acts is a slot (`traeger.fk`, `ja.fk2`, …) each clone fills with people
of its own organisations; `case="ja"` is the Jugendamt case a Meldung opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    who: str
    task: str
    values: Mapping[str, Any]
    case: str = "own"
    #: hours the template's clock moves on before the step
    after_hours: float = 2.0


@dataclass(frozen=True)
class ReviewDue:
    """The Schutzplan's review day arrives (08:00 of the date the given field set): the timer fires."""

    field: str


BEOBACHTUNG = {
    "beobachtungen": "Kind kommt wiederholt ohne Frühstück und in verschmutzter Kleidung; wirkt müde und "
    "zieht sich zurück.",
    "beobachtet_am": "@jetzt",
    "quelle": "eigene_beobachtung",
    "akute_gefahr": False,
}
AKUT = {
    **BEOBACHTUNG,
    "beobachtungen": "Frische Hämatome an Armen und Rücken; das Kind sagt, es wolle nicht nach Hause.",
    "quelle": "aussage_kind",
    "aussagen_kind": "„Papa hat mich wieder geschlagen.“",
    "akute_gefahr": True,
}
LEITUNG_NEIN = {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "Nach Gespräch mit der Mutter erklärbar."}
LEITUNG_JA = {
    "gewichtige_anhaltspunkte": True,
    "einschaetzung_leitung": "Gewichtige Anhaltspunkte, Beratung nötig.",
    "fallschilderung": "Das Kind kommt seit Wochen hungrig und mit Hämatomen an den Armen in die Einrichtung.",
}


def insofa(einschaetzung: str) -> Step:
    values = {"beratung_am": "@heute", "einschaetzung": einschaetzung, "empfehlung": "Siehe Beratungsprotokoll."}
    return Step("insofa", "insofa_beratung", values, after_hours=24)


def vorgehen(entscheidung: str) -> Step:
    """The Leitung decides after the consultation (traeger_8a version 2): the insofa advises only."""
    values = {"vorgehen": entscheidung, "begruendung": "Nach der Beratung mit der insoweit erfahrenen Fachkraft."}
    return Step("traeger.leitung", "vorgehen_festlegen", values, after_hours=2)


def abschluss_traeger(ergebnis: str, who: str = "traeger.leitung") -> Step:
    return Step(
        who, "abschluss", {"abschlussvermerk": "Verfahren beendet, Dokumentation vollständig.", "ergebnis": ergebnis}
    )


EINGANG_TELEFON = {
    "eingegangen_am": "@jetzt",
    "kanal": "telefon",
    "meldende_stelle": "verwandte",
    "anonym": False,
    "inhalt": "Großmutter berichtet, das Kind sei häufig abends allein und verängstigt.",
}
STATISTIK = {
    "wiederholte_meldung": False,
    "herkunft_ausland": "nein",
    "deutsch_familiensprache": "ja",
    "eingliederungshilfe": False,
    "aufenthaltsort": "elternteil_allein",
    "alter_mutter": "27_und_aelter",
    "alter_vater": "unbekannt",
}


def ersteinschaetzung(gewichtig: bool, dringlichkeit: str, *, case: str) -> tuple[Step, Step]:
    values = {
        "dringlichkeit": dringlichkeit,
        "gewichtige_anhaltspunkte": gewichtig,
        "begruendung": "Hinweise konkret und glaubhaft." if gewichtig else "Keine konkreten Hinweise auf Gefährdung.",
        "bekannter_fall": False,
        "weitere_kinder_im_haushalt": False,
    }
    return (
        Step("ja.fk", "ersteinschaetzung", values, case=case, after_hours=1),
        Step("ja.fk2", "ersteinschaetzung_bestaetigen", {"bestaetigt": True}, case=case, after_hours=1),
    )


def pruefung(ergebnis: str, *, case: str, massnahmen: Mapping[str, Any], obhut: bool = False) -> tuple[Step, ...]:
    """Eindruck (parents and child asked to the office: a Hausbesuch would name a colleague, whose
    username a cloned case must not carry), Beteiligung, Gefährdungseinschätzung (confirmed by a second
    Fachkraft), with `obhut` the Inobhutnahme it calls for (the parents object: the court decides), then
    the Maßnahmen (jugendamt_8a version 2)."""
    return (
        Step(
            "ja.fk",
            "unmittelbarer_eindruck",
            {
                "art": "einbestellung",
                "datum": "@jetzt",
                "kind_gesehen": True,
                "beobachtungen": "Kind wirkt müde, Mutter überfordert.",
                "inobhutnahme_erforderlich": False,
            },
            case=case,
            after_hours=24,
        ),
        Step(
            "ja.fk",
            "beteiligung",
            {
                "eltern_beteiligt": True,
                "kind_beteiligt": True,
                "melder_beteiligt": True,
                "inobhutnahme_erforderlich": False,
            },
            case=case,
            after_hours=48,
        ),
        Step(
            "ja.fk",
            "gefaehrdungseinschaetzung",
            {
                "ergebnis": ergebnis,
                "gefaehrdungsarten": ["vernachlaessigung"],
                "gefaehrdung_durch": ["mutter"],
                "tatsachen": "Versorgung des Kindes zeitweise nicht sichergestellt.",
                "inobhutnahme_erforderlich": obhut,
            },
            case=case,
            after_hours=24,
        ),
        Step("ja.fk2", "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True}, case=case, after_hours=3),
        *(inobhutnahme(case=case) if obhut else ()),
        Step("ja.fk", "massnahmen_festlegen", dict(massnahmen), case=case, after_hours=24),
    )


HILFE = {
    "schutzplan": True,
    "hilfeangebot": "hze_27_35a",
    "familiengericht": False,
    "polizei_gesundheit": False,
}
#: after an Inobhutnahme the parents objected to: the court is asked for measures too (§ 1666 BGB)
OBHUT = {**HILFE, "schutzplan": False, "familiengericht": True}


def rueckmeldung(bestaetigt: bool, taetig: bool, *, case: str) -> Step:
    values = {"betroffene_informiert": True, "anhaltspunkte_bestaetigt": bestaetigt, "ja_taetig": taetig}
    return Step("ja.fk", "rueckmeldung_melder", values, case=case)


def ja_schluss(*, case: str, statistik: bool, obhut: bool = False) -> tuple[Step, ...]:
    """The statistics (a § 99 Abs. 6 case; the Inobhutnahme prefilled after one) and the Leitung's Abschluss."""
    last = Step("ja.leitung", "abschluss", {"abschlussvermerk": "Verfahren beendet."}, case=case, after_hours=48)
    values = STATISTIK if obhut else {**STATISTIK, "massnahme_42": False}
    return (Step("ja.fk", "statistik_erfassen", values, case=case, after_hours=24), last) if statistik else (last,)


def inobhutnahme(*, case: str) -> tuple[Step, ...]:
    """The Inobhutnahme the Gefährdungseinschätzung called for, documented by the Leitung; the parents
    object, so the Leitung brings about the court's decision without delay (§ 42 Abs. 3 SGB VIII)."""
    return (
        Step(
            "ja.leitung",
            "inobhutnahme_dokumentieren",
            {
                "beginn": "@jetzt",
                "rechtsgrundlage": "dringende_gefahr",
                "unterbringung": "Bereitschaftspflegefamilie",
                "kind_informiert": True,
                "vertrauensperson_benachrichtigt": True,
                "sorgeberechtigte_informiert": True,
                "widerspruch": "ja",
                "freiheitsentziehung": False,
                "begruendung": "Dringende Gefahr, Eltern widersprechen.",
            },
            case=case,
            after_hours=1,
        ),
        Step(
            "ja.leitung",
            "familiengericht_42",
            {
                "angerufen_am": "@jetzt",
                "gericht": "Amtsgericht – Familiengericht",
                "anlass": "widerspruch",
                "begruendung": "Eltern widersprechen der Inobhutnahme (§ 42 Abs. 3 SGB VIII).",
            },
            case=case,
            after_hours=2,
        ),
    )


def gericht(*, case: str) -> Step:
    """The court asked for measures after the Maßnahmen (§ 8a Abs. 2 Satz 1 SGB VIII, § 1666 BGB)."""
    values = {
        "angerufen_am": "@heute",
        "gericht": "Amtsgericht – Familiengericht",
        "anlass": "gefaehrdung",
        "eilantrag": True,
        "begruendung": "Die Eltern lehnen jede Hilfe ab; Maßnahmen nach § 1666 BGB erforderlich.",
    }
    return Step("ja.leitung", "anrufung_familiengericht", values, case=case, after_hours=4)


MELDUNG = {
    "eltern_vorab_informiert": False,
    "grund_nicht_informiert": "Ein Gespräch würde das Kind gefährden.",
    "gefaehrdungsbereiche": ["vernachlaessigung"],
    "zusammenfassung": "Anhaltende Vernachlässigung trotz Gesprächen; Hilfe wird abgelehnt.",
}
SOFORTMELDUNG = {
    "gemeldet_am": "@jetzt",
    "kanal": "telefon",
    "polizei_informiert": False,
    "eltern_informiert": False,
    "grund_eltern_nicht_informiert": "Würde das Kind gefährden.",
    "zusammenfassung": "Kind mit frischen Verletzungen, will nicht nach Hause.",
}
SCHUTZPLAN = {
    "massnahmen": [{"was": "Erziehungsberatung wahrnehmen", "wer": "Eltern", "bis": "@heute+10"}],
    "ueberpruefung_am": "@heute+14",
}
BETEILIGT = {
    "eltern_einbezogen": True,
    "kind_einbezogen": True,
    "gespraech_am": "@heute",
    "ergebnis": "hilfe_angenommen",
}
GESPRAECH_ABGEWENDET = {"gefuehrt": True, "ergebnis": "gefaehrdung_abgewendet"}
GESPRAECH_NICHT_ABGEWENDET = {
    "gefuehrt": True,
    "ergebnis": "nicht_abgewendet",
    "fallschilderung": "Das Kind berichtet von Schlägen zu Hause; das Gespräch mit den Eltern blieb ohne Ergebnis.",
}
ZUR_KENNTNIS = {"vermerk": "Rückmeldung zur Kenntnis genommen."}
