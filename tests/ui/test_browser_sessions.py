"""Server-side browser sessions (issue 13, finding 2): a copied cookie is worthless after sign-out,
and a user sees their sessions on /konto and ends the others."""

from __future__ import annotations

import re

from engine.persistence import models as m
from tests.ui.conftest import UiClient

COOKIE = "schutzpfad_session"


def _events(engine, *types):
    with engine.work() as (uow, _work):
        return list(engine.vault.read(uow.session.connection(), types=list(types)))


def _session_rows(engine) -> int:
    with engine.reading() as uow:
        return uow.session.query(m.BrowserSession).count()


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(ui, world, child):
    opened = world.engine.open_case(world["kita_fk"], process_key="melder", child=child)
    ui.login("kita_fk")
    case_page = f"/faelle/{opened.case_id}"
    assert "Beispielkind" in ui.get(case_page).get_data(as_text=True)
    copied = ui.client.get_cookie(COOKIE).value

    assert ui.logout().status_code == 302
    ui.client.set_cookie(COOKIE, copied)  # the attacker replays the stolen cookie
    replayed = ui.get(case_page)
    assert replayed.status_code == 302 and "/anmelden" in replayed.headers["Location"]
    sign_in = ui.get(replayed.headers["Location"])
    html = sign_in.get_data(as_text=True)
    assert sign_in.status_code == 200 and 'name="password"' in html and "Beispielkind" not in html
    assert _session_rows(world.engine) == 0


def test_the_account_page_lists_the_sessions_and_ends_another_one(ui_app, ui, world):
    phone = UiClient(ui_app, world)
    phone.client.environ_base["HTTP_USER_AGENT"] = "Telefon-Browser/1.0"
    phone.login("kita_fk")
    ui.client.environ_base["HTTP_USER_AGENT"] = "Arbeitsplatz-Browser/2.0"
    ui.login("kita_fk")
    page = ui.get("/konto").get_data(as_text=True)
    assert "Telefon-Browser/1.0" in page and "Arbeitsplatz-Browser/2.0" in page and "diese Sitzung" in page
    [end_form] = re.findall(r'action="(/konto/sitzungen/\d+/beenden)"', page)

    done = ui.post_form(end_form, token_from="/konto")
    assert done.status_code == 302
    assert phone.get("/aufgaben").status_code == 302  # the phone is signed out
    assert ui.get("/aufgaben").status_code == 200  # this browser is not
    [ended] = _events(world.engine, "session.ended")
    assert ended.actor == "kita_fk" and ended.payload == {
        "username": "kita_fk",
        "reason": "ended_by_user",
        "sessions": 1,
    }


def test_ending_all_other_sessions_keeps_the_current_one(ui_app, ui, world):
    others = [UiClient(ui_app, world) for _ in range(2)]
    for other in others:
        other.login("kita_fk")
    ui.login("kita_fk")
    assert ui.post_form("/konto/sitzungen/andere-beenden", token_from="/konto").status_code == 302
    assert "Andere Sitzungen beendet: 2." in ui.get("/konto").get_data(as_text=True)
    assert [other.get("/aufgaben").status_code for other in others] == [302, 302]
    assert ui.get("/aufgaben").status_code == 200


def test_nobody_ends_another_users_session(ui_app, ui, world):
    victim = UiClient(ui_app, world)
    victim.login("kita_fk2")
    with world.engine.reading() as uow:
        victim_session = uow.session.query(m.BrowserSession).one().id
    ui.login("kita_fk")
    refused = ui.post_form(f"/konto/sitzungen/{victim_session}/beenden", token_from="/konto")
    assert refused.status_code == 404
    assert victim.get("/aufgaben").status_code == 200


def test_the_account_page_needs_a_sign_in(ui):
    response = ui.get("/konto")
    assert response.status_code == 302 and "/anmelden?next=/konto" in response.headers["Location"]


def test_sign_in_starts_an_audited_session_that_holds_no_readable_token(ui, world):
    ui.login("kita_fk")
    token = ui.client.get_cookie(COOKIE).value
    [started] = _events(world.engine, "session.started")
    assert started.actor == "kita_fk" and started.payload["username"] == "kita_fk"
    with world.engine.reading() as uow:
        user_id, token_hash = uow.session.query(m.BrowserSession.user_id, m.BrowserSession.token_hash).one()
    assert user_id == world["kita_fk"].user_id and token_hash != token and token_hash not in token
