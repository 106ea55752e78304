"""/netzwerk/kennzahlen (issue 15 item 3, R34): the network's figures for its Netzwerkkoordination
only, charts as accessible SVG beside their tables, no script or inline style, and nothing on the
page that points to a child or a case."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from engine.accounts import registry as accounts
from engine.indicators.facade import COORDINATION_ROLE
from tests.support.cases import BEOBACHTUNG, complete, sofortmeldung, to_rueckmeldung, to_schutzplan

PAGE = "/netzwerk/kennzahlen"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.fixture
def coordinator(world) -> str:
    """A Netzwerkkoordination of Kreis Kleve (created before `ui` gives every user the password)."""
    with world.engine.writing() as uow:
        accounts.create_user(
            uow.session,
            username="koordination",
            organisation_key="ja-kreis-kleve",
            role=COORDINATION_ROLE,
            password=None,
            now=world.engine.clock.now(),
            mfa_required=False,
        )
        uow.commit()
    return "koordination"


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_page_shows_charts_and_tables_and_nothing_about_a_child(coordinator, ui, world, child):
    own = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", own.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    to_schutzplan(world, own.case_id)
    ja_case = sofortmeldung(world, child)
    to_rueckmeldung(world, ja_case)
    cases = [world.engine.case(world["goch_fk"], ja_case), world.engine.case(world["kita_fk"], own.case_id)]
    world.engine.clock.advance(timedelta(days=15))  # still March: the open steps' Fristen have passed

    ui.login(coordinator)
    page = ui.get(PAGE)
    html = _text(page)
    assert page.status_code == 200 and "Kennzahlen: Netzwerk Kinderschutz Kreis Kleve" in html
    assert "1. Quartal 2026" in html
    charts = re.findall(r'<svg class="sp-chart" role="img" aria-labelledby="([^"]+)-title \1-desc"', html)
    assert len(charts) == 6  # every section has figures
    for chart in charts:
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    assert html.count('<table class="kern-table sp-kz-table sp-cards">') == len(charts)
    assert "&lt; 5" in html and ">1<" not in html  # one Meldung is "< 5", never "1"
    # CSP-clean and without script: no inline style, no script but the session's file
    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<script[^>]*>", html) == [re.search(r"<script [^>]*session\.js[^>]*>", html)[0]]
    # nothing that points to the child or a case
    markers = ["Mia", "Beispielkind", "2020-05-17", "17.05.2020", "Markt 1", "47574"]
    markers += [c["reference"] for c in cases] + [c["pseudonym"] for c in cases]
    assert [marker for marker in markers if marker in html] == []


def test_the_quarter_is_chosen_without_script(coordinator, ui):
    ui.login(coordinator)
    html = _text(ui.get(f"{PAGE}?quartal=2025-Q4"))
    assert '<option value="2025-Q4" selected>4. Quartal 2025</option>' in html
    assert '<form method="get" action="/netzwerk/kennzahlen"' in html
    assert "In diesem Quartal ging keine Meldung ein." in html
    assert ui.get(f"{PAGE}?quartal=letztes").status_code == 422
    assert ui.get(f"{PAGE}?quartal=2026-Q3").status_code == 422  # a quarter still to come


def test_only_the_networks_coordination_sees_it(coordinator, ui):
    assert ui.get(PAGE).status_code == 302  # anonymous: to sign-in
    for user in ("goch_leitung", "kita_admin"):  # every other role: tests/reliability/test_authz_matrix.py
        ui.login(user)
        assert ui.get(PAGE).status_code == 403, user
        assert f'href="{PAGE}"' not in _text(ui.get("/aufgaben"))
    ui.login(coordinator)
    assert f'href="{PAGE}"' in _text(ui.get("/aufgaben"))
    assert ui.get(f"{PAGE}?netzwerk=kreis-dueren").status_code == 404
