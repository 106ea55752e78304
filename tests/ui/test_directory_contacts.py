"""The directory's contact fields (Verwaltung) and R22: a case opened by a Sofortmeldung shows the
responsible Jugendamt's Bereitschaft number on its step page — and an ordinary case does not.
SQLite only: no database-specific logic here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.test_case_pages import _case, _sofortmeldung, _step_url

CONTACT = "/verwaltung/organisationen/ja-goch/kontakt"
BEREITSCHAFT = "0170 1234567"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _save(ui, **values: str):
    form = {"telefon": "", "bereitschaft": "", "email": "", "anschrift": "", **values}
    return ui.post_form(CONTACT, form, token_from=CONTACT)


def test_admin_edits_a_jugendamts_contact_fields_with_errors_per_field_and_an_audit_event(ui, world):
    ui.login("kita_admin")
    refused = _save(ui, telefon="ruft an", email="kein-at-zeichen")
    html = _text(refused)
    assert refused.status_code == 422
    assert "Bitte eine Telefonnummer aus Ziffern angeben" in html and "Bitte eine E-Mail-Adresse" in html
    assert 'value="ruft an"' in html  # what was typed stays
    saved = _save(ui, telefon="02823 320-0", bereitschaft=BEREITSCHAFT, email="jugendamt@goch.de")
    assert saved.status_code == 302
    listing = _text(ui.get("/verwaltung/organisationen"))
    assert "Bereitschaft 0170 1234567" in listing and "Telefon 02823 320-0" in listing
    with world.engine.work() as (uow, _work):
        [event] = world.engine.vault.read(
            uow.session.connection(), types=["organisation.contact_changed"], actor="kita_admin"
        )
    assert event.payload == {
        "key": "ja-goch",
        "changed": {"telefon": "02823 320-0", "bereitschaft": BEREITSCHAFT, "email": "jugendamt@goch.de"},
    }
    assert ui.get("/verwaltung/organisationen/gibt-es-nicht/kontakt").status_code == 404


def test_only_an_administrator_edits_contacts(ui, world):
    ui.login("goch_fk")
    assert ui.get(CONTACT).status_code == 403


def test_a_sofortmeldung_shows_the_jugendamts_bereitschaft_on_its_step_page(ui, world, child):
    ui.login("kita_admin")
    assert _save(ui, bereitschaft=BEREITSCHAFT).status_code == 302
    _traeger, ja_case = _sofortmeldung(world, child)
    ui.login("goch_fk")
    acute = _text(ui.get(_step_url(world, "goch_fk", ja_case, "eingang_erfassen")))
    assert "Sofortmeldung: Bereitschaft des Jugendamts" in acute
    assert 'href="tel:01701234567"' in acute and BEREITSCHAFT in acute

    ordinary = _case(world, child)
    ui.login("kita_fk")
    step = _text(ui.get(_step_url(world, "kita_fk", ordinary["id"], "anhaltspunkte_dokumentieren")))
    assert "Bereitschaft des Jugendamts" not in step
