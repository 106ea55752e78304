"""Process tests drive the shipped BPMN through the engine's public entry point with a fake clock.
They run on SQLite only: the persistence layer itself is tested on both databases elsewhere.

Every step they drive is watched by the path-coverage collector (`tests/process/coverage.py`); the
report `tests/artifacts/path-coverage.md` is written when the package's tests are done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.cases.results import CaseProgress
from engine.errors import ValidationFailed
from tests.process.coverage import PathCoverage
from tests.support import cases, jugendamt, people


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.fixture(scope="package", autouse=True)
def path_coverage() -> Iterator[PathCoverage]:
    """Records the sequence flows taken by the process tests; writes the report at the end."""
    coverage = PathCoverage.for_shipped_bundles()
    with pytest.MonkeyPatch.context() as patch:
        coverage.install(patch)
        yield coverage
    coverage.write()


@pytest.fixture(autouse=True)
def _attribute_path_coverage(request: pytest.FixtureRequest, path_coverage: PathCoverage) -> Iterator[None]:
    path_coverage.current = request.node.nodeid
    path_coverage.tests_run.append(request.node.nodeid)
    yield
    path_coverage.current = None


REVISION = [("schule_revision", "schule-goch"), ("goch_revision", "ja-goch")]


@pytest.fixture
def revision(world):
    """Auditors of the school and of the Jugendamt Goch (the world has one of the Kita only): the
    audit trail is where the content of a transmitted message can be checked from the outside."""
    return people.add_users(world, ((username, organisation, "auditor") for username, organisation in REVISION))


# --------------------------------------------------------------------------------------------------
# Driving cases through the engine's public entry point (`world.engine`), shared by the path tests.

EINGANG = {
    "eingegangen_am": "2026-03-02T08:50:00+01:00",
    "kanal": "telefon",
    "meldende_stelle": "bekannte_nachbarn",
    "anonym": False,
    "inhalt": "Nachbarin hört nachts Schreie aus der Wohnung.",
}
ERSTEINSCHAETZUNG = {
    "dringlichkeit": "gelb",
    "begruendung": "Wiederholte Hinweise aus der Nachbarschaft.",
    "bekannter_fall": False,
    "weitere_kinder_im_haushalt": True,
}
STATISTIK = {
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
}


class Steps:
    """One method per thing a user does; every call goes through `world.engine` (guards, audit)."""

    def __init__(self, world) -> None:
        self.world = world
        self.engine = world.engine

    def view(self, user: str, case_id: int) -> dict:
        return self.engine.case(self.world[user], case_id)

    def open_tasks(self, user: str, case_id: int) -> dict[str, dict]:
        return cases.open_tasks(self.world, user, case_id)

    def history(self, user: str, case_id: int) -> list[str]:
        return [h["task"] for h in self.view(user, case_id)["history"]]

    def task(self, user: str, case_id: int, key: str) -> dict:
        """The task as its worker sees it: form and prefilled values."""
        return self.engine.task(self.world[user], self.open_tasks(user, case_id)[key]["id"])

    def complete(self, user: str, case_id: int, key: str, values: dict) -> CaseProgress:
        return cases.complete(self.world, user, case_id, key, values)

    def refused(self, user: str, case_id: int, key: str, values: dict) -> dict[str, list[str]]:
        """The completion is refused (422) and the case did not move: the same step is still open; the
        errors by field."""
        before = self.view(user, case_id)
        with pytest.raises(ValidationFailed) as refused:
            self.complete(user, case_id, key, values)
        after = self.view(user, case_id)
        assert (after["open_tasks"], after["history"]) == (before["open_tasks"], before["history"])
        return refused.value.errors

    def open(self, user: str, process_key: str, child: dict) -> dict:
        """Open a case and return its view, as the opener sees it."""
        opened = self.engine.open_case(self.world[user], process_key=process_key, child=child)
        return self.view(user, opened.case_id)

    def linked_case(self, user: str, case_id: int) -> int:
        """The Jugendamt case a Meldung opened (the only `meldung_an` link)."""
        [link] = [link for link in self.view(user, case_id)["links"] if link["relation"] == "meldung_an"]
        return link["case_id"]

    def trail(self, auditor: str, case_id: int, event_type: str) -> list[dict]:
        events = self.engine.case_trail(self.world[auditor], case_id, reason="Pfadtest: Übermittlung prüfen")
        return [e for e in events if e["type"] == event_type]

    # ---- Jugendamt (jugendamt_8a) ---------------------------------------------------------------
    def ja_eingang(self, case_id: int, values: dict | None = None) -> None:
        self.complete("goch_fk", case_id, "eingang_erfassen", EINGANG if values is None else values)

    def ja_ersteinschaetzung(self, case_id: int, *, gewichtige: bool, **values) -> None:
        """Ersteinschätzung by goch_fk, confirmed by a second Fachkraft (goch_fk2)."""
        self.complete(
            "goch_fk",
            case_id,
            "ersteinschaetzung",
            {**ERSTEINSCHAETZUNG, "gewichtige_anhaltspunkte": gewichtige, **values},
        )
        self.complete("goch_fk2", case_id, "ersteinschaetzung_bestaetigen", {"bestaetigt": True})

    def ja_rueckmeldung(self, case_id: int, *, anhaltspunkte_bestaetigt: bool, ja_taetig: bool) -> None:
        values = jugendamt.rueckmeldung(
            self.world, case_id, anhaltspunkte_bestaetigt=anhaltspunkte_bestaetigt, ja_taetig=ja_taetig
        )
        self.complete("goch_fk", case_id, "rueckmeldung_melder", values)

    def ja_abschluss(self, case_id: int) -> dict:
        """The Leitung closes with the prefilled `ergebnis`."""
        self.complete("goch_leitung", case_id, "abschluss", {"abschlussvermerk": "Verfahren beendet."})
        return self.view("goch_leitung", case_id)

    def ja_kurz_bis_rueckmeldung(
        self, case_id: int, *, meldende_stelle: str, anhaltspunkte_bestaetigt: bool, ja_taetig: bool
    ) -> None:
        """The shortest way from a Meldung to the Rückmeldung: Eingang (everything but the statistics
        category prefilled from the Meldung), a confirmed Ersteinschätzung without gewichtige
        Anhaltspunkte, the Rückmeldung. `eingegangen_am` is entered by hand: only a Sofortmeldung
        carries a time the engine prefills (`gemeldet_am`)."""
        self.ja_eingang(case_id, {"eingegangen_am": EINGANG["eingegangen_am"], "meldende_stelle": meldende_stelle})
        self.ja_ersteinschaetzung(case_id, gewichtige=False)
        self.ja_rueckmeldung(case_id, anhaltspunkte_bestaetigt=anhaltspunkte_bestaetigt, ja_taetig=ja_taetig)


@pytest.fixture
def steps(world) -> Steps:
    return Steps(world)
