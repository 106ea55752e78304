"""§ 99 Abs. 6 SGB VIII statistics (rule R23) on hand-made jugendamt_8a cases: what counts, what is
checked, what leaves in the CSV — and who may read it."""

from __future__ import annotations

import csv
import io

import pytest

from engine.errors import NotAllowed
from engine.persistence import models as m
from engine.statistics.records import ITEMS
from tests.process.conftest import EINGANG, STATISTIK
from tests.process.test_paths_jugendamt_8a import BETEILIGUNG, UNMITTELBARER_EINDRUCK

#: The records of jugendamt_8a version 1 (cases running on it still report); version 2's statistics step
#: is reached only after an unmittelbarer Eindruck (tests/process/test_paths_jugendamt_8a_v2.py).
pytestmark = pytest.mark.shipped_up_to(1)

KEY = "jugendamt_8a"
KEIN_EINDRUCK = {
    **UNMITTELBARER_EINDRUCK,
    "art": "nicht_erforderlich",
    "kind_gesehen": False,
    "begruendung_nicht_erforderlich": "Sachverhalt durch Polizeibericht geklärt.",
}


def statistics_case(steps, child, *, eindruck=UNMITTELBARER_EINDRUCK, **statistik) -> int:
    """A case opened by the Jugendamt, assessed (latente KWG) up to its statistics record."""
    cid = steps.open("goch_fk", KEY, child)["id"]
    steps.ja_eingang(cid, EINGANG)
    steps.ja_ersteinschaetzung(cid, gewichtige=True)
    steps.complete("goch_fk", cid, "unmittelbarer_eindruck", eindruck)
    steps.complete("goch_fk", cid, "beteiligung", BETEILIGUNG)
    assessment = {
        "ergebnis": "latente_kwg",
        "gefaehrdungsarten": ["vernachlaessigung"],
        "gefaehrdung_durch": ["mutter"],
        "tatsachen": "Kühlschrank leer.",
    }
    steps.complete("goch_fk", cid, "gefaehrdungseinschaetzung", assessment)
    steps.complete("goch_fk2", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True})
    measures = {
        "schutzplan": True,
        "hilfeangebot": "hze_27_35a",
        "familiengericht": False,
        "inobhutnahme": False,
        "polizei_gesundheit": False,
    }
    steps.complete("goch_fk", cid, "massnahmen_festlegen", measures)
    steps.complete("goch_fk", cid, "statistik_erfassen", {**STATISTIK, **statistik})
    return cid


def test_counted_records_their_items_and_the_csv(steps, world, child) -> None:
    counted = statistics_case(steps, child)
    without_eindruck = statistics_case(steps, child, eindruck=KEIN_EINDRUCK)
    stats = world.engine.statistics_99(world["goch_leitung"], "ja-goch", 2026)

    assert len(stats.records) == 1 and stats.problems == ()
    assert [(p.case_id, p.item) for p in stats.not_counted] == [(without_eindruck, None)]
    item = stats.records[0]
    assert (item.abschluss_monat, item.abschluss_jahr) == (3, 2026)
    assert item.items["ergebnis"] == "latente_kwg" and item.items["meldende_stelle"] == "bekannte_nachbarn"
    assert (item.items["geburtsmonat"], item.items["geburtsjahr"]) == (5, 2020)
    assert item.items["geschlecht"] == "weiblich"  # as confirmed in the step, not the prefill "ohne_angabe"
    assert stats.summary == {
        "ergebnis": {"latente_kwg": 1},
        "meldende_stelle": {"bekannte_nachbarn": 1},
        "altersgruppe": {"3 bis unter 6 Jahre": 1},
    }

    rows = list(csv.reader(io.StringIO(stats.csv)))
    assert rows[0] == ["jugendamt", "abschluss_monat", "abschluss_jahr", *ITEMS]
    assert rows[1][:6] == ["ja-goch", "3", "2026", "bekannte_nachbarn", "vernachlaessigung", "mutter"]
    with world.engine.reading() as uow:
        reference = uow.session.get(m.Case, counted).reference
    for marker in (child["vorname"], child["nachname"], child["geburtsdatum"], "Markt 1", reference):
        assert marker not in stats.csv

    # other years hold nothing; every reading is audited
    assert world.engine.statistics_99(world["goch_leitung"], "ja-goch", 2025).records == ()
    with world.engine.reading() as uow:
        events = [e.payload for e in world.engine.vault.read(uow.session.connection(), types=["statistics.read"])]
    assert events == [
        {"jugendamt": "ja-goch", "jahr": 2026, "datensaetze": 1},
        {"jugendamt": "ja-goch", "jahr": 2025, "datensaetze": 0},
    ]


@pytest.mark.parametrize(
    ("values", "item", "why"),
    [
        ({"geburtsmonat": 13}, "geburtsmonat", "muss zwischen 1 und 12 liegen"),
        ({"geburtsjahr": 2027}, "geburtsjahr", "liegt nach dem Abschluss"),
        ({"geburtsjahr": 2001}, "geburtsjahr", "volljährig"),
        ({"geburtsmonat": 6}, "geburtsmonat", "passt nicht zum Geburtsdatum"),  # the case says May 2020
    ],
)
def test_implausible_records_are_listed_to_fix_not_counted(steps, world, child, values, item, why) -> None:
    cid = statistics_case(steps, child, **values)
    stats = world.engine.statistics_99(world["goch_leitung"], "ja-goch", 2026)
    assert stats.records == ()
    assert [(p.case_id, p.item) for p in stats.problems] == [(cid, item)]
    assert why in stats.problems[0].text  # the check that found it, not another one that also would


def test_only_the_jugendamts_leitung_reads_it(world) -> None:
    for user in ("goch_fk", "kita_leitung", "kevelaer_fk"):
        with pytest.raises(NotAllowed):
            world.engine.statistics_99(world[user], "ja-goch", 2026)


def test_a_parent_under_18_fits_only_a_young_child(steps, world, child) -> None:
    older = {**child, "geburtsdatum": "2019-05-17"}  # six years old at completion (March 2026)
    young = statistics_case(steps, child, alter_mutter="unter_18")
    old = statistics_case(steps, older, geburtsjahr=2019, alter_vater="unter_18")
    stats = world.engine.statistics_99(world["goch_leitung"], "ja-goch", 2026)
    assert len(stats.records) == 1 and stats.records[0].case_id == young
    assert [(p.case_id, p.item, p.text) for p in stats.problems] == [
        (old, "alter_vater", "Altersgruppe des Vaters: unter 18 Jahre passt nicht zu einem Kind von 6 Jahren.")
    ]
