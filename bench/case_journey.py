"""The case the case-file benchmark reads: a real `traeger_8a` case, driven through the engine's public
entry points until its file (Fallakte) holds a chosen number of entries.

The Kita Regenbogen Kevelaer (demo world) documents an observation; the Leitung finds gewichtige
Anhaltspunkte and names the insoweit erfahrene Fachkraft, who advises (`kwg_abwendbar`); the family
takes part and a Schutzplan with three measures is agreed; the Leitung reviews it every two weeks (the
BPMN timer fired by `run_due` on the review day, "weiter beobachten") until a review finds it not
effective; the Meldung goes to the Jugendamt Goch, whose `jugendamt_8a` case is taken to its
Rückmeldung, which the Kita's case receives. The file: 5 steps + R reviews + the Meldung + the received
Rückmeldung (a message), i.e. `BASE_ENTRIES` + R entries, every step with its sealed values (texts,
dates, options, the Schutzplan's list, a named person).

The clock is real time moved forward to each review day (`ShiftedClock`), so the timers fire without
sleeping and time runs on while the benchmark measures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from bench.step import CHILD  # the same child the step benchmark opens its cases for
from engine.actor import Actor
from engine.case_engine import CaseEngine
from engine.cases.case_file import CaseFile
from engine.clock import BERLIN

#: Entries of a file without reviews: 5 steps before them, the Meldung, the received Rückmeldung.
BASE_ENTRIES = 7
REVIEW_EVERY = timedelta(days=14)

WORKER = "kita.fachkraft"  # the case's own case worker: she opened and documented it
LEITUNG = "kita.leitung"
INSOFA = "beratung.insofa"
JA, JA2 = "goch.fachkraft", "goch.fachkraft2"
USERS = (WORKER, LEITUNG, INSOFA, JA, JA2)


class ShiftedClock:
    """Real time, moved forward on demand: the journey reaches its review days (BPMN timers)
    without sleeping, and time still runs while the benchmark measures."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump_to(self, instant: datetime) -> None:
        self._offset = instant - datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(BERLIN).date()


class Journey:
    """Drives traeger_8a cases through the engine's public entry points, user by user."""

    def __init__(self, engine: CaseEngine, clock: ShiftedClock, actors: dict[str, Actor]) -> None:
        self.engine, self.clock, self.actors = engine, clock, actors

    def step(self, user: str, case_id: int, task: str, values: dict[str, Any]) -> None:
        """`user` completes the open task `task` of the case, as found in the case view."""
        actor = self.actors[user]
        open_tasks = {t["task"]: t["id"] for t in self.engine.case(actor, case_id)["open_tasks"]}
        assert task in open_tasks, (task, open_tasks)
        self.engine.complete_task(actor, open_tasks[task], values)

    def run(self, sizes: tuple[int, ...]) -> dict[int, int]:
        """One case per size (at least BASE_ENTRIES + 1) whose file holds `size` entries; size → case id.

        The cases run in step, so that none waits while the clock jumps: an open task waiting for weeks
        would pass its Frist and add an entry. A case with R reviews is opened R review days before
        the last one; on the last, every case's review finds the Schutzplan not effective."""
        rounds = max(sizes) - BASE_ENTRIES
        cases: dict[int, int] = {}
        day = self.clock.today()
        for i in range(rounds + 1):
            if i:
                self._review_day(list(cases.values()), day)
            for size, case_id in cases.items():
                number = i - (rounds - (size - BASE_ENTRIES))  # this case's review of today, from 1
                self._review(case_id, number, day + REVIEW_EVERY, last=i == rounds)
            for size in sizes:
                if size - BASE_ENTRIES == rounds - i:
                    cases[size] = self._open(day, day + REVIEW_EVERY)
            day += REVIEW_EVERY
        for case_id in cases.values():
            self.step(LEITUNG, case_id, "meldung_jugendamt", MELDUNG)
            self._jugendamt(case_id)
            tasks = [t["task"] for t in self.engine.case(self.actors[WORKER], case_id)["open_tasks"]]
            assert tasks == ["rueckmeldung_zur_kenntnis"], tasks
        return cases

    def _open(self, today: date, first_review: date) -> int:
        """A case documented, assessed, advised, with the family, up to its Schutzplan."""
        case_id = self.engine.open_case(self.actors[WORKER], process_key="traeger_8a", child=CHILD).case_id
        self.step(WORKER, case_id, "anhaltspunkte_dokumentieren", _beobachtung(self.clock.now()))
        self.step(LEITUNG, case_id, "leitung_informieren", {**LEITUNG_BEWERTUNG, "insofa": INSOFA})
        self.step(INSOFA, case_id, "insofa_beratung", {**BERATUNG, "beratung_am": today.isoformat()})
        self.step(WORKER, case_id, "beteiligung_familie", {**BETEILIGUNG, "gespraech_am": today.isoformat()})
        self.step(WORKER, case_id, "schutzplan_vereinbaren", _schutzplan(today, first_review))
        return case_id

    def _review_day(self, case_ids: list[int], day: date) -> None:
        """08:00 (Berlin) of the review day has passed: the scheduler's entry point fires the timers."""
        self.clock.jump_to(datetime.combine(day, clock_time(8, 0, 1), tzinfo=BERLIN))
        self.engine.run_due()
        for case_id in case_ids:
            tasks = [t["task"] for t in self.engine.case(self.actors[LEITUNG], case_id)["open_tasks"]]
            assert tasks == ["schutzplan_ueberpruefen"], tasks

    def _review(self, case_id: int, number: int, next_day: date, *, last: bool) -> None:
        self.step(LEITUNG, case_id, "schutzplan_ueberpruefen", NICHT_WIRKSAM if last else _review(number, next_day))

    def _jugendamt(self, case_id: int) -> None:
        """The Jugendamt Goch takes the Meldung to its Rückmeldung, which the Träger's case receives."""
        links = self.engine.case(self.actors[LEITUNG], case_id)["links"]
        [ja_case] = [link["case_id"] for link in links if link["relation"] == "meldung_an"]
        eingang = {**EINGANG, "eingegangen_am": self.clock.now().isoformat(timespec="seconds")}
        self.step(JA, ja_case, "eingang_erfassen", eingang)
        self.step(JA, ja_case, "ersteinschaetzung", ERSTEINSCHAETZUNG)
        self.step(JA2, ja_case, "ersteinschaetzung_bestaetigen", {"bestaetigt": True})
        rueckmeldung = {"betroffene_informiert": True, "anhaltspunkte_bestaetigt": False, "ja_taetig": True}
        self.step(JA, ja_case, "rueckmeldung_melder", rueckmeldung)


def _beobachtung(now: datetime) -> dict[str, Any]:
    return {
        "beobachtungen": "Kind kommt seit zwei Wochen ohne Frühstück und in verschmutzter Kleidung; blaue "
        "Flecken am Oberarm, wirkt verängstigt, wenn es abgeholt wird.",
        "beobachtet_am": (now - timedelta(hours=1)).isoformat(timespec="seconds"),
        "quelle": "eigene_beobachtung",
        "aussagen_kind": "„Mama ist abends immer weg.“",
        "akute_gefahr": False,
    }


LEITUNG_BEWERTUNG = {
    "gewichtige_anhaltspunkte": True,
    "einschaetzung_leitung": "Wiederholte Beobachtungen, Verletzungen nicht erklärt: Beratung mit der "
    "insoweit erfahrenen Fachkraft nötig.",
}
BERATUNG = {
    "einschaetzung": "kwg_abwendbar",
    "empfehlung": "Gespräch mit den Eltern, Schutzplan mit Frühstück, Kleidung und Erziehungsberatung; "
    "Überprüfung alle zwei Wochen.",
}
BETEILIGUNG = {"eltern_einbezogen": True, "kind_einbezogen": True, "ergebnis": "hilfe_angenommen"}


def _schutzplan(today: date, first_review: date) -> dict[str, Any]:
    return {
        "massnahmen": [
            {"was": "Kind kommt mit Frühstück und sauberer Kleidung", "wer": "Eltern", "bis": first_review.isoformat()},
            {
                "was": "Termin bei der Erziehungsberatung",
                "wer": "Mutter",
                "bis": (today + timedelta(days=10)).isoformat(),
            },
            {"was": "Wöchentliches Elterngespräch", "wer": "Kita-Fachkraft", "bis": first_review.isoformat()},
        ],
        "ueberpruefung_am": first_review.isoformat(),
    }


def _review(i: int, next_day: date) -> dict[str, Any]:
    return {
        "wirksam": "weiter_beobachten",
        "vermerk": f"Überprüfung {i}: Hausbesuch mit der Mutter, Absprachen des Schutzplans überwiegend "
        "eingehalten, Kind besucht regelmäßig die Kita. Weiter beobachten.",
        "naechste_ueberpruefung_am": next_day.isoformat(),
    }


NICHT_WIRKSAM = {
    "wirksam": "nein",
    "vermerk": "Termine bei der Erziehungsberatung nicht wahrgenommen, erneut Verletzungen am Arm.",
}
MELDUNG = {
    "eltern_vorab_informiert": True,
    "gefaehrdungsbereiche": ["vernachlaessigung", "koerperliche_misshandlung"],
    "zusammenfassung": "Schutzplan nicht wirksam: Gefährdung lässt sich ohne das Jugendamt nicht abwenden.",
    "insofa_beteiligt": True,
}
EINGANG = {
    "kanal": "meldung_traeger",
    "meldende_stelle": "kita_kindertagespflege",
    "anonym": False,
    "inhalt": MELDUNG["zusammenfassung"],
}
ERSTEINSCHAETZUNG = {
    "dringlichkeit": "gelb",
    "gewichtige_anhaltspunkte": False,
    "begruendung": "Familie nimmt Hilfe an, Hausbesuch vereinbart.",
    "bekannter_fall": False,
    "weitere_kinder_im_haushalt": True,
}


def check_file(file: CaseFile, entries: int) -> None:
    """The file is what the journey documented: its steps with their values, then the Rückmeldung."""
    kinds = [e.kind for e in file.entries]
    assert len(file.entries) == entries, (len(file.entries), entries)
    assert kinds.count("nachricht") == 1 and kinds.count("schritt") == entries - 1, kinds
    reviews = [e for e in file.entries if e.task == "schutzplan_ueberpruefen"]
    assert len(reviews) == entries - BASE_ENTRIES, len(reviews)
    assert all(e.values["vermerk"].value.startswith(f"Überprüfung {i}:") for i, e in enumerate(reviews[:-1], 1))
    assert reviews[-1].values["vermerk"].value == NICHT_WIRKSAM["vermerk"]
    assert file.entries[-1].kind == "nachricht" and set(file.entries[-1].values) == {
        "anhaltspunkte_bestaetigt",
        "ja_taetig",
    }
