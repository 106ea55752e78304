"""traeger_8a (§ 8a Abs. 4 SGB VIII) through the engine: steps 1, 3 and 10, the Mehraugenprinzip,
the pseudonymised consultation and the Sofortmeldung that opens a case at the responsible Jugendamt."""

from __future__ import annotations

import pytest

from engine.errors import NotAllowed, NotFound, ValidationFailed
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG, complete, open_tasks


@pytest.fixture
def case(world, child):
    opened = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    return world.engine.case(world["kita_fk"], opened.case_id)


def test_no_gewichtige_anhaltspunkte_closes_the_case(world, case):
    assert case["jugendamt"]["key"] == "ja-goch"  # Kita in Kevelaer, child lives in Goch
    assert list(open_tasks(world, "kita_fk", case["id"])) == ["anhaltspunkte_dokumentieren"]
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(
        world,
        "kita_leitung",
        case["id"],
        "leitung_informieren",
        {
            "gewichtige_anhaltspunkte": False,
            "einschaetzung_leitung": "Erklärbar durch Sturz.",
            "fallschilderung": FALLSCHILDERUNG,
        },
    )
    complete(
        world,
        "kita_leitung",
        case["id"],
        "abschluss",
        {"abschlussvermerk": "Keine Anhaltspunkte.", "ergebnis": "keine_gewichtigen_anhaltspunkte"},
    )
    closed = world.engine.case(world["kita_leitung"], case["id"])
    assert closed["status"] == "abgeschlossen" and closed["closed_at"]
    assert [h["task"] for h in closed["history"]] == ["anhaltspunkte_dokumentieren", "leitung_informieren", "abschluss"]
    assert closed["open_tasks"] == []


def test_mehraugenprinzip_leitung_informieren_needs_another_person(world, child):
    case = world.engine.open_case(world["kita_leitung"], process_key="traeger_8a", child=child)
    complete(world, "kita_leitung", case.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    task = open_tasks(world, "kita_leitung", case.case_id)["leitung_informieren"]
    assert task["may_complete"] is False
    assert task["id"] not in [t["id"] for t in world.engine.tasks(world["kita_leitung"]).rows]
    with pytest.raises(NotAllowed) as refused:
        world.engine.complete_task(
            world["kita_leitung"],
            task["id"],
            {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "x", "fallschilderung": FALLSCHILDERUNG},
        )
    assert "Mehraugenprinzip" in refused.value.detail
    assert "Gewichtige Anhaltspunkte dokumentieren" in refused.value.detail
    history = world.engine.case(world["kita_leitung"], case.case_id)["history"]
    assert history[-1]["task"] == "anhaltspunkte_dokumentieren"
    assert task["id"] in [t["id"] for t in world.engine.tasks(world["kita_leitung2"]).rows]


def test_fachkraft_may_not_work_the_leitung_lane(world, case):
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    task = open_tasks(world, "kita_fk", case["id"])["leitung_informieren"]
    with pytest.raises(NotAllowed, match="Leitung"):
        world.engine.complete_task(
            world["kita_fk2"],
            task["id"],
            {"gewichtige_anhaltspunkte": True, "einschaetzung_leitung": "x", "fallschilderung": FALLSCHILDERUNG},
        )


def test_named_insofa_gets_the_consultation_with_the_pseudonym_only(world, case, child):
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    with pytest.raises(ValidationFailed) as outside_pool:
        complete(
            world,
            "kita_leitung",
            case["id"],
            "leitung_informieren",
            {
                "gewichtige_anhaltspunkte": True,
                "einschaetzung_leitung": "Beratung nötig.",
                "fallschilderung": FALLSCHILDERUNG,
                "insofa": "insofa_dueren",
            },
        )
    assert "insofa" in outside_pool.value.errors
    complete(
        world,
        "kita_leitung",
        case["id"],
        "leitung_informieren",
        {
            "gewichtige_anhaltspunkte": True,
            "einschaetzung_leitung": "Beratung nötig.",
            "fallschilderung": FALLSCHILDERUNG,
            "insofa": "insofa_kleve2",
        },
    )

    offered = [t for t in world.engine.tasks(world["insofa_kleve2"]).rows if t["task"] == "insofa_beratung"]
    assert len(offered) == 1 and offered[0]["pseudonym"] == case["pseudonym"]
    assert world.engine.tasks(world["insofa_kleve"]).rows == []  # the Leitung named another pool member
    with pytest.raises(NotFound):
        world.engine.case(world["insofa_dueren"], case["id"])  # other network: not even visible

    view = world.engine.case(world["insofa_kleve2"], case["id"])
    assert "child" not in view and view["pseudonym"] == case["pseudonym"]
    assert child["nachname"] not in str(view) and child["vorname"] not in str(view)
    detail = world.engine.task(world["insofa_kleve2"], offered[0]["id"])
    assert child["nachname"] not in str(detail)

    world.engine.complete_task(
        world["insofa_kleve2"],
        offered[0]["id"],
        {"beratung_am": "2026-03-02", "einschaetzung": "keine_kwg", "empfehlung": "Beobachten."},
    )
    assert list(open_tasks(world, "kita_leitung", case["id"])) == ["vorgehen_festlegen"]  # the Leitung decides


def test_pool_consultation_is_offered_to_every_insofa_of_the_network(world, case):
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(
        world,
        "kita_leitung",
        case["id"],
        "leitung_informieren",
        {
            "gewichtige_anhaltspunkte": True,
            "einschaetzung_leitung": "Beratung nötig.",
            "fallschilderung": FALLSCHILDERUNG,
        },
    )
    for name in ("insofa_kleve", "insofa_kleve2"):
        assert [t["task"] for t in world.engine.tasks(world[name]).rows] == ["insofa_beratung"]
    assert world.engine.tasks(world["insofa_dueren"]).rows == []


def test_an_insofa_of_another_network_neither_sees_nor_completes_the_consultation(world, case):
    """R10: the pool is the case's network — Düren's insofa is refused at the case and at the step,
    exactly as if neither existed (404), and the consultation stays open for Kleve's pool."""
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(
        world,
        "kita_leitung",
        case["id"],
        "leitung_informieren",
        {
            "gewichtige_anhaltspunkte": True,
            "einschaetzung_leitung": "Beratung nötig.",
            "fallschilderung": FALLSCHILDERUNG,
        },
    )
    [offered] = [t for t in world.engine.tasks(world["insofa_kleve"]).rows if t["task"] == "insofa_beratung"]
    with pytest.raises(NotFound):
        world.engine.case(world["insofa_dueren"], case["id"])
    with pytest.raises(NotFound):
        world.engine.complete_task(
            world["insofa_dueren"],
            offered["id"],
            {"beratung_am": "2026-03-02", "einschaetzung": "keine_kwg", "empfehlung": "Beobachten."},
        )
    assert list(open_tasks(world, "kita_leitung", case["id"])) == ["insofa_beratung"]


def test_akute_gefahr_reports_immediately_to_the_responsible_jugendamt(world, case, child):
    complete(world, "kita_fk", case["id"], "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": True})
    complete(
        world,
        "kita_leitung",
        case["id"],
        "sofortmeldung_jugendamt",
        {
            "gemeldet_am": "2026-03-02T08:45:00+01:00",
            "kanal": "telefon",
            "polizei_informiert": False,
            "eltern_informiert": False,
            "grund_eltern_nicht_informiert": "Würde das Kind gefährden.",
            "zusammenfassung": "Verletzungen, Kind hat Angst nach Hause zu gehen.",
        },
    )
    after = world.engine.case(world["kita_leitung"], case["id"])
    [link] = after["links"]
    assert link["relation"] == "meldung_an"
    with pytest.raises(NotFound):
        world.engine.case(world["kevelaer_fk"], link["case_id"])  # only the responsible Jugendamt
    ja_case = world.engine.case(world["goch_fk"], link["case_id"])
    assert ja_case["process"]["key"] == "jugendamt_8a" and ja_case["child"]["vorname"] == child["vorname"]
    assert "eingang_erfassen" in {t["task"] for t in ja_case["open_tasks"]}

    # The written Meldebogen follows and appears in the Jugendamt case's history.
    complete(
        world,
        "kita_leitung",
        case["id"],
        "meldebogen_nachreichen",
        {"gefaehrdungsbereiche": ["koerperliche_misshandlung"], "ergaenzungen": "Fotos liegen vor."},
    )
    ja_case = world.engine.case(world["goch_fk"], link["case_id"])
    assert ja_case["history"][-1]["task"] == "meldebogen_8a"
    # kept in the Jugendamt's case: the telephone Meldung that opened it, then the written Meldebogen
    assert [message["name"] for message in ja_case["messages"]] == ["meldung_8a", "meldebogen_8a"]
    assert ja_case["messages"][-1]["payload"]["gefaehrdungsbereiche"] == ["koerperliche_misshandlung"]
    # The Träger's internal documentation never travels.
    assert "Blaue Flecken" not in str(ja_case)
