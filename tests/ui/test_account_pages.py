"""Mein Konto's API tokens and the administrators' deactivation switch, through the browser."""

from __future__ import annotations

import re

from tests.ui.conftest import UiClient


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_user_issues_a_named_token_sees_it_once_and_revokes_it(ui, world):
    ui.login("kita_fk")
    issued = ui.post_form("/konto/tokens", {"name": "Fachverfahren", "days": "30"}, token_from="/konto")
    html = _text(issued)
    token = re.search(r'id="sp-new-token">(sp_[^<]+)<', html).group(1)
    assert issued.status_code == 200 and "Fachverfahren" in html
    api = ui.app.test_client()
    assert api.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = _text(ui.get("/konto"))
    assert token not in page  # shown once only
    [revoke] = re.findall(r'action="(/konto/tokens/\d+/widerrufen)"', page)
    assert ui.post_form(revoke, token_from="/konto").status_code == 302
    assert "widerrufen" in _text(ui.get("/konto"))
    assert api.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_needs_a_name_and_a_lifetime_within_bounds(ui):
    ui.login("kita_fk")
    refused = ui.post_form("/konto/tokens", {"name": "", "days": "400"}, token_from="/konto")
    assert refused.status_code == 422 and 'id="f-name"' in _text(refused) and "sp_" not in _text(refused)


def test_nobody_revokes_another_users_token(ui, world):
    world.engine.issue_token("kita_fk2", operator="cli", name="fremd")
    [theirs] = world.engine.tokens("kita_fk2")
    ui.login("kita_fk")
    assert ui.post_form(f"/konto/tokens/{theirs['id']}/widerrufen", token_from="/konto").status_code == 404
    assert world.engine.tokens("kita_fk2")[0]["state"] == "aktiv"


def test_an_admin_deactivates_a_user_whose_open_session_ends_at_once(ui_app, ui, world):
    victim = UiClient(ui_app, world)
    victim.login("kita_fk")
    ui.login("kita_admin")
    page = _text(ui.get("/verwaltung/benutzer"))
    assert 'action="/verwaltung/benutzer/kita_fk/deaktivieren"' in page
    done = ui.post_form("/verwaltung/benutzer/kita_fk/deaktivieren", token_from="/verwaltung/benutzer")
    assert done.status_code == 302
    assert "ist deaktiviert" in _text(ui.get("/verwaltung/benutzer"))
    assert victim.get("/aufgaben").status_code == 302
    again = victim.post_form("/anmelden", {"username": "kita_fk", "password": "Test-Passwort-2026"})
    assert again.status_code == 401
    ui.post_form("/verwaltung/benutzer/kita_fk/aktivieren", token_from="/verwaltung/benutzer")
    victim.login("kita_fk")


def test_only_admins_switch_users_and_not_themselves(ui):
    ui.login("kita_fk")
    assert ui.post_form("/verwaltung/benutzer/kita_fk2/deaktivieren", token_from="/aufgaben").status_code == 403
    ui.login("kita_admin")
    refused = ui.post_form("/verwaltung/benutzer/kita_admin/deaktivieren", token_from="/verwaltung/benutzer")
    assert refused.status_code == 422 and "nicht selbst deaktivieren" in _text(refused)
