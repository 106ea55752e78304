"""Search for a child (`GET /api/v1/cases?q=…`): names in any order and spelling, a birth date, an
Aktenzeichen; own organisations only; the insofa refused; audited without the terms."""

from __future__ import annotations

import json

import pytest


def _open(world, child, user="kita_fk"):
    return world.engine.open_case(world[user], process_key="traeger_8a", child=child).case_id


def _found(api, q, user="kita_fk"):
    response = api.call("GET", "/cases", user=user, query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["id"] for row in response.get_json()}


@pytest.fixture
def children(world, child):
    mueller = _open(
        world, {**child, "vorname": "Jörg", "nachname": "Müller-Lüdenscheidt", "geburtsdatum": "2019-01-02"}
    )
    strauss = _open(world, {**child, "vorname": "Anna", "nachname": "Strauß", "geburtsdatum": "2018-06-30"})
    other_org = _open(world, {**child, "vorname": "Jörg", "nachname": "Müller"}, user="dueren_fk")
    return mueller, strauss, other_org


@pytest.mark.parametrize(
    ("q", "which"),
    [
        ("Müller", {0}),
        ("mueller", {0}),
        ("  JOERG   luedenscheidt ", {0}),
        ("Strauss Anna", {1}),
        ("strauß", {1}),
        ("02.01.2019", {0}),
        ("2018-06-30", {1}),
        ("Müller Anna", set()),  # every name must match
        ("Schmidt", set()),
    ],
)
def test_a_child_is_found_in_any_spelling(api, children, q, which):
    assert _found(api, q) == {children[i] for i in which}


def test_by_aktenzeichen_and_only_among_the_own_organisations_cases(api, world, children):
    mueller, _, other_org = children
    reference = world.engine.case(world["kita_fk"], mueller)["reference"]
    assert _found(api, reference.lower()) == {mueller}
    foreign = world.engine.case(world["dueren_fk"], other_org)["reference"]
    assert _found(api, foreign) == set()
    assert _found(api, "Jörg Müller", user="dueren_fk") == {other_org}


def test_bad_queries_and_the_insofa_are_refused(api, children):
    bad = api.call("GET", "/cases", user="kita_fk", query_string={"q": "31.02.2019"})
    assert bad.status_code == 422 and "kein gültiges Datum" in bad.get_json()["errors"]["q"][0]
    assert api.call("GET", "/cases", user="insofa_kleve", query_string={"q": "Müller"}).status_code == 403


def test_a_search_is_audited_without_its_terms(api, world, children):
    _found(api, "Müller")
    _found(api, "02.01.2019")
    with world.engine.reading() as uow:
        events = list(world.engine.vault.read(uow.session.connection(), types=["case.search"]))
    assert [(e.actor, e.payload["kind"], e.payload["rows"]) for e in events] == [
        ("kita_fk", "name", 1),
        ("kita_fk", "geburtsdatum", 1),
    ]
    text = json.dumps([e.payload for e in events], ensure_ascii=False).lower()
    assert "müller" not in text and "mueller" not in text and "2019" not in text
