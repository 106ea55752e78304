"""Demo data for `schutzpfad init --demo`: organisations of the Kreis Kleve network, a user for
every role, and a few cases in different states — so a newcomer sees the procedures at work.

All names are invented. Demo users have no second factor (only allowed with
SCHUTZPFAD_ALLOW_NO_MFA=1); the README lists the logins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from engine.accounts import registry as accounts
from engine.actor import Actor
from engine.case_engine import CaseEngine
from engine.cases.results import CaseProgress
from engine.clock import BERLIN
from engine.persistence import models as m
from engine.transactions import Work

DEMO_PASSWORD = "Schutzpfad-Demo-2026"  # noqa: S105 - documented demo login, demo installations only

#: key, name, kind, Jugendamt, § 99 category as a reporter
ORGANISATIONS = [
    ("kita-regenbogen-kevelaer", "Kita Regenbogen Kevelaer", "traeger", "ja-kevelaer", "kita_kindertagespflege"),
    ("gesamtschule-goch", "Gesamtschule Goch", "einrichtung_kkg", "ja-goch", "schule"),
    ("kinderarztpraxis-goch", "Kinderarztpraxis am Markt Goch", "gesundheitswesen", "ja-goch", "gesundheitswesen"),
    (
        "kindertagespflege-sonnenkaefer-goch",
        "Kindertagespflege Sonnenkäfer Goch",
        "kindertagespflege",
        "ja-goch",
        "kita_kindertagespflege",
    ),
    (
        "beratungsstelle-kleve",
        "Erziehungs- und Familienberatung Kreis Kleve",
        "beratungsstelle",
        "ja-kreis-kleve",
        "beratungsstelle",
    ),
]
#: the direct lines of the people who report (in their Meldebogen)
TELEPHONES = {"kita.leitung": "02832 93 44-12", "kita.leitung2": "02832 93 44-13", "schule.lehrkraft": "02823 97 61-0"}

USERS = [
    ("kita.fachkraft", "Anna Albers", "kita-regenbogen-kevelaer", "fachkraft"),
    ("kita.leitung", "Bernd Berger", "kita-regenbogen-kevelaer", "leitung"),
    ("kita.leitung2", "Clara Conrads", "kita-regenbogen-kevelaer", "leitung"),
    ("kita.revision", "Dora Dahmen", "kita-regenbogen-kevelaer", "auditor"),
    ("tagespflege", "Rita Reuter", "kindertagespflege-sonnenkaefer-goch", "fachkraft"),
    ("schule.lehrkraft", "Emil Ernst", "gesamtschule-goch", "berufsgeheimnistraeger"),
    ("schule.revision", "Olga Opgenoorth", "gesamtschule-goch", "auditor"),
    ("praxis.aerztin", "Ulrike Urban", "kinderarztpraxis-goch", "berufsgeheimnistraeger"),
    ("beratung.insofa", "Frieda Fuchs", "beratungsstelle-kleve", "insofa"),
    ("beratung.insofa2", "Gregor Gerritzen", "beratungsstelle-kleve", "insofa"),
    ("goch.fachkraft", "Hanna Hendricks", "ja-goch", "ja_fachkraft"),
    ("goch.fachkraft2", "Ingo Imhoff", "ja-goch", "ja_fachkraft"),
    ("goch.leitung", "Jana Janssen", "ja-goch", "ja_leitung"),
    ("goch.revision", "Karl Kersten", "ja-goch", "auditor"),
    ("goch.fachberatung", "Sabine Schmitz", "ja-goch", "ja_fachberatung_ktp"),
    ("goch.bereitschaft", "Tobias Thelen", "ja-goch", "ja_bereitschaft"),
    ("kevelaer.fachkraft", "Lena Lemmen", "ja-kevelaer", "ja_fachkraft"),
    ("kevelaer.leitung", "Moritz Mertens", "ja-kevelaer", "ja_leitung"),
    ("kevelaer.revision", "Paula Peters", "ja-kevelaer", "auditor"),
    ("kleve.qualitaet", "Quentin Quast", "ja-kreis-kleve", "qualitaet"),
    ("admin", "Nora Nienhaus", "ja-kreis-kleve", "admin"),
    ("kreis.koordination", "Rita Reinders", "ja-kreis-kleve", "netzwerk_koordination"),
]

BEOBACHTUNG = {
    "beobachtungen": "Kind kommt seit zwei Wochen ohne Frühstück und in verschmutzter Kleidung; "
    "erzählt, es sei abends oft allein.",
    "quelle": "eigene_beobachtung",
    "aussagen_kind": "„Mama ist abends immer weg.“",
    "akute_gefahr": False,
}


def _child(vorname: str, nachname: str, geburtsdatum: str, gemeinde: str) -> dict[str, Any]:
    return {"vorname": vorname, "nachname": nachname, "geburtsdatum": geburtsdatum, "wohnort_gemeinde": gemeinde}


def seed_demo(engine: CaseEngine) -> bool:
    """Create the demo world once; returns False if it is already there."""
    actors = engine.tx.command(_seed_accounts)
    if actors is None:
        return False
    _seed_cases(engine, actors)
    return True


def _seed_accounts(work: Work) -> dict[str, Actor] | None:
    """The demo organisations and users (None: they exist already)."""
    session, now = work.session, work.now
    if session.execute(select(m.User.id).where(m.User.username == USERS[0][0])).first():
        return None
    for key, name, kind, jugendamt, reporter in ORGANISATIONS:
        accounts.create_organisation(
            session, key=key, name=name, kind=kind, now=now, jugendamt_key=jugendamt, meldende_stelle=reporter
        )
    actors: dict[str, Actor] = {}
    for username, display, org, role in USERS:
        user = accounts.create_user(
            session,
            username=username,
            organisation_key=org,
            role=role,
            password=DEMO_PASSWORD,
            now=now,
            display_name=display,
            mfa_required=False,
            telefon=TELEPHONES.get(username),
        )
        actors[username] = accounts.actor_for_user(session, user)
    return actors


def _step(engine: CaseEngine, actor: Actor, case: CaseProgress, task: str, values: dict[str, Any]) -> CaseProgress:
    task_id = next(t.id for t in case.open_tasks if t.task == task)
    return engine.complete_task(actor, task_id, values)


def _before_now(engine: CaseEngine, minutes: int) -> str:
    """A time shortly before the engine's now, in Berlin time: observations and reports lie in the past."""
    return (engine.clock.now() - timedelta(minutes=minutes)).astimezone(BERLIN).isoformat(timespec="minutes")


def _seed_cases(engine: CaseEngine, a: dict[str, Actor]) -> None:
    fk, leitung = a["kita.fachkraft"], a["kita.leitung"]
    observed = {**BEOBACHTUNG, "beobachtet_am": _before_now(engine, 90)}
    # 1. Just opened: the Fachkraft still documents her observations.
    engine.open_case(fk, process_key="traeger_8a", child=_child("Lina", "Beispiel", "2021-04-12", "Kevelaer"))
    # 2. Documented; now the Leitung assesses (Mehraugenprinzip: not the Fachkraft).
    case = engine.open_case(fk, process_key="traeger_8a", child=_child("Noah", "Muster", "2020-09-03", "Goch"))
    _step(engine, fk, case, "anhaltspunkte_dokumentieren", observed)
    # 3. Closed: the Leitung found no gewichtige Anhaltspunkte.
    case = engine.open_case(fk, process_key="traeger_8a", child=_child("Emma", "Probe", "2019-12-24", "Uedem"))
    case = _step(engine, fk, case, "anhaltspunkte_dokumentieren", {**observed, "aussagen_kind": None})
    case = _step(
        engine,
        leitung,
        case,
        "leitung_informieren",
        {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "Nach Gespräch mit der Mutter erklärt: Umzug."},
    )
    _step(
        engine,
        leitung,
        case,
        "abschluss",
        {
            "abschlussvermerk": "Keine gewichtigen Anhaltspunkte; Kita bleibt aufmerksam.",
            "ergebnis": "keine_gewichtigen_anhaltspunkte",
        },
    )
    # 4. § 4 KKG: a teacher documented her observations; the talk with child and parents is next.
    case = engine.open_case(
        a["schule.lehrkraft"], process_key="kkg4", child=_child("Jonas", "Testfall", "2014-07-09", "Goch")
    )
    _step(
        engine,
        a["schule.lehrkraft"],
        case,
        "anhaltspunkte_dokumentieren",
        {**observed, "aussagen_kind": None},
    )
    # 5. Acute danger: reported at once to the Jugendamt Goch, which now has it in its inbox.
    case = engine.open_case(fk, process_key="traeger_8a", child=_child("Ben", "Exempel", "2022-02-28", "Goch"))
    case = _step(engine, fk, case, "anhaltspunkte_dokumentieren", {**observed, "akute_gefahr": True})
    _step(
        engine,
        leitung,
        case,
        "sofortmeldung_jugendamt",
        {
            "gemeldet_am": _before_now(engine, 10),
            "kanal": "telefon",
            "polizei_informiert": False,
            "eltern_informiert": False,
            "grund_eltern_nicht_informiert": "Gespräch würde das Kind gefährden.",
            "zusammenfassung": "Kind berichtet von Schlägen; sichtbare Verletzungen.",
        },
    )
    # 6. § 8a Abs. 5: a Tagespflegeperson documented her observations; the Jugendamt Goch's
    #    Fachberatung Kindertagespflege now assesses them with her (pseudonym only).
    tagespflege = a["tagespflege"]
    case = engine.open_case(
        tagespflege, process_key="kindertagespflege_8a", child=_child("Lea", "Vorlage", "2023-06-14", "Goch")
    )
    _step(engine, tagespflege, case, "anhaltspunkte_dokumentieren", {**observed, "aussagen_kind": None})
