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
