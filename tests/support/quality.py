"""A quality review world: closed Kita cases of the Jugendamt Kevelaer, its Leitung who draws the
sample, a reviewer (`qualitaet`) in the Kreis Kleve network and one in another network — shared by
the engine and the page tests of the LKSG § 8 quality review."""

from __future__ import annotations

from typing import Any

from tests.support import people
from tests.support.cases import closed_case

#: username, organisation, role
USERS = [
    ("kevelaer_leitung", "ja-kevelaer", "ja_leitung"),
    ("pruefer", "beratung-kleve", "qualitaet"),
    ("pruefer_dueren", "beratung-dueren", "qualitaet"),
]
#: the closed cases' child: every marker that must never reach a reviewer's page
CHILD = {
    "vorname": "Quirin",
    "nachname": "Qualmarker",
    "geburtsdatum": "2019-08-23",
    "wohnort_gemeinde": "Kevelaer",
    "anschrift": {"strasse": "Zeisigweg 17", "plz": "47623", "ort": "Kevelaer"},
}
MARKERS = ("Quirin", "Qualmarker", "2019-08-23", "23.08.2019", "Zeisigweg", "47623")


def add_users(world: Any) -> None:
    """The reviewers and Leitungen of the quality tests, added to `world`."""
    people.add_users(world, USERS)


def closed_cases(world: Any, count: int) -> list[int]:
    return [closed_case(world, CHILD)[0] for _ in range(count)]


def sample_request(world: Any, **changes: Any) -> dict[str, Any]:
    today = world.engine.clock.now().date().isoformat()
    return {
        "bereich": "jugendamt",
        "schluessel": "ja-kevelaer",
        "von": today,
        "bis": today,
        "anzahl": 2,
        "pruefer": "pruefer",
        **changes,
    }


REVIEW = {
    "fristen": "eingehalten",
    "beteiligung": "begruendet_unterblieben",
    "dokumentation": "lueckenhaft",
    "dokumentation_kommentar": "Die Beobachtung ist knapp.",
    "mehraugen": "eingehalten",
    "ergebnis": "angemessen",
}
