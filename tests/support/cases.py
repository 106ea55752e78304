"""Case data and steps the tests share: a Kita's first observation, finding and completing an open
task of a case by its key, a traeger_8a case brought to its Meldung or its Schutzplan, and the
Jugendamt's case of a Meldung brought to its Rückmeldung."""

from __future__ import annotations

from typing import Any

from engine.cases.results import CaseProgress

#: `anhaltspunkte_dokumentieren` of traeger_8a without acute danger.
BEOBACHTUNG: dict[str, Any] = {
    "beobachtungen": "Blaue Flecken am Oberarm, wirkt verängstigt.",
    "beobachtet_am": "2026-03-02T08:15:00+01:00",
    "quelle": "eigene_beobachtung",
    "akute_gefahr": False,
}


def open_tasks(world: Any, user: str, case_id: int) -> dict[str, dict[str, Any]]:
    """The open tasks of a case by key, as `user` sees them in the case view."""
    return {t["task"]: t for t in world.engine.case(world[user], case_id)["open_tasks"]}


def open_task(world: Any, user: str, case_id: int, key: str) -> dict[str, Any]:
    """The open task `key` of a case as `user` sees it in the case view (KeyError if not open)."""
    return open_tasks(world, user, case_id)[key]


def complete(world: Any, user: str, case_id: int, key: str, values: dict[str, Any]) -> CaseProgress:
    """`user` completes the open task `key` of a case with `values`; the engine's step result."""
    return world.engine.complete_task(world[user], open_task(world, user, case_id, key)["id"], values)


# ---- traeger_8a around the consultation, for either version ---------------------------------------
# Version 2 (issue 12): the Leitung writes a Fallschilderung for the insoweit erfahrene Fachkraft (no
# names, no address, no birth date: the engine checks it, R09), and after the consultation the Leitung
# decides how to go on (`vorgehen_festlegen`, R11) — the insofa's Einschätzung no longer routes. These
# helpers take a case of either version the same way, so that a test about something else (a Meldung,
# a Schutzplan) need not know which version its case started on.
#: what the Leitung writes for the consultation: the facts, nobody named
FALLSCHILDERUNG = "Das Kind kommt seit Wochen mit blauen Flecken am Oberarm in die Kita und wirkt verängstigt."

#: the Leitung's decision that follows the insofa's Einschätzung where the test does not disagree
VORGEHEN = {
    "keine_kwg": "keine_gefaehrdung",
    "hilfebedarf": "hilfen_mit_familie",
    "kwg_abwendbar": "hilfen_mit_familie",
    "kwg_nicht_abwendbar": "meldung",
}


def version(world: Any, case_id: int, user: str = "kita_leitung") -> int:
    return int(world.engine.case(world[user], case_id)["process"]["version"])


def leitung_ja(world: Any, case_id: int, einschaetzung_leitung: str = "Gewichtig, Beratung nötig.") -> dict[str, Any]:
    """`leitung_informieren` finding gewichtige Anhaltspunkte; with the Fallschilderung on version 2."""
    values: dict[str, Any] = {"gewichtige_anhaltspunkte": True, "einschaetzung_leitung": einschaetzung_leitung}
    if version(world, case_id) >= 2:
        values["fallschilderung"] = FALLSCHILDERUNG
    return values


def beraten(world: Any, case_id: int, einschaetzung: str, *, insofa: str = "insofa_kleve") -> None:
    """The insofa advises with `einschaetzung`; on version 2 the Leitung then decides accordingly."""
    complete(
        world,
        insofa,
        case_id,
        "insofa_beratung",
        {"beratung_am": "2026-03-02", "einschaetzung": einschaetzung, "empfehlung": "Siehe Protokoll."},
    )
    if "vorgehen_festlegen" in open_tasks(world, "kita_leitung", case_id):
        vorgehen = {"vorgehen": VORGEHEN[einschaetzung], "begruendung": "Wie in der Beratung eingeschätzt."}
        complete(world, "kita_leitung", case_id, "vorgehen_festlegen", vorgehen)


def to_meldung(world: Any, case_id: int) -> None:
    """A traeger_8a case whose observation is documented, on through Leitung (gewichtige
    Anhaltspunkte) and an InsoFa consultation that finds the danger not avertable (on version 2 the
    Leitung then decides to report) to the open `meldung_jugendamt`."""
    complete(world, "kita_fk", case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(world, "kita_leitung", case_id, "leitung_informieren", leitung_ja(world, case_id, "Gewichtig."))
    beraten(world, case_id, "kwg_nicht_abwendbar")


def to_schutzplan(world: Any, case_id: int) -> None:
    """A traeger_8a case whose observation is documented, on through Leitung (gewichtige
    Anhaltspunkte), InsoFa consultation and Beteiligung to the open `schutzplan_vereinbaren`."""
    leitung = leitung_ja(world, case_id, "Beratung nötig.")
    complete(world, "kita_leitung", case_id, "leitung_informieren", leitung)
    beraten(world, case_id, "hilfebedarf")
    complete(
        world,
        "kita_fk",
        case_id,
        "beteiligung_familie",
        {
            "eltern_einbezogen": True,
            "kind_einbezogen": True,
            "gespraech_am": "2026-03-02",
            "ergebnis": "hilfe_angenommen",
        },
    )


#: `sofortmeldung_jugendamt` of traeger_8a: the telephone report of an acute danger.
SOFORTMELDUNG: dict[str, Any] = {
    "gemeldet_am": "2026-03-02T08:45:00+01:00",
    "kanal": "telefon",
    "polizei_informiert": False,
    "eltern_informiert": True,
    "zusammenfassung": "Akut.",
}


def sofortmeldung(world: Any, child: dict[str, Any], advance: Any = None) -> int:
    """A Kita documents an acute danger, its Leitung reports it at once: the id of the Jugendamt case
    the Sofortmeldung opened. `advance()` (optional) runs between the two steps (a clock moving)."""
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", case.case_id, "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": True})
    if advance is not None:
        advance()
    complete(world, "kita_leitung", case.case_id, "sofortmeldung_jugendamt", SOFORTMELDUNG)
    return world.engine.case(world["kita_leitung"], case.case_id)["links"][0]["case_id"]


def closed_case(
    world: Any, child: dict[str, Any], ergebnis: str = "keine_gewichtigen_anhaltspunkte"
) -> tuple[int, str]:
    """A Kita's case closed after its Leitung saw no gewichtige Anhaltspunkte, with `ergebnis` as
    its result (`hilfe_laeuft`: a case with findings): its id and reference."""
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", case.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    leitung = {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "Unbegründet."}
    complete(world, "kita_leitung", case.case_id, "leitung_informieren", leitung)
    (closing,) = open_tasks(world, "kita_leitung", case.case_id)
    ende = {"abschlussvermerk": "Ende.", "ergebnis": ergebnis}
    complete(world, "kita_leitung", case.case_id, closing, ende)
    return case.case_id, case.reference


def to_rueckmeldung(world: Any, ja_case_id: int) -> None:
    """The Jugendamt's case of a Kita's Meldung, recorded in the Eingang, first assessment (yellow, no
    gewichtige Anhaltspunkte) confirmed by a second Fachkraft: `rueckmeldung_melder` is open."""
    complete(
        world,
        "goch_fk",
        ja_case_id,
        "eingang_erfassen",
        {"eingegangen_am": "2026-03-02T08:50:00+01:00", "meldende_stelle": "kita_kindertagespflege"},
    )
    complete(
        world,
        "goch_fk",
        ja_case_id,
        "ersteinschaetzung",
        {
            "dringlichkeit": "gelb",
            "begruendung": "Hinweise der Kita, keine akute Gefahr.",
            "bekannter_fall": False,
            "weitere_kinder_im_haushalt": False,
            "gewichtige_anhaltspunkte": False,
        },
    )
    complete(world, "goch_fk2", ja_case_id, "ersteinschaetzung_bestaetigen", {"bestaetigt": True})
