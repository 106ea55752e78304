"""The world the authorization matrix runs in, and the runner that fills its cells.

Why a world of its own: the matrix asks every route as every role twice — once as the user of the
organisation the case belongs to ("own") and once as a user with the same role at a foreign
organisation ("@fremd") — and needs an object for each route variable that the *own* user may
legitimately reach. The foreign user is sent to the very same ids and must be refused.

Cases (children with distinctive surnames, so a leak is a plain substring match):
- Träger case at the Kita Kevelaer waiting for the Leitung (`leitung_informieren`), child Alphakind;
- Träger case at the same Kita waiting for the InsoFa consultation, child Alphakind;
- Träger case reported to Jugendamt Goch, child Betakind — and the Jugendamt case it opened,
  waiting for `eingang_erfassen`;
- kkg4 case of the Gesamtschule Goch, child Gammakind;
- kindertagespflege_8a case of a Tagespflegeperson in Goch waiting for the Jugendamt's Fachberatung
  Kindertagespflege (`fachberatung_einschaetzung`), child Epsilonkind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from engine.accounts import registry as accounts
from engine.clock import BERLIN, FakeClock
from engine.persistence import models as m
from tests.conftest import World, initialised_engine, populate_world
from tests.support.cases import BEOBACHTUNG, complete
from tests.support.file_journey import LEITUNG, MELDUNG, VORGEHEN
from tests.support.kindertagespflege import add_kindertagespflege
from web import create_app
from web.config import load_settings

PASSWORD = "Matrix-Passwort-2026"
ALPHA = {"vorname": "Ava", "nachname": "Alphakind"}
BETA = {"vorname": "Ben", "nachname": "Betakind"}
GAMMA = {"vorname": "Cleo", "nachname": "Gammakind"}
EPSILON = {"vorname": "Ella", "nachname": "Epsilonkind"}
SURNAMES = (ALPHA["nachname"], BETA["nachname"], GAMMA["nachname"], EPSILON["nachname"])

#: role -> (user at the case's organisation, user with that role at a foreign organisation)
PRINCIPALS: dict[str, tuple[str, str]] = {
    "fachkraft": ("kita_fk", "dueren_fk"),
    "leitung": ("kita_leitung", "dueren_leitung"),
    "berufsgeheimnistraeger": ("lehrerin", "lehrer_dueren"),
    "insofa": ("insofa_kleve", "insofa_dueren"),
    "ja_fachkraft": ("goch_fk", "kevelaer_fk"),
    "ja_leitung": ("goch_leitung", "kevelaer_leitung"),
    "ja_fachberatung_ktp": ("goch_fb", "dueren_fb"),  # the foreign one: of another network
    "ja_bereitschaft": ("goch_bereitschaft", "kevelaer_bereitschaft"),  # no standing access to any case
    "auditor": ("kita_revision", "dueren_revision"),
    "admin": ("kita_admin", "dueren_admin"),
}
FOREIGN = "@fremd"
ANONYMOUS = "anonym"
#: every principal of the matrix: each role at its own and at a foreign organisation, and nobody
PRINCIPAL_NAMES = (*PRINCIPALS, *(role + FOREIGN for role in PRINCIPALS), ANONYMOUS)

#: the users the shared test world lacks for the foreign side
_EXTRA_ORGANISATIONS = [("schule-dueren", "Realschule Düren", "einrichtung_kkg", "ja-stadt-dueren")]
_EXTRA_USERS = [
    ("lehrer_dueren", "schule-dueren", "berufsgeheimnistraeger"),
    ("kevelaer_leitung", "ja-kevelaer", "ja_leitung"),
    ("dueren_admin", "kita-dueren", "admin"),
    ("goch_bereitschaft", "ja-goch", "ja_bereitschaft"),
    ("kevelaer_bereitschaft", "ja-kevelaer", "ja_bereitschaft"),
]


def _child(names: dict[str, str]) -> dict[str, Any]:
    return {**names, "geburtsdatum": "2020-05-17", "wohnort_gemeinde": "Goch"}


@dataclass
class Target:
    """The objects a principal's route variables point at (the same for own and foreign)."""

    case_id: int
    task_id: str
    ref: str
    process_key: str
    #: surnames the *own* user of the role may see anywhere
    may_see: frozenset[str]


@dataclass
class MatrixWorld:
    app: Any
    world: World
    targets: dict[str, Target]
    tokens: dict[str, str] = field(default_factory=dict)

    def role(self, principal: str) -> str:
        return principal.removesuffix(FOREIGN)

    def username(self, principal: str) -> str | None:
        if principal == ANONYMOUS:
            return None
        own, foreign = PRINCIPALS[self.role(principal)]
        return foreign if principal.endswith(FOREIGN) else own

    def target(self, principal: str) -> Target:
        return self.targets.get(self.role(principal), self.targets["fachkraft"])

    def may_see(self, principal: str) -> frozenset[str]:
        """Foreign users and nobody see no child; the own user what its role opens."""
        if principal == ANONYMOUS or principal.endswith(FOREIGN):
            return frozenset()
        return self.target(principal).may_see


def _extend(world: World) -> None:
    now = world.engine.clock.now()
    with world.engine.writing() as uow:
        for key, name, kind, jugendamt in _EXTRA_ORGANISATIONS:
            accounts.create_organisation(uow.session, key=key, name=name, kind=kind, now=now, jugendamt_key=jugendamt)
        for username, org, role in _EXTRA_USERS:
            user = accounts.create_user(
                uow.session,
                username=username,
                organisation_key=org,
                role=role,
                password=None,
                now=now,
                mfa_required=False,
            )
            world.actors[username] = accounts.actor_for_user(uow.session, user)
        uow.session.execute(update(m.User).values(password_hash=accounts.hash_password(PASSWORD)))
        uow.commit()


def _first_task(world: World, user: str, case_id: int) -> str:
    return str(world.engine.case(world[user], case_id)["open_tasks"][0]["id"])


def _reference(world: World, user: str, case_id: int) -> str:
    return str(world.engine.case(world[user], case_id)["reference"])


def _cases(world: World) -> dict[str, Target]:
    engine = world.engine
    traeger = frozenset({ALPHA["nachname"], BETA["nachname"]})

    at_leitung = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=_child(ALPHA)).case_id
    complete(world, "kita_fk", at_leitung, "anhaltspunkte_dokumentieren", BEOBACHTUNG)

    at_insofa = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=_child(ALPHA)).case_id
    complete(world, "kita_fk", at_insofa, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(world, "kita_leitung", at_insofa, "leitung_informieren", LEITUNG)

    reported = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=_child(BETA)).case_id
    complete(world, "kita_fk", reported, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    complete(world, "kita_leitung", reported, "leitung_informieren", LEITUNG)
    complete(
        world,
        "insofa_kleve",
        reported,
        "insofa_beratung",
        {"beratung_am": "2026-03-02", "einschaetzung": "kwg_nicht_abwendbar", "empfehlung": "Jugendamt informieren."},
    )
    complete(world, "kita_leitung", reported, "vorgehen_festlegen", VORGEHEN)
    complete(world, "kita_leitung", reported, "meldung_jugendamt", MELDUNG)
    jugendamt = engine.case(world["kita_leitung"], reported)["links"][0]["case_id"]

    kkg4 = engine.open_case(world["lehrerin"], process_key="kkg4", child=_child(GAMMA)).case_id

    at_fachberatung = engine.open_case(world["tp"], process_key="kindertagespflege_8a", child=_child(EPSILON)).case_id
    complete(world, "tp", at_fachberatung, "anhaltspunkte_dokumentieren", BEOBACHTUNG)

    def target(case_id: int, reader: str, process_key: str, may_see: Iterable[str]) -> Target:
        return Target(
            case_id,
            _first_task(world, reader, case_id),
            _reference(world, reader, case_id),
            process_key,
            frozenset(may_see),
        )

    traeger_case = target(at_leitung, "kita_leitung", "traeger_8a", traeger)
    no_names = Target(traeger_case.case_id, traeger_case.task_id, traeger_case.ref, "traeger_8a", frozenset())
    jugendamt_case = target(jugendamt, "goch_fk", "jugendamt_8a", {BETA["nachname"]})
    return {
        "fachkraft": traeger_case,
        "leitung": traeger_case,
        "berufsgeheimnistraeger": target(kkg4, "lehrerin", "kkg4", {GAMMA["nachname"]}),
        "insofa": target(at_insofa, "insofa_kleve", "traeger_8a", ()),
        "ja_fachberatung_ktp": target(at_fachberatung, "goch_fb", "kindertagespflege_8a", ()),
        "ja_fachkraft": jugendamt_case,
        "ja_leitung": jugendamt_case,
        # the Jugendamt's case, which the Bereitschaft may open only by break-glass (none in this world)
        "ja_bereitschaft": Target(
            jugendamt_case.case_id, jugendamt_case.task_id, jugendamt_case.ref, "jugendamt_8a", frozenset()
        ),
        "auditor": no_names,
        "admin": no_names,
    }


def build(tmp: Path) -> MatrixWorld:
    """Engine on SQLite in `tmp`, the shared test world plus the foreign users, the cases above,
    and the app with CSRF off (the matrix asks authorization, not CSRF: tests/ui covers that)."""
    instance = tmp / "instance"
    instance.mkdir(mode=0o700)
    engine = initialised_engine(
        f"sqlite:///{tmp / 'matrix.db'}", FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN)), instance
    )
    world = add_kindertagespflege(populate_world(engine))
    _extend(world)
    targets = _cases(world)
    settings = load_settings({"SCHUTZPFAD_INSTANCE": str(tmp / "app"), "SCHUTZPFAD_SECRET_KEY": "matrix"})
    app = create_app(settings, case_engine=engine, WTF_CSRF_ENABLED=False)
    app.testing = True
    return MatrixWorld(app, world, targets)


#: bodies that make a POST meaningful (empty otherwise): opening a case runs the role check only
#: after validation, so an empty body would tell nothing; the child is one the name search ignores
JSON_BODIES: dict[str, Callable[[Target], dict[str, Any]]] = {
    "POST /api/v1/cases": lambda target: {
        "process": target.process_key,
        "child": _child({"vorname": "Dora", "nachname": "Deltakind"}),
    },
    "POST /api/v1/cases/haushalt": lambda target: {
        "process": target.process_key,
        "haushalt": {"wohnort_gemeinde": "Goch"},
        "kinder": [{"vorname": "Dora", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 4}],
    },
}

#: route variables that are the same for every principal
STATIC_VALUES = {
    "network": "kreis-kleve",
    "key": "traeger_8a",
    "filename": "schutzpfad.css",
    "match_id": 1,
    "session_id": 1,
    "token_id": 999_999,
    # a user of the world who is no principal: deactivating them ends nobody's session mid-run
    "username": "kita_fk2",
    "token": "keine-einladung",
    "grant_id": 999_999,
    # the world has no quality sample
    "sample_id": 1,
    "position": 1,
    # the world has no break-glass access
    "access_id": 1,
}


@dataclass(frozen=True)
class Cell:
    status: int
    location: str
    #: surnames of the world's children found in the body
    seen: tuple[str, ...]
    #: those of them the principal must not see
    leaked: tuple[str, ...]


def routes(app: Any) -> list[tuple[str, Any]]:
    """Every (method, rule) of the url_map, GETs first and sign-out last (it ends the session the
    following cells of that principal would use)."""
    pairs = [
        (method, rule) for rule in app.url_map.iter_rules() for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(pairs, key=lambda p: (p[1].endpoint == "auth.sign_out", p[0] != "GET", p[1].rule, p[0]))


def route_key(method: str, rule: Any) -> str:
    return f"{method} {rule.rule}"


def _url(matrix: MatrixWorld, principal: str, rule: Any) -> str:
    target = matrix.target(principal)
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name in STATIC_VALUES:
            values[name] = STATIC_VALUES[name]
        elif hasattr(target, name):
            values[name] = getattr(target, name)
        else:
            raise AssertionError(f"{rule.rule}: no value for <{name}> — add one to STATIC_VALUES or Target")
    url: str = matrix.app.url_map.bind("localhost").build(rule.endpoint, values)
    return url


def _clients(matrix: MatrixWorld) -> dict[str, Any]:
    clients = {}
    for principal in PRINCIPAL_NAMES:
        client = matrix.app.test_client()
        username = matrix.username(principal)
        if username is not None:
            response = client.post("/anmelden", data={"username": username, "password": PASSWORD})
            assert response.status_code == 302, f"{username} cannot sign in: {response.status_code}"
            matrix.tokens[principal] = matrix.world.token(username)
        clients[principal] = client
    return clients


def run(matrix: MatrixWorld) -> dict[str, dict[str, Cell]]:
    """Ask every route as every principal: {route key: {principal: cell}}. API routes are asked with
    the principal's bearer token, the UI's with its signed-in session; a POST carries an empty body
    (`{}` for the API, unless JSON_BODIES has one), so an allowed principal mostly meets validation,
    not a state change."""
    clients = _clients(matrix)
    cells: dict[str, dict[str, Cell]] = {}
    for method, rule in routes(matrix.app):
        row = cells.setdefault(route_key(method, rule), {})
        api = rule.rule.startswith("/api/")
        for principal in PRINCIPAL_NAMES:
            kwargs: dict[str, Any] = {}
            if api:
                token = matrix.tokens.get(principal)
                client = matrix.app.test_client()  # no cookie: the API never authenticates by session
                kwargs["headers"] = {"Authorization": f"Bearer {token}"} if token else {}
                if method == "POST":
                    body = JSON_BODIES.get(route_key(method, rule))
                    kwargs["json"] = body(matrix.target(principal)) if body else {}
            else:
                client = clients[principal]
                if method == "POST":
                    kwargs["data"] = {}
            with client.open(_url(matrix, principal, rule), method=method, **kwargs) as response:
                body = response.get_data(as_text=True) if response.mimetype != "application/pdf" else ""
            seen = tuple(name for name in SURNAMES if name in body)
            leaked = tuple(name for name in seen if name not in matrix.may_see(principal))
            row[principal] = Cell(response.status_code, response.headers.get("Location", ""), seen, leaked)
    return cells
