"""The search box on Fälle: a child found by name in any spelling, a wrong date explained."""

from __future__ import annotations


def test_the_case_list_searches_for_a_child(ui, world, child):
    found = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "nachname": "Müller"})
    world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "nachname": "Schmidt"})
    reference = found.reference
    ui.login("kita_fk")
    page = ui.get("/faelle", query_string={"q": "mueller"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'type="search"' in html and 'value="mueller"' in html
    assert reference in html and "Schmidt" not in html
    bad = ui.get("/faelle", query_string={"q": "31.02.2020"})
    assert bad.status_code == 422 and "kein gültiges Datum" in bad.get_data(as_text=True)


def test_the_eingang_searches_its_open_cases(ui, world, child):
    found = world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child={**child, "nachname": "Müller"})
    other = world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child={**child, "nachname": "Schmidt"})
    ui.login("goch_fk")
    page = ui.get("/eingang", query_string={"q": "mueller"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'type="search"' in html and 'value="mueller"' in html
    cases = html[html.index('id="sp-open-cases-title"') :]
    assert found.reference in cases and other.reference not in cases
    assert "gilt für die offenen Fälle" in html  # the tasks above are not searched, and the page says so
    with world.engine.reading() as uow:
        searches = list(world.engine.vault.read(uow.session.connection(), types=["case.search"]))
    assert [(e.actor, e.payload["kind"], e.payload["rows"]) for e in searches] == [("goch_fk", "name", 1)]
    bad = ui.get("/eingang", query_string={"q": "31.02.2020"})
    assert bad.status_code == 422 and "kein gültiges Datum" in bad.get_data(as_text=True)
