"""The authorization matrix: every route of the url_map × every role (procedures.md § 1) at the case's
own organisation and at a foreign one, and nobody signed in.

Deny by default, twice over:
- a route of the url_map without an entry in EXPECT fails `test_every_route_has_an_expectation` —
  **whoever adds a route adds its line here** (the failure prints what the route answered, to review
  against procedures.md before pasting);
- in an entry, a principal that is not listed must be refused (403 or 404); anonymous, unless listed,
  must be sent to sign-in (UI: 302 to /anmelden, API: 401).

Principals: the role names of procedures.md for the user at the organisation the objects belong to
(Kita Kevelaer, Jugendamt Goch, Gesamtschule Goch, Beratungsstelle Kleve), `<role>@fremd` for a user
with the same role at a foreign organisation asked for the very same ids, `anonym` for no session.
Which ids each role is sent to: tests/reliability/authz_world.py. A POST carries an empty body, so an
allowed principal meets validation (422) rather than a change; the routes run GET first and sign-out
last. Besides the status, every response body is searched for the surnames of the world's children:
a name may appear only for the own user of a role that opens that child's case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability import authz_world as aw
from tests.reliability.figures import report

FK, LT, BGT, INSOFA = "fachkraft", "leitung", "berufsgeheimnistraeger", "insofa"
JFK, JLT, AUDITOR, ADMIN = "ja_fachkraft", "ja_leitung", "auditor", "admin"
FB = "ja_fachberatung_ktp"
BG = "ja_bereitschaft"
ROLES = tuple(aw.PRINCIPALS)
#: the roles that work cases (everyone but auditor and admin)
CASEWORK = (FK, LT, BGT, INSOFA, JFK, JLT, FB)
#: roles that may open a case (insofa, Fachberatung, auditor and admin may not)
OPENERS = (FK, LT, BGT, JFK, JLT)


def own(status: int, *roles: str) -> dict[str, int]:
    """`status` for the user of each role at the case's own organisation (foreign ones refused)."""
    return dict.fromkeys(roles, status)


def both(status: int, *roles: str) -> dict[str, int]:
    """`status` for each role at its own and at a foreign organisation (a route about oneself)."""
    return {**own(status, *roles), **own(status, *(role + aw.FOREIGN for role in roles))}


def public(status: int) -> dict[str, int]:
    """`status` for everyone, signed in or not."""
    return {**both(status, *ROLES), aw.ANONYMOUS: status}


# ----------------------------------------------------------------------------------------------------
# EXPECT: "METHOD rule" -> {principal: status}. Unlisted signed-in principal: refused (403/404).
# Unlisted anonymous: sign-in (UI 302 -> /anmelden, API 401).
# ----------------------------------------------------------------------------------------------------
EXPECT: dict[str, dict[str, int]] = {
    # --- sign-in and session (about oneself: the same for every organisation) ---
    "GET /": {**both(302, *ROLES), aw.ANONYMOUS: 302},
    "GET /anmelden": {**both(302, *ROLES), aw.ANONYMOUS: 200},
    "POST /anmelden": {**both(302, *ROLES), aw.ANONYMOUS: 422},
    "GET /anmelden/code": public(302),  # without a pending password step: back to /anmelden
    "POST /anmelden/code": public(302),
    "GET /anmelden/einrichten": public(302),
    "POST /anmelden/einrichten": public(302),
    "POST /abmelden": public(302),
    # single sign-on is not configured in this world: its routes do not exist (tests/ui/test_sso.py)
    "GET /anmelden/sso": public(404),
    "GET /anmelden/sso/rueckkehr": public(404),
    "GET /sitzung/status": {**both(200, *ROLES), aw.ANONYMOUS: 401},
    "POST /sitzung/verlaengern": both(302, *ROLES),
    "POST /sprache": public(302),
    "GET /barrierefreiheit": public(200),
    # an invitation link: an unknown token is 404 for everybody (the world's has none)
    "GET /einladung/<token>": public(404),
    "POST /einladung/<token>": public(404),
    "GET /static/<path:filename>": public(200),
    # --- one's own account: sessions; session 1 is another principal's (or the asker's current): 404 ---
    "GET /konto": both(200, *ROLES),
    "POST /konto/sitzungen/andere-beenden": both(302, *ROLES),
    "POST /konto/sitzungen/<int:session_id>/beenden": {},
    # own tokens: an empty form meets validation; token 1 is nobody's of the world (404)
    "POST /konto/tokens": both(422, *ROLES),
    "POST /konto/tokens/<int:token_id>/widerrufen": {},
    # a pending role only its organisation's Leitung (or a second admin) decides; the world has none: 404
    "POST /konto/rollen/<int:grant_id>/bestaetigen": {},
    "POST /konto/rollen/<int:grant_id>/ablehnen": {},
    # --- lists: every signed-in user has one, filled by its own visibility (checked by the name search) ---
    "GET /aufgaben": both(200, *ROLES),
    # the Ablaufplan of one's own network: every member of it (no case data)
    "GET /netzwerk/ablaufplan": both(200, *ROLES),
    "GET /netzwerk/ablaufplan.pdf": both(200, *ROLES),
    # the network's indicators: its Netzwerkkoordination only, a role none of these principals holds
    # (allowed and refused: tests/ui/test_indicator_pages.py)
    "GET /netzwerk/kennzahlen": {},
    "GET /faelle": both(200, *ROLES),
    # LKSG § 8 quality review: the list is everybody's (empty unless one owns or reviews a sample); drawing
    # is for a Jugendamt's Leitung (an empty form: 422); the world has no sample: 404 for everybody
    "GET /qualitaet": both(200, *ROLES),
    "GET /qualitaet/neu": both(200, JLT),
    "POST /qualitaet/neu": both(422, JLT),
    "POST /api/v1/qualitaet/stichproben": both(422, JLT),
    # results per period across samples: a Jugendamt's Leitung (its own Jugendamt, exact) and the
    # reviewers (`qualitaet`, not a principal here); every other role has neither area: 403
    "GET /qualitaet/ergebnisse": both(200, JLT),
    "GET /api/v1/qualitaet/ergebnisse": both(200, JLT),
    "GET /qualitaet/<int:sample_id>": {},
    "GET /api/v1/qualitaet/stichproben/<int:sample_id>": {},
    "GET /api/v1/qualitaet/stichproben/<int:sample_id>/faelle/<int:position>": {},
    "POST /api/v1/qualitaet/stichproben/<int:sample_id>/faelle/<int:position>/bewertung": {},
    "GET /qualitaet/<int:sample_id>/faelle/<int:position>": {},
    "POST /qualitaet/<int:sample_id>/faelle/<int:position>": {},
    # R35 break-glass: the Bereitschaftsdienst asks (an empty body: 422; which case it may open:
    # tests/integration/test_break_glass.py); the list is its own and the Jugendamt's Leitung's (the Revision
    # of a Jugendamt's too, none here); the world has no access to review: 404 for everybody
    "GET /notfallzugriffe": both(200, BG, JLT),
    "POST /notfallzugriffe": both(422, BG),
    "POST /notfallzugriffe/<int:access_id>/pruefung": {},
    "GET /api/v1/notfallzugriffe": both(200, BG, JLT),
    "POST /api/v1/notfallzugriffe": both(422, BG),
    "POST /api/v1/notfallzugriffe/<int:access_id>/pruefung": {},
    "GET /beratungen": both(200, INSOFA, FB),
    "GET /eingang": both(200, JFK, JLT),
    "GET /api/v1/cases": both(200, *ROLES),
    "GET /api/v1/tasks": both(200, *ROLES),
    "GET /api/v1/processes": both(200, *ROLES),
    "GET /api/v1/openapi.json": public(200),
    # --- operations (docs/operations.md): probes public and free of case data; /metrics only with the
    # metrics token or from a configured address, neither of which a user's session is ---
    "GET /healthz": public(200),
    "GET /readyz": public(503),  # no scheduler beats in this world: not ready, and it says why
    "GET /metrics": {aw.ANONYMOUS: 403},
    # --- opening a case: at one's own organisation, so foreign users too ---
    "GET /faelle/neu": both(200, FK, LT, JFK, JLT) | both(302, BGT),  # a Berufsgeheimnisträger has only kkg4
    "GET /faelle/neu/<process_key>": both(200, *OPENERS),
    "POST /faelle/neu/<process_key>": both(422, *OPENERS),
    # with a valid body (authz_world.JSON_BODIES): each opener its role's process at its own organisation
    "POST /api/v1/cases": both(201, *OPENERS),
    # several children of one household: a Jugendamt's own report only (a Träger's process: 422)
    "POST /api/v1/cases/haushalt": both(201, JFK, JLT) | both(422, FK, LT, BGT),
    # --- one case: its own organisation's case workers only; insofa by pseudonym (name search) ---
    "GET /faelle/<int:case_id>": own(200, *CASEWORK),
    "GET /api/v1/cases/<int:case_id>": own(200, *CASEWORK),
    "GET /api/v1/cases/<int:case_id>/file": own(200, *CASEWORK),
    "GET /faelle/<int:case_id>/akte": own(200, *CASEWORK),
    # the PDF wants a stated reason (422 without one); the insofa gets no Akte at all
    "GET /faelle/<int:case_id>/akte.pdf": own(422, FK, LT, BGT, JFK, JLT),
    "GET /api/v1/cases/<int:case_id>/file.pdf": own(422, FK, LT, BGT, JFK, JLT),
    "POST /faelle/<int:case_id>/uebernehmen": own(302, FK, LT, BGT, JFK, JLT),
    # the Löschsperre: the Leitung of the Jugendamt owning the case (an empty reason: 422)
    "POST /faelle/<int:case_id>/loeschsperre": own(422, JLT),
    "POST /faelle/<int:case_id>/loeschsperre/aufheben": own(422, JLT),
    # no such match (the world has none): 404 for everybody who reaches the case
    "POST /faelle/<int:case_id>/fruehere-faelle/<int:match_id>": {},
    "POST /api/v1/cases/<int:case_id>/fruehere-faelle/<int:match_id>": {},
    # R37: handing the case to another Jugendamt — its own Jugendamt's case workers (an empty body: 422)
    "POST /api/v1/cases/<int:case_id>/abgabe": own(422, JFK, JLT),
    # completing the child's data later: the Jugendamt holding the case (an empty body changes nothing: 422)
    "POST /api/v1/cases/<int:case_id>/angaben": own(422, JFK, JLT),
    "GET /faelle/<int:case_id>/angaben": own(200, JFK, JLT),
    "POST /faelle/<int:case_id>/angaben": own(422, JFK, JLT),
    "GET /faelle/<int:case_id>/abgabe": own(200, JFK, JLT),
    "POST /faelle/<int:case_id>/abgabe": own(422, JFK, JLT),
    # LKSG § 8: releasing free texts for review and withdrawing it — the owning organisation's Leitung,
    # of a closed case only (the world's cases are open: 409; nothing released to withdraw: 409)
    "POST /faelle/<int:case_id>/qualitaet-freigabe": own(409, LT, JLT),
    "POST /api/v1/cases/<int:case_id>/qualitaet-freigabe": own(409, LT, JLT),
    "POST /faelle/<int:case_id>/qualitaet-freigabe/zuruecknehmen": own(409, LT, JLT),
    "POST /api/v1/cases/<int:case_id>/qualitaet-freigabe/zuruecknehmen": own(409, LT, JLT),
    # --- a step: the lane's role only (the Träger case waits for its Leitung) ---
    "GET /faelle/<int:case_id>/schritte/<task_id>": own(200, LT, BGT, INSOFA, JFK, JLT, FB),
    "GET /api/v1/tasks/<task_id>": own(200, *CASEWORK),
    # the Jugendamt's Eingang is prefilled from the Meldung: `{}` completes it (200), so the Leitung
    # after it and the UI form after both find it done (409 / redirect to the case)
    "POST /api/v1/tasks/<task_id>/complete": own(422, LT, BGT, INSOFA, FB) | own(200, JFK) | own(409, JLT),
    "POST /faelle/<int:case_id>/schritte/<task_id>": own(422, LT, BGT, INSOFA, FB) | own(302, JFK, JLT),
    # --- audit trail: the auditor of the case's organisation, with a stated reason (422 without) ---
    "GET /revision": both(200, AUDITOR),
    "GET /revision/faelle/<ref>": own(200, AUDITOR),
    "POST /revision/faelle/<ref>": own(422, AUDITOR),
    "POST /revision/faelle/<ref>/export": own(422, AUDITOR),
    "GET /api/v1/cases/<int:case_id>/audit": own(422, AUDITOR),
    "GET /api/v1/audit/verify": both(200, AUDITOR),
    # --- § 99 statistics: asked without a Jugendamt, so 404 for everybody signed in (the Leitung's
    # access and everyone else's refusal: tests/integration/test_api_statistics.py) ---
    "GET /api/v1/statistik/99": {},
    "POST /api/v1/statistik/99/abschluss": {},
    "POST /api/v1/statistik/99/abschluss/aufheben": {},
    # the page: a Jugendamt's Leitung sees its own Jugendamt's last year (the foreign one its own);
    # lock and unlock without the ticked confirmation: 422 (tests/ui/test_statistics_page.py)
    "GET /statistik": both(200, JLT),
    "GET /statistik/datensaetze.csv": both(200, JLT),
    "POST /statistik/abschliessen": both(422, JLT),
    "POST /statistik/aufheben": both(422, JLT),
    # --- subject access (R38): a Jugendamt's Leitung, for its own Jugendamt's cases; an empty request is
    # 422 (what it finds and withholds: tests/integration/test_subject_access.py) ---
    "GET /auskunft": both(200, JLT),
    "POST /auskunft": both(422, JLT),
    "POST /api/v1/auskunft": both(422, JLT),
    # --- administration: admins only, never case content ---
    "GET /verwaltung": both(200, ADMIN),
    "GET /verwaltung/benutzer": both(200, ADMIN),
    "POST /verwaltung/benutzer": both(422, ADMIN),
    "POST /verwaltung/benutzer/sso": both(404, ADMIN),  # without single sign-on configured
    "POST /verwaltung/benutzer/sso/loesen": both(404, ADMIN),
    # the admin switching or inviting anew the user named in STATIC_VALUES
    # (routes run in rule order: aktivieren, deaktivieren, then einladung — refused for the now
    # deactivated user)
    "POST /verwaltung/benutzer/<username>/aktivieren": both(302, ADMIN),
    "POST /verwaltung/benutzer/<username>/deaktivieren": both(302, ADMIN),
    "POST /verwaltung/benutzer/<username>/einladung": both(422, ADMIN),
    "GET /verwaltung/organisationen": both(200, ADMIN),
    "POST /verwaltung/organisationen": both(422, ADMIN),
    # `key` is a process key here, no organisation: 404 for the admin, refused for everybody else
    "GET /verwaltung/organisationen/<key>/kontakt": both(404, ADMIN),
    "POST /verwaltung/organisationen/<key>/kontakt": both(404, ADMIN),
    "GET /verwaltung/fristen": both(200, ADMIN),
    "POST /verwaltung/fristen/<network>": both(422, ADMIN),
    "GET /verwaltung/prozesse": both(200, ADMIN),
    "GET /verwaltung/prozesse/<key>/vergleich": both(200, ADMIN),
    "POST /verwaltung/prozesse/pruefen": both(422, ADMIN),
    "POST /verwaltung/prozesse/bereitstellen": both(302, ADMIN),  # nothing uploaded: back to the list
    # migrating running cases: the shipped v1 carries no migration.json (nothing to migrate: 200, 422)
    "GET /verwaltung/prozesse/<key>/migration": both(200, ADMIN),
    "POST /verwaltung/prozesse/<key>/migration": both(422, ADMIN),
}

REFUSED = frozenset({403, 404})


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> aw.MatrixWorld:
    world = aw.build(Path(tmp_path_factory.mktemp("authz")))
    yield world
    world.world.engine.db.dispose()


@pytest.fixture(scope="module")
def cells(matrix: aw.MatrixWorld) -> dict[str, dict[str, aw.Cell]]:
    answered = aw.run(matrix)
    every = [cell for row in answered.values() for cell in row.values()]
    report(
        "authz-matrix",
        "sqlite",
        {"routes": len(answered), "cells": len(every), "leaks": sum(bool(c.leaked) for c in every)},
    )
    return answered


def _mismatch(route: str, principal: str, cell: aw.Cell) -> str | None:
    expected = EXPECT[route].get(principal)
    if expected is not None:
        return None if cell.status == expected else f"expected {expected}"
    if principal != aw.ANONYMOUS:
        return None if cell.status in REFUSED else "expected refusal (403/404)"
    if route.split(" ", 1)[1].startswith("/api/"):
        return None if cell.status == 401 else "expected 401"
    return None if cell.status == 302 and cell.location.startswith("/anmelden") else "expected sign-in redirect"


def _observed(row: dict[str, aw.Cell]) -> str:
    return ", ".join(f"{principal}: {cell.status}" for principal, cell in row.items())


def test_every_route_has_an_expectation(cells):
    """Deny by default: a new route without its line in EXPECT fails here."""
    missing = [f"{route}  (observed: {_observed(cells[route])})" for route in cells if route not in EXPECT]
    stale = [route for route in EXPECT if route not in cells]
    assert not missing, "routes without an entry in EXPECT (review, then add):\n" + "\n".join(missing)
    assert not stale, f"EXPECT names routes the app no longer has: {stale}"


def test_every_cell_answers_as_expected(cells):
    wrong = [
        f"{route} as {principal}: {cell.status} {cell.location} — {why}"
        for route, row in cells.items()
        if route in EXPECT
        for principal, cell in row.items()
        if (why := _mismatch(route, principal, cell))
    ]
    assert not wrong, f"{len(wrong)} cells differ:\n" + "\n".join(wrong)


def test_no_child_name_reaches_a_principal_that_must_not_see_it(cells):
    leaks = [
        f"{route} as {principal}: {', '.join(cell.leaked)}"
        for route, row in cells.items()
        for principal, cell in row.items()
        if cell.leaked
    ]
    assert not leaks, "child names leaked:\n" + "\n".join(leaks)


def test_the_name_search_sees_names_where_they_belong(cells):
    """The leak search is not blind: the own caseworkers' case page does show the child's name."""
    page = cells["GET /faelle/<int:case_id>"]
    assert aw.ALPHA["nachname"] in page[FK].seen and aw.BETA["nachname"] in page[JFK].seen
    assert aw.GAMMA["nachname"] in page[BGT].seen
    assert all(len(row) == len(aw.PRINCIPAL_NAMES) for row in cells.values())
