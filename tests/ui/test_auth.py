"""Sign-in and sessions through the browser's eyes (Flask test client), on SQLite and PostgreSQL:
the start page, password and TOTP, lock-out, session renewal, idle and absolute limits, drafts kept
over an expired session, sign-out, CSRF, language, and the audit events of every outcome."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from engine.accounts.sign_in import LOCK_TIME, MAX_FAILURES
from engine.persistence import models as m
from tests.ui.conftest import PASSWORD


def _events(engine, *types):
    with engine.work() as (uow, _work):
        return list(engine.vault.read(uow.session.connection(), types=list(types) or None))


def _h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S)
    assert match, response.get_data(as_text=True)
    return match.group(1).strip()


def _text(response) -> str:
    return response.get_data(as_text=True)


def _require_mfa(world, username):
    with world.engine.writing() as uow:
        uow.session.execute(update(m.User).where(m.User.username == username).values(mfa_required=True))
        uow.commit()


def _enrol(ui, username) -> str:
    """Sign in as a user who must enrol; returns the confirmed secret."""
    _require_mfa(ui.world, username)
    response = ui.post_form("/anmelden", {"username": username, "password": PASSWORD})
    assert response.headers["Location"].endswith("/anmelden/einrichten")
    page = _text(ui.get("/anmelden/einrichten"))
    secret = re.search(r'id="sp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    done = ui.post_form("/anmelden/einrichten", {"code": ui.totp(secret)}, token_from="/anmelden/einrichten")
    assert done.status_code == 302 and done.headers["Location"].endswith("/aufgaben")
    return secret


# ---- start page and sign-in -----------------------------------------------------------------------


def test_start_page_sends_signed_out_visitors_to_the_sign_in_form(ui):
    response = ui.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/anmelden")
    page = ui.get("/anmelden")
    html = _text(page)
    assert page.status_code == 200 and _h1(page) == "Anmelden"
    assert '<html lang="de">' in html
    assert re.search(r'<label class="kern-label" for="f-username">Benutzername</label>', html)
    assert re.search(r'<label class="kern-label" for="f-password">Passwort</label>', html)
    assert 'id="f-username" name="username"' in html and 'id="f-password" name="password"' in html
    assert '<span class="kern-label">Anmelden</span>' in html
    assert 'href="#inhalt"' in html and 'id="inhalt"' in html  # skip link
    assert "/barrierefreiheit" in html


def test_sign_in_leads_to_meine_aufgaben_and_is_audited(ui, world):
    response = ui.login("kita_fk")
    assert response.headers["Location"].endswith("/aufgaben")
    page = ui.get("/aufgaben")
    assert page.status_code == 200 and _h1(page) == "Meine Aufgaben"
    assert "Kita Fk" in _text(page) and "Kita Regenbogen Kevelaer" in _text(page)
    start = ui.get("/")
    assert start.headers["Location"].endswith("/aufgaben")
    [login] = _events(world.engine, "auth.login")
    assert login.actor == "kita_fk" and login.organisation == "kita-kevelaer"
    assert login.payload == {"username": "kita_fk", "mfa": False}


def test_meine_aufgaben_lists_the_users_open_tasks(ui, world, child):
    case = world.engine.open_case(world["kita_fk"], process_key="melder", child=child)
    ui.login("kita_fk")
    html = _text(ui.get("/aufgaben"))
    assert case.reference in html and case.open_tasks[0].title in html
    ui.login("dueren_fk")
    assert case.reference not in _text(ui.get("/aufgaben"))


def test_wrong_password_and_unknown_user_get_the_same_answer(ui, world):
    wrong = ui.post_form("/anmelden", {"username": "kita_fk", "password": "falsch-falsch-falsch"})
    unknown = ui.post_form("/anmelden", {"username": "niemand", "password": "falsch-falsch-falsch"})
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        html = _text(response)
        assert "Anmeldung fehlgeschlagen" in html and 'role="alert"' in html
        assert "falsch-falsch-falsch" not in html  # the password is never echoed
    assert 'value="kita_fk"' in _text(wrong)
    failed = _events(world.engine, "auth.login_failed")
    assert [(e.actor, e.payload["reason"]) for e in failed] == [("kita_fk", "password"), ("unbekannt", "password")]
    assert ui.get("/aufgaben").status_code == 302


def test_empty_fields_are_marked_at_the_field_and_in_the_summary(ui):
    response = ui.post_form("/anmelden", {"username": "", "password": ""})
    html = _text(response)
    assert response.status_code == 422
    assert 'class="kern-alert kern-alert--danger sp-error-summary" role="alert"' in html
    assert 'href="#f-username"' in html and 'href="#f-password"' in html
    assert 'aria-invalid="true" aria-describedby="f-username-fehler"' in html
    assert 'id="f-username-fehler"' in html and "Bitte geben Sie Ihren Benutzernamen ein." in html


def test_repeated_failures_lock_the_name_for_a_while_without_revealing_it_exists(ui, world):
    for name in ("kita_fk", "gibt-es-nicht"):
        for _ in range(MAX_FAILURES):
            ui.post_form("/anmelden", {"username": name, "password": "falsch-falsch-falsch"})
        locked = ui.post_form("/anmelden", {"username": name, "password": PASSWORD})
        assert locked.status_code == 429
        assert "Zu viele Fehlversuche. Bitte warten Sie 15 Minuten" in _text(locked)
    assert [e.payload["username"] for e in _events(world.engine, "auth.locked")] == ["kita_fk", "unbekannt"]
    # the right password during the lock-out is refused without being checked
    assert _events(world.engine, "auth.login_failed")[-1].payload["reason"] == "locked"
    ui.clock.advance(LOCK_TIME + timedelta(seconds=1))
    assert ui.login("kita_fk").headers["Location"].endswith("/aufgaben")
    with world.engine.reading() as uow:
        keys = uow.session.execute(select(m.LoginThrottle.key)).scalars().all()
    assert len(keys) == 1  # the unknown name's; a successful sign-in forgets the failures
    assert "gibt-es-nicht" not in keys[0]  # names are stored hashed


def test_failures_spread_over_more_than_the_window_do_not_lock(ui):
    for _ in range(MAX_FAILURES - 1):
        ui.post_form("/anmelden", {"username": "kita_fk", "password": "falsch-falsch-falsch"})
    ui.clock.advance(timedelta(minutes=16))
    ui.post_form("/anmelden", {"username": "kita_fk", "password": "falsch-falsch-falsch"})
    assert ui.login("kita_fk").status_code == 302


def test_session_id_is_renewed_at_sign_in(ui, app_session):
    ui.get("/anmelden")
    before = app_session()
    ui.login("kita_fk")
    after = app_session()
    assert before.get("sid") is None and after["sid"]
    assert "uid" not in after and "login_at" not in after  # who and since when: only on the server
    assert after.get("csrf_token") != before.get("csrf_token")
    ui.logout()
    ui.login("kita_fk")
    assert app_session()["sid"] != after["sid"]


@pytest.fixture
def app_session(ui):
    """Decode the session cookie the test client holds (signed, not encrypted)."""

    def read() -> dict:
        cookie = ui.client.get_cookie("schutzpfad_session")
        if cookie is None:
            return {}
        serializer = ui.app.session_interface.get_signing_serializer(ui.app)
        return dict(serializer.loads(cookie.value))

    return read


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(ui):
    ui.get("/anmelden")
    response = ui.post_form("/anmelden", {"username": "kita_fk", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = ui.app.test_client().get("/anmelden", base_url="https://schutzpfad.example")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_next_brings_the_user_back_but_never_to_another_site(ui):
    response = ui.get("/aufgaben?x=1")
    assert response.status_code == 302 and "next=/aufgaben?x%3D1" in response.headers["Location"]
    token = ui.csrf("/anmelden")
    back = ui.post(
        "/anmelden", data={"csrf_token": token, "username": "kita_fk", "password": PASSWORD, "next": "/aufgaben?x=1"}
    )
    assert back.headers["Location"].endswith("/aufgaben?x=1")
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        ui.clear_cookies()
        token = ui.csrf("/anmelden")
        response = ui.post(
            "/anmelden", data={"csrf_token": token, "username": "kita_fk", "password": PASSWORD, "next": evil}
        )
        assert response.headers["Location"] == "/aufgaben"


# ---- second factor ------------------------------------------------------------------------------


def test_a_user_who_must_use_two_factors_enrols_at_the_first_sign_in(ui, world):
    _require_mfa(world, "kita_leitung")
    response = ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
    assert response.headers["Location"].endswith("/anmelden/einrichten")
    assert ui.get("/aufgaben").status_code == 302  # not signed in yet
    page = ui.get("/anmelden/einrichten")
    html = _text(page)
    assert _h1(page) == "Zwei-Faktor-Anmeldung einrichten"
    assert 'src="data:image/svg+xml' in html and 'alt="QR-Code' in html
    secret = re.search(r'id="sp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert _text(ui.get("/anmelden/einrichten")).count(" ".join(re.findall(".{1,4}", secret))) == 1  # same secret
    wrong = ui.post_form("/anmelden/einrichten", {"code": "000000"}, token_from="/anmelden/einrichten")
    assert wrong.status_code == 401 and 'href="#f-code"' in _text(wrong)
    done = ui.post_form("/anmelden/einrichten", {"code": ui.totp(secret)}, token_from="/anmelden/einrichten")
    assert done.headers["Location"].endswith("/aufgaben")
    assert ui.get("/aufgaben").status_code == 200
    assert [e.type for e in _events(world.engine, "auth.mfa_enrolled", "auth.login")] == [
        "auth.mfa_enrolled",
        "auth.login",
    ]
    with world.engine.reading() as uow:
        user = uow.session.execute(select(m.User).where(m.User.username == "kita_leitung")).scalar_one()
        assert user.mfa_secret is not None and secret.encode() not in bytes(user.mfa_secret)
        assert user.mfa_pending_secret is None


def test_an_enrolled_user_enters_a_code_after_the_password_once_per_code(ui, world):
    secret = _enrol(ui, "kita_leitung")
    ui.logout()
    ui.clock.advance(timedelta(seconds=30))
    response = ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
    assert response.headers["Location"].endswith("/anmelden/code")
    page = ui.get("/anmelden/code")
    assert _h1(page) == "Bestätigungscode eingeben" and 'autocomplete="one-time-code"' in _text(page)
    wrong = ui.post_form(
        "/anmelden/code", {"code": "123456" if ui.totp(secret) != "123456" else "654321"}, token_from="/anmelden/code"
    )
    assert wrong.status_code == 401 and "Der Code ist ungültig" in _text(wrong)
    code = ui.totp(secret)
    ok = ui.post_form("/anmelden/code", {"code": code}, token_from="/anmelden/code")
    assert ok.headers["Location"].endswith("/aufgaben")
    # the same code again (a replay within its 30 seconds) is refused
    ui.logout()
    ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
    replay = ui.post_form("/anmelden/code", {"code": code}, token_from="/anmelden/code")
    assert replay.status_code == 401
    assert _events(world.engine, "auth.login")[-1].payload == {"username": "kita_leitung", "mfa": True}


def test_the_code_step_expires_and_cannot_be_reached_without_the_password(ui, world):
    assert ui.get("/anmelden/code").headers["Location"].endswith("/anmelden")
    assert ui.get("/anmelden/einrichten").headers["Location"].endswith("/anmelden")
    secret = _enrol(ui, "kita_leitung")
    ui.logout()
    ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
    ui.clock.advance(timedelta(minutes=11))
    late = ui.post_form("/anmelden/code", {"code": ui.totp(secret)}, token_from="/anmelden")
    assert late.status_code == 302 and late.headers["Location"].endswith("/anmelden")


def test_wrong_codes_count_towards_the_lock_out(ui, world):
    secret = _enrol(ui, "kita_leitung")
    ui.logout()
    ui.clock.advance(timedelta(minutes=1))
    ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
    bad = "000000" if ui.totp(secret) != "000000" else "111111"
    for _ in range(MAX_FAILURES - 1):
        assert ui.post_form("/anmelden/code", {"code": bad}, token_from="/anmelden/code").status_code == 401
    locked = ui.post_form("/anmelden/code", {"code": bad}, token_from="/anmelden/code")
    assert locked.status_code == 302 and locked.headers["Location"].endswith("/anmelden")
    assert "Zu viele Fehlversuche" in _text(ui.get("/anmelden"))
    refused = ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
    assert refused.status_code == 429
    assert [e.payload["reason"] for e in _events(world.engine, "auth.login_failed")][-1] == "locked"


def test_a_reset_second_factor_means_enrolling_again(ui, world):
    _enrol(ui, "kita_leitung")
    world.engine.reset_second_factor("kita_leitung", operator="tests")
    ui.logout()
    response = ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
    assert response.headers["Location"].endswith("/anmelden/einrichten")
    assert _events(world.engine, "auth.mfa_reset")[0].payload == {"username": "kita_leitung"}


def test_totp_tolerates_one_step_of_clock_drift_but_not_more(ui, world):
    secret = _enrol(ui, "kita_leitung")
    for offset, expected in ((-1, 302), (-3, 401)):
        ui.logout()
        ui.clock.advance(timedelta(minutes=2))
        ui.post_form("/anmelden", {"username": "kita_leitung", "password": PASSWORD})
        response = ui.post_form("/anmelden/code", {"code": ui.totp(secret, offset)}, token_from="/anmelden/code")
        assert response.status_code == expected
    assert pyotp.TOTP(secret).interval == 30


# ---- session limits --------------------------------------------------------------------------------


def test_idle_timeout_after_15_minutes_and_activity_extends_it(ui, world):
    ui.login("kita_fk")
    ui.clock.advance(timedelta(minutes=14))
    assert ui.get("/aufgaben").status_code == 200  # activity: the idle limit starts again
    ui.clock.advance(timedelta(minutes=14))
    assert ui.get("/aufgaben").status_code == 200
    ui.clock.advance(timedelta(minutes=15, seconds=1))
    expired = ui.get("/aufgaben")
    assert expired.status_code == 302 and "/anmelden?next=/aufgaben" in expired.headers["Location"]
    assert "Ihre Sitzung ist abgelaufen" in _text(ui.get("/anmelden"))
    assert _events(world.engine, "auth.logout")[-1].payload == {"username": "kita_fk", "reason": "expired"}


def test_the_status_poll_does_not_extend_the_session_but_one_click_does(ui):
    ui.login("kita_fk")
    ui.clock.advance(timedelta(minutes=13))
    status = ui.get("/sitzung/status", headers={"Accept": "application/json"})
    assert status.get_json() == {"signed_in": True, "idle": 120, "absolute": 12 * 3600 - 13 * 60, "warn": 180}
    ui.clock.advance(timedelta(minutes=1))
    assert ui.get("/sitzung/status").get_json()["idle"] == 60
    token = ui.csrf("/barrierefreiheit")
    extended = ui.post("/sitzung/verlaengern", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert extended.get_json()["idle"] == 15 * 60
    ui.clock.advance(timedelta(minutes=14))
    assert ui.get("/aufgaben").status_code == 200
    # without JavaScript: the same form posts and comes back to the page
    token = ui.csrf("/aufgaben")
    back = ui.post("/sitzung/verlaengern", data={"csrf_token": token, "next": "/aufgaben"})
    assert back.status_code == 302 and back.headers["Location"].endswith("/aufgaben")
    ui.clock.advance(timedelta(minutes=16))
    assert ui.get("/sitzung/status").status_code == 401


def test_the_page_carries_the_session_times_for_the_warning(ui):
    ui.login("kita_fk")
    html = _text(ui.get("/aufgaben"))
    assert 'data-session-idle="900"' in html and 'data-session-warn="180"' in html
    assert 'id="sp-session-warning"' in html and "Sitzung verlängern" in html
    assert '<script src="/static/session.js" defer></script>' in html
    assert "<script>" not in html and "style=" not in html  # nothing inline (CSP)


def test_absolute_limit_of_12_hours_cannot_be_extended(ui):
    ui.login("kita_fk")
    start = ui.clock.now()
    while ui.get("/aufgaben").status_code == 200:
        assert ui.clock.now() - start <= timedelta(hours=12)
        ui.clock.advance(timedelta(minutes=14, seconds=59))
    assert ui.clock.now() - start > timedelta(hours=12)


def test_a_form_posted_after_expiry_is_kept_and_restored_after_signing_in_again(ui, world, draft_form):
    ui.login("kita_fk")
    token = ui.csrf("/entwurf")
    ui.clock.advance(timedelta(minutes=20))
    posted = ui.post(
        "/entwurf",
        data={"csrf_token": token, "beobachtungen": "Kind kam ohne Jacke.", "passwort": "geheim", "wahl": ["a", "b"]},
    )
    assert posted.status_code == 302 and "/anmelden?next=/entwurf" in posted.headers["Location"]
    sign_in = _text(ui.get(posted.headers["Location"]))
    assert "Ihre Eingaben wurden zwischengespeichert" in sign_in
    with world.engine.reading() as uow:
        [draft] = uow.session.execute(select(m.FormDraft)).scalars().all()
        assert b"Kind kam ohne Jacke" not in bytes(draft.fields)  # sealed
    next_url = re.search(r'name="next" value="([^"]+)"', sign_in).group(1)
    token = ui.csrf("/anmelden")
    back = ui.post(
        "/anmelden", data={"csrf_token": token, "username": "kita_fk", "password": PASSWORD, "next": next_url}
    )
    assert back.headers["Location"].endswith("/entwurf")
    page = ui.get("/entwurf")
    html = _text(page)
    assert "Kind kam ohne Jacke." in html and "geheim" not in html and "a,b" in html
    assert "Ihre Eingaben wurden wiederhergestellt" in html
    assert "Kind kam ohne Jacke." not in _text(ui.get("/entwurf"))  # once only
    assert draft_form == []  # the expired POST never reached the view


def test_a_draft_is_not_given_to_another_user_or_kept_without_a_valid_token(ui, world, draft_form):
    ui.login("kita_fk")
    ui.clock.advance(timedelta(minutes=20))
    forged = ui.post("/entwurf", data={"csrf_token": "forged", "beobachtungen": "untergeschoben"})
    assert forged.status_code == 302
    with world.engine.reading() as uow:
        assert uow.session.execute(select(m.FormDraft)).first() is None
    ui.login("kita_fk")
    token = ui.csrf("/entwurf")
    ui.clock.advance(timedelta(minutes=20))
    ui.post("/entwurf", data={"csrf_token": token, "beobachtungen": "Nur für kita_fk"})
    token = ui.csrf("/anmelden")
    ui.post("/anmelden", data={"csrf_token": token, "username": "kita_fk2", "password": PASSWORD, "next": "/entwurf"})
    assert "Nur für kita_fk" not in _text(ui.get("/entwurf"))


@pytest.fixture
def draft_form(ui_app):
    """A protected form page like the case pages will have: GET shows it (restoring a draft), POST records."""
    from flask import render_template_string, request

    from web.ui.access import login_required
    from web.ui.sessions import restore_draft

    received: list[dict] = []

    @login_required
    def entwurf():
        if request.method == "POST":
            received.append(request.form.to_dict())
            return "gespeichert"
        values = restore_draft() or {}
        return render_template_string(
            '{% extends "base.html" %}{% import "macros/forms.html" as forms %}{% block content %}'
            '<h1>Entwurf</h1><form method="post">{{ forms.csrf_field() }}'
            '{{ forms.textarea("beobachtungen", "Beobachtungen", values) }}<p>{{ wahl }}</p></form>{% endblock %}',
            values=values,
            wahl=",".join(values.getlist("wahl")) if values else "",
        )

    ui_app.add_url_rule("/entwurf", "entwurf", entwurf, methods=["GET", "POST"])
    return received


def test_deactivated_users_lose_their_session(ui, world):
    ui.login("kita_fk")
    with world.engine.writing() as uow:
        uow.session.execute(update(m.User).where(m.User.username == "kita_fk").values(active=False))
        uow.commit()
    assert ui.get("/aufgaben").status_code == 302


# ---- sign-out, CSRF, language ------------------------------------------------------------------------


def test_sign_out_needs_a_post_with_csrf_and_ends_the_session(ui, world):
    ui.login("kita_fk")
    assert ui.get("/abmelden").status_code == 405
    assert ui.post("/abmelden").status_code == 400  # no CSRF token
    assert ui.get("/aufgaben").status_code == 200
    response = ui.logout()
    assert response.status_code == 302 and response.headers["Location"].endswith("/anmelden")
    assert "Sie haben sich abgemeldet." in _text(ui.get("/anmelden"))
    assert ui.get("/aufgaben").status_code == 302
    assert _events(world.engine, "auth.logout")[-1].payload == {"username": "kita_fk", "reason": "logout"}


def test_every_form_needs_its_csrf_token_but_the_api_does_not(ui, world):
    missing = ui.post("/anmelden", data={"username": "kita_fk", "password": PASSWORD})
    assert missing.status_code == 400 and "Formular abgelaufen" in _text(missing)
    assert "text/html" in missing.content_type
    token = world.token("kita_fk")
    api = ui.post("/api/v1/cases", json={"process": "nope", "child": {}}, headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 422 and api.mimetype == "application/problem+json"


def test_language_choice_beats_accept_language_and_german_is_the_default(ui):
    assert '<html lang="de">' in _text(ui.get("/anmelden"))
    english = ui.get("/anmelden", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in _text(english) and "Username" in _text(english) and _h1(english) == "Sign in"
    assert '<html lang="de">' in _text(ui.get("/anmelden", headers={"Accept-Language": "fr"}))
    ui.post_form("/sprache", {"lang": "en", "next": "/barrierefreiheit"})
    assert '<html lang="en">' in _text(ui.get("/anmelden", headers={"Accept-Language": "de"}))
    ui.post_form("/sprache", {"lang": "de"})
    assert '<html lang="de">' in _text(ui.get("/anmelden", headers={"Accept-Language": "en"}))


def test_dates_are_shown_in_berlin_time(ui_app):
    from datetime import UTC, datetime

    with ui_app.test_request_context("/"):
        from web.ui.i18n import berlin, berlin_date

        assert berlin(datetime(2026, 11, 21, 13, 5, tzinfo=UTC)) == "21.11.2026, 14:05"
        assert berlin("2026-07-01T12:00:00+00:00") == "01.07.2026, 14:00"
        assert berlin(datetime(2026, 3, 29, 0, 30)) == "29.03.2026, 01:30"  # naive = UTC
        assert berlin_date("2026-05-17") == "17.05.2026" and berlin(None) == ""
