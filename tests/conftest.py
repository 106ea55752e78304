"""Shared fixtures: a fake clock, databases on SQLite **and** PostgreSQL, an initialised engine and a
small world of organisations and users.

PostgreSQL runs in a throw-away cluster started once per test session (tests/support/pg_cluster.py);
in CI a missing PostgreSQL fails the run instead of silently skipping half the suite.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from engine.accounts import registry as accounts
from engine.accounts import tokens
from engine.actor import Actor
from engine.bootstrap import BPMN_ROOT, build_engine, deploy_bundles, prepare
from engine.case_engine import CaseEngine
from engine.clock import BERLIN, FakeClock
from engine.processes.bundles import discover_bundles, load_bundle_dir
from tests.support.people import create_test_user
from tests.support.pg_cluster import PgCluster, in_ci, pg_unavailable_reason

FIXTURE_BUNDLES = Path(__file__).parent / "fixtures" / "bundles"
_db_names = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    reason = pg_unavailable_reason()
    if reason:
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'schutzpfad.db'}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = f"test_{next(_db_names)}"
    cluster.create_database(name)
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """The instance folder: key material and the checkpoint log live here, outside the database."""
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o700)
    return folder


def initialised_engine(
    database_url: str, clock: FakeClock, instance: Path, *, up_to_version: int | None = None
) -> CaseEngine:
    """An initialised engine: migrations, directory, shipped bundles and the test bundles (also used
    by module-scoped fixtures, e.g. the authorization matrix of tests/reliability). `up_to_version`
    deploys the shipped processes only up to that version (see `shipped_bundles`)."""
    engine = build_engine(database_url, clock, instance, create_keys=True)
    report = prepare(engine)
    deploy_bundles(engine, shipped_bundles(up_to_version), report)
    for path in discover_bundles(FIXTURE_BUNDLES):
        engine.deploy(load_bundle_dir(path), deployed_by="tests")
    return engine


def shipped_bundles(up_to_version: int | None = None) -> list[Path]:
    """The bundle folders of bpmn/, all of them or those up to a version. A test that drives the task
    sequence of version 1 (which stays deployed for the cases running on it) asks for `up_to_version=1`,
    usually by the marker `@pytest.mark.shipped_up_to(1)`; new cases then start on version 1."""
    return [p for p in discover_bundles(BPMN_ROOT) if up_to_version is None or int(p.name) <= up_to_version]


def marked_version(request: pytest.FixtureRequest) -> int | None:
    """The version of the test's `shipped_up_to` marker, if it has one."""
    marker = request.node.get_closest_marker("shipped_up_to")
    return None if marker is None else int(marker.args[0])


@pytest.fixture
def case_engine(
    request: pytest.FixtureRequest, database_url: str, clock: FakeClock, instance: Path
) -> Iterator[CaseEngine]:
    engine = initialised_engine(database_url, clock, instance, up_to_version=marked_version(request))
    yield engine
    engine.db.dispose()


@dataclass
class World:
    """Organisations and users of the tests, by short name."""

    engine: CaseEngine
    actors: dict[str, Actor]

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]

    def token(self, name: str) -> str:
        with self.engine.writing() as uow:
            token = tokens.issue_token(uow.session, self.actors[name].username, self.engine.clock.now())
            uow.commit()
        return token


#: the direct lines the Meldebogen carries (the others have none)
TELEPHONES = {"kita_leitung": "02832 93 44-12"}
#: the reporter category of an organisation whose kind does not tell it
REPORTERS = {"kita-kevelaer": "kita_kindertagespflege"}

ORGANISATIONS = [
    # key, name, kind, jugendamt, network
    ("kita-kevelaer", "Kita Regenbogen Kevelaer", "traeger", "ja-kevelaer", None),
    ("kita-dueren", "Kita Sonnenschein Düren", "traeger", "ja-stadt-dueren", None),
    ("schule-goch", "Gesamtschule Goch", "einrichtung_kkg", "ja-goch", None),
    ("beratung-kleve", "Beratungsstelle Kreis Kleve", "beratungsstelle", "ja-kreis-kleve", None),
    ("beratung-dueren", "Beratungsstelle Düren", "beratungsstelle", "ja-kreis-dueren", None),
]

USERS = [
    # username, organisation, role
    ("kita_fk", "kita-kevelaer", "fachkraft"),
    ("kita_fk2", "kita-kevelaer", "fachkraft"),
    ("kita_leitung", "kita-kevelaer", "leitung"),
    ("kita_leitung2", "kita-kevelaer", "leitung"),
    ("kita_admin", "kita-kevelaer", "admin"),
    ("kita_revision", "kita-kevelaer", "auditor"),
    ("dueren_revision", "kita-dueren", "auditor"),
    ("dueren_fk", "kita-dueren", "fachkraft"),
    ("dueren_leitung", "kita-dueren", "leitung"),
    ("lehrerin", "schule-goch", "berufsgeheimnistraeger"),
    ("insofa_kleve", "beratung-kleve", "insofa"),
    ("insofa_kleve2", "beratung-kleve", "insofa"),
    ("insofa_dueren", "beratung-dueren", "insofa"),
    ("goch_fk", "ja-goch", "ja_fachkraft"),
    ("goch_fk2", "ja-goch", "ja_fachkraft"),
    ("goch_leitung", "ja-goch", "ja_leitung"),
    ("kevelaer_fk", "ja-kevelaer", "ja_fachkraft"),
]


@pytest.fixture
def world(case_engine: CaseEngine) -> World:
    return populate_world(case_engine)


def populate_world(case_engine: CaseEngine) -> World:
    """The ORGANISATIONS and USERS above, created in `case_engine`."""
    now = case_engine.clock.now()
    actors: dict[str, Actor] = {}
    with case_engine.writing() as uow:
        for key, name, kind, jugendamt, network in ORGANISATIONS:
            accounts.create_organisation(
                uow.session,
                key=key,
                name=name,
                kind=kind,
                now=now,
                jugendamt_key=jugendamt,
                network_key=network,
                meldende_stelle=REPORTERS.get(key),
            )
        for username, org, role in USERS:
            actors[username] = create_test_user(
                uow.session,
                username=username,
                organisation_key=org,
                role=role,
                now=now,
                telefon=TELEPHONES.get(username),
            )
        uow.commit()
    return World(case_engine, actors)


CHILD = {
    "vorname": "Mia",
    "nachname": "Beispielkind",
    "geburtsdatum": "2020-05-17",
    "wohnort_gemeinde": "Goch",
    "anschrift": {"strasse": "Markt 1", "plz": "47574", "ort": "Goch"},
}


@pytest.fixture
def child() -> dict[str, object]:
    return dict(CHILD)
