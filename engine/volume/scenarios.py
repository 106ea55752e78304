"""The paths generated cases take: per process, the ways a case really goes, and how often each is
seen (`weight`, relative). The steps and their values are in `steps`.

A scenario is worked through the real engine once (`templates`); the state after its opening and
after each step is a template. Most generated cases are clones of a scenario's end (closed), the rest
of the states in between (open at that step).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.volume.steps import (
    AKUT,
    BEOBACHTUNG,
    BETEILIGT,
    EINGANG_TELEFON,
    GESPRAECH_ABGEWENDET,
    GESPRAECH_NICHT_ABGEWENDET,
    HILFE,
    LEITUNG_JA,
    LEITUNG_NEIN,
    MELDUNG,
    OBHUT,
    SCHUTZPLAN,
    SOFORTMELDUNG,
    ZUR_KENNTNIS,
    ReviewDue,
    Step,
    abschluss_traeger,
    ersteinschaetzung,
    gericht,
    insofa,
    ja_schluss,
    pruefung,
    rueckmeldung,
    vorgehen,
)


@dataclass(frozen=True)
class Scenario:
    key: str
    process: str
    opener: str
    weight: float
    steps: tuple[Step | ReviewDue, ...]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "traeger_keine_gewichtigen",
        "traeger_8a",
        "traeger.fk",
        18,
        (
            Step("traeger.fk", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
            Step("traeger.leitung", "leitung_informieren", LEITUNG_NEIN, after_hours=1),
            abschluss_traeger("keine_gewichtigen_anhaltspunkte"),
        ),
    ),
    Scenario(
        "traeger_insofa_keine_kwg",
        "traeger_8a",
        "traeger.fk",
        8,
        (
            Step("traeger.fk", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
            Step("traeger.leitung", "leitung_informieren", LEITUNG_JA, after_hours=1),
            insofa("keine_kwg"),
            vorgehen("keine_gefaehrdung"),
            abschluss_traeger("keine_kwg"),
        ),
    ),
    Scenario(
        "traeger_schutzplan",
        "traeger_8a",
        "traeger.fk",
        6,
        (
            Step("traeger.fk", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
            Step("traeger.leitung", "leitung_informieren", LEITUNG_JA, after_hours=1),
            insofa("hilfebedarf"),
            vorgehen("hilfen_mit_familie"),
            Step("traeger.fk", "beteiligung_familie", BETEILIGT, after_hours=24),
            Step("traeger.fk", "schutzplan_vereinbaren", SCHUTZPLAN),
            ReviewDue("ueberpruefung_am"),
            Step("traeger.leitung", "schutzplan_ueberpruefen", {"wirksam": "ja", "vermerk": "Hilfe greift."}),
            abschluss_traeger("hilfe_laeuft"),
        ),
    ),
    Scenario(
        "traeger_meldung",
        "traeger_8a",
        "traeger.fk",
        5,
        (
            Step("traeger.fk", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
            Step("traeger.leitung", "leitung_informieren", LEITUNG_JA, after_hours=1),
            insofa("kwg_nicht_abwendbar"),
            vorgehen("meldung"),
            Step("traeger.leitung", "meldung_jugendamt", MELDUNG, after_hours=3),
            Step("ja.fk", "eingang_erfassen", {"meldende_stelle": "kita_kindertagespflege"}, case="ja"),
            *ersteinschaetzung(True, "gelb", case="ja"),
            *pruefung("latente_kwg", case="ja", massnahmen=HILFE),
            rueckmeldung(True, True, case="ja"),
            Step("traeger.leitung", "rueckmeldung_zur_kenntnis", ZUR_KENNTNIS, after_hours=24),
            abschluss_traeger("an_jugendamt_uebergeben"),
            *ja_schluss(case="ja", statistik=True),
        ),
    ),
    Scenario(
        "traeger_sofortmeldung",
        "traeger_8a",
        "traeger.fk",
        2,
        (
            Step("traeger.fk", "anhaltspunkte_dokumentieren", AKUT, after_hours=0.5),
            Step("traeger.leitung", "sofortmeldung_jugendamt", SOFORTMELDUNG, after_hours=0.5),
            Step(
                "ja.fk", "eingang_erfassen", {"meldende_stelle": "kita_kindertagespflege"}, case="ja", after_hours=0.5
            ),
            *ersteinschaetzung(True, "rot", case="ja"),
            Step(
                "traeger.leitung",
                "meldebogen_nachreichen",
                {"gefaehrdungsbereiche": ["koerperliche_misshandlung"], "ergaenzungen": "Fotos liegen vor."},
            ),
            *pruefung("akute_kwg", case="ja", massnahmen=OBHUT, obhut=True),
            gericht(case="ja"),
            rueckmeldung(True, True, case="ja"),
            *ja_schluss(case="ja", statistik=True, obhut=True),
            Step("traeger.leitung", "rueckmeldung_zur_kenntnis", ZUR_KENNTNIS, after_hours=24),
            abschluss_traeger("an_jugendamt_uebergeben"),
        ),
    ),
    Scenario(
        "kkg_gespraech",
        "kkg4",
        "kkg.bgt",
        4,
        (
            Step("kkg.bgt", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
            Step("kkg.bgt", "gespraech_familie", GESPRAECH_ABGEWENDET, after_hours=24),
            Step("kkg.bgt", "abschluss", {"abschlussvermerk": "Eltern nehmen Beratung an."}),
        ),
    ),
    Scenario(
        "kkg_insofa",
        "kkg4",
        "kkg.bgt",
        2,
        (
            Step("kkg.bgt", "anhaltspunkte_dokumentieren", BEOBACHTUNG),
            Step("kkg.bgt", "gespraech_familie", GESPRAECH_NICHT_ABGEWENDET, after_hours=24),
            insofa("keine_kwg"),
            Step("kkg.bgt", "mitteilung_jugendamt", {"mitteilung_beabsichtigt": False}),
            Step("kkg.bgt", "abschluss", {"abschlussvermerk": "Nach Beratung keine Gefährdung."}),
        ),
    ),
    Scenario(
        "kkg_mitteilung",
        "kkg4",
        "kkg.bgt",
        2,
        (
            Step("kkg.bgt", "anhaltspunkte_dokumentieren", AKUT, after_hours=0.5),
            Step("kkg.bgt", "gespraech_familie", GESPRAECH_NICHT_ABGEWENDET, after_hours=4),
            insofa("kwg_nicht_abwendbar"),
            Step(
                "kkg.bgt",
                "mitteilung_jugendamt",
                {
                    "mitteilung_beabsichtigt": True,
                    "betroffene_vorab_informiert": True,
                    "zusammenfassung": "Verletzungen, Kind berichtet von Schlägen.",
                    "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
                },
                after_hours=1,
            ),
            Step("ja.fk", "eingang_erfassen", {"meldende_stelle": "schule"}, case="ja", after_hours=1),
            *ersteinschaetzung(False, "gelb", case="ja"),
            rueckmeldung(False, False, case="ja"),
            *ja_schluss(case="ja", statistik=False),
            Step("kkg.bgt", "rueckmeldung_zur_kenntnis", ZUR_KENNTNIS, after_hours=24),
            Step("kkg.bgt", "abschluss", {"abschlussvermerk": "Jugendamt informiert, Vorgang beendet."}),
        ),
    ),
    Scenario(
        "ja_keine_gewichtigen",
        "jugendamt_8a",
        "ja.fk",
        25,
        (
            Step("ja.fk", "eingang_erfassen", EINGANG_TELEFON, after_hours=0.2),
            *ersteinschaetzung(False, "gruen", case="own"),
            *ja_schluss(case="own", statistik=False),
        ),
    ),
    Scenario(
        "ja_hilfe",
        "jugendamt_8a",
        "ja.fk",
        15,
        (
            Step("ja.fk", "eingang_erfassen", EINGANG_TELEFON, after_hours=0.2),
            *ersteinschaetzung(True, "gelb", case="own"),
            *pruefung("keine_kwg_hilfebedarf", case="own", massnahmen={**HILFE, "schutzplan": False}),
            *ja_schluss(case="own", statistik=True),
        ),
    ),
    Scenario(
        "ja_inobhutnahme",
        "jugendamt_8a",
        "ja.fk",
        4,
        (
            Step(
                "ja.fk",
                "eingang_erfassen",
                {**EINGANG_TELEFON, "kanal": "polizei", "meldende_stelle": "polizei_justiz"},
            ),
            Step(
                "ja.fk",
                "ersteinschaetzung",
                {
                    "dringlichkeit": "gelb",
                    "gewichtige_anhaltspunkte": True,
                    "begruendung": "Polizeieinsatz wegen häuslicher Gewalt.",
                    "bekannter_fall": False,
                    "weitere_kinder_im_haushalt": True,
                },
                after_hours=0.5,
            ),
            Step(
                "ja.fk2",
                "ersteinschaetzung_bestaetigen",
                {"bestaetigt": False, "anmerkung": "Dringlichkeit zu niedrig."},
                after_hours=0.5,
            ),
            *ersteinschaetzung(True, "rot", case="own"),
            *pruefung("akute_kwg", case="own", massnahmen=OBHUT, obhut=True),
            gericht(case="own"),
            *ja_schluss(case="own", statistik=True, obhut=True),
        ),
    ),
)
