"""Malformed addresses and input in the UI: the German error page or the form with its message,
never a 500 (issue 13, finding 6)."""

from __future__ import annotations

import pytest

from web.ui.form_widgets import submission_from_form


def test_ids_beyond_the_id_columns_show_the_not_found_page(ui, world):
    ui.login("kita_fk")
    for path in (f"/faelle/{2**31}", f"/faelle/{10**30}/akte", f"/faelle/{2**64}/schritte/x"):
        page = ui.get(path)
        assert page.status_code == 404 and "Seite nicht gefunden" in page.get_data(as_text=True), path
    ui.login("kita_revision")
    page = ui.get(f"/revision/faelle/{2**31}")
    assert page.status_code == 404 and "Seite nicht gefunden" in page.get_data(as_text=True)


def test_a_number_too_long_for_an_integer_stays_text_for_the_engine_to_refuse():
    form = {"fields": [{"name": "anzahl", "type": "integer"}]}
    assert submission_from_form(form, {"anzahl": "9" * 5000}) == {"anzahl": "9" * 5000}
    assert submission_from_form(form, {"anzahl": "42"}) == {"anzahl": 42}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page, not the database
def test_the_form_stops_typing_where_the_engine_refuses(ui):
    ui.login("kita_fk")
    page = ui.get("/faelle/neu/traeger_8a").get_data(as_text=True)
    assert 'name="vorname"' in page and 'maxlength="200"' in page
