"""Nothing identifying or observed reaches the database files in plaintext: after a realistic
scenario (observation, acute report, Meldebogen, Jugendamt intake) the raw SQLite files — database,
WAL and shared memory — hold no name, address or observation text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cases import open_task

SECRETS = {
    "vorname": "Marlene",
    "nachname": "Quastenhorst",
    "strasse": "Lindenallee 17",
    "sorgeberechtigte": "Roswitha Quastenhorst",
    "beobachtung": "Striemen am Rücken, sagt der Papa hat mit dem Gürtel",
    "zusammenfassung": "Verdacht auf körperliche Misshandlung durch den Vater",
    "ergaenzung": "Fotodokumentation liegt in der Kita vor",
    "eingang": "Anruf der Kita Regenbogen, Erzieherin berichtet",
}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def test_no_plaintext_in_the_sqlite_files(world, tmp_path):
    engine = world.engine
    child = {
        "vorname": SECRETS["vorname"],
        "nachname": SECRETS["nachname"],
        "geburtsdatum": "2020-05-17",
        "wohnort_gemeinde": "Goch",
        "anschrift": {"strasse": SECRETS["strasse"], "plz": "47574", "ort": "Goch"},
        "sorgeberechtigte": [{"name": SECRETS["sorgeberechtigte"], "beziehung": "Mutter", "sorgerecht": True}],
    }
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(
        world["kita_fk"],
        case.open_tasks[0].id,
        {
            "beobachtungen": SECRETS["beobachtung"],
            "beobachtet_am": "2026-03-02T08:15:00+01:00",
            "quelle": "aussage_kind",
            "aussagen_kind": SECRETS["beobachtung"],
            "akute_gefahr": True,
        },
    )
    engine.complete_task(
        world["kita_leitung"],
        open_task(world, "kita_leitung", case.case_id, "sofortmeldung_jugendamt")["id"],
        {
            "gemeldet_am": "2026-03-02T08:45:00+01:00",
            "kanal": "telefon",
            "polizei_informiert": False,
            "eltern_informiert": False,
            "grund_eltern_nicht_informiert": "Gefährdung des Kindes",
            "zusammenfassung": SECRETS["zusammenfassung"],
        },
    )
    engine.complete_task(
        world["kita_leitung"],
        open_task(world, "kita_leitung", case.case_id, "meldebogen_nachreichen")["id"],
        {"gefaehrdungsbereiche": ["koerperliche_misshandlung"], "ergaenzungen": SECRETS["ergaenzung"]},
    )
    ja_case = engine.case(world["kita_leitung"], case.case_id)["links"][0]["case_id"]
    engine.complete_task(
        world["goch_fk"],
        open_task(world, "goch_fk", ja_case, "eingang_erfassen")["id"],
        {
            "eingegangen_am": "2026-03-02T08:50:00+01:00",
            "kanal": "meldung_traeger",
            "meldende_stelle": "kita_kindertagespflege",
            "anonym": False,
            "inhalt": SECRETS["eingang"],
        },
    )
    # The scenario really stored the data (readable through the engine) ...
    assert engine.case(world["goch_fk"], ja_case)["child"]["nachname"] == SECRETS["nachname"]

    files = [p for p in tmp_path.iterdir() if p.name.startswith("schutzpfad.db")]
    assert {p.name for p in files} >= {"schutzpfad.db", "schutzpfad.db-wal"}
    raw = b"".join(p.read_bytes() for p in files)
    assert len(raw) > 100_000
    assert case.reference.encode() in raw and b"anhaltspunkte_dokumentieren" in raw  # index data is plain
    for label, text in SECRETS.items():
        for encoding in ("utf-8", "utf-16-le"):
            assert text.encode(encoding) not in raw, f"{label} found in plaintext ({encoding})"
        assert text.encode("unicode_escape") not in raw, f"{label} found JSON-escaped"
