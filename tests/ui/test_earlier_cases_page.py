"""Earlier cases on the same child on the case page: shown with what matched, decided by a button."""

from __future__ import annotations


def test_the_case_page_shows_earlier_cases_on_the_same_child_to_decide(ui, world, child):
    first = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    second = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    ui.login("kita_fk")
    listed = ui.get("/faelle").get_data(as_text=True)
    assert listed.count("Frühere Fälle prüfen: 1") == 1  # the marker on the later case only
    page = ui.get(f"/faelle/{second}").get_data(as_text=True)
    assert "Zu diesem Kind gibt es einen früheren Fall" in page and f'href="/faelle/{first}"' in page
    assert "Vorname, Nachname und Geburtsdatum" in page and "noch offen" in page
    [match] = world.engine.case(world["kita_fk"], second)["fruehere_faelle"]
    url = f"/faelle/{second}/fruehere-faelle/{match['id']}"
    done = ui.post_form(url, {"entscheidung": "bestaetigt"}, token_from=f"/faelle/{second}")
    assert done.status_code == 302
    page = ui.get(f"/faelle/{second}").get_data(as_text=True)
    assert "Verknüpft: Der frühere Fall betrifft dasselbe Kind." in page and "dasselbe Kind (verknüpft)" in page
    assert "Frühere Fälle prüfen" not in ui.get("/faelle").get_data(as_text=True)  # decided
    again = ui.post_form(url, {"entscheidung": "verworfen"}, token_from=f"/faelle/{second}")
    assert again.status_code == 409 and "bereits entschieden" in again.get_data(as_text=True)
