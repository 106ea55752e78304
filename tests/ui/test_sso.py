"""Single sign-on against a real OpenID provider (oidc-provider run by Node, tests/oidc_provider/).

The provider is started once per test session; each test drives a browser at the provider
(`requests.Session`, its cookies are the provider's session) and Flask's test client at our end. The
provider's sign-in page asks for the subject and the acr/amr it shall assert (tests/oidc_provider/
provider.mjs); the subject `fremdes-publikum` gets an ID token for another client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from sqlalchemy import update

from engine.persistence import models as m
from tests.support.oidc_provider import OidcProvider, node_unavailable_reason
from tests.support.pg_cluster import in_ci
from tests.ui.conftest import UiClient, _password_hash
from web import create_app
from web.config import load_settings

CLIENT_ID = "schutzpfad"
CLIENT_SECRET = "test-client-geheimnis"
MFA = "urn:schutzpfad:test:mfa"
OUR_END = "http://localhost"
CALLBACK = f"{OUR_END}/anmelden/sso/rueckkehr"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: what these tests add to the database (the link table, audit events) is covered on
    PostgreSQL by the schema and audit tests; the flow itself does not depend on the database."""
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    reason = node_unavailable_reason()
    if reason:
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [CALLBACK],
        "post_logout_redirect_uris": [f"{OUR_END}/anmelden"],
    }
    provider = OidcProvider([client]).start()
    yield provider
    provider.stop()


@pytest.fixture
def sso_ui(world, tmp_path: Path, oidc_provider: OidcProvider):
    """A UI client on an app with single sign-on; `sso_ui(**env)` for other settings than the default
    (the provider's second factor required: acr `MFA`)."""
    with world.engine.writing() as uow:
        uow.session.execute(update(m.User).values(password_hash=_password_hash()))
        uow.commit()

    def make(**env: str) -> UiClient:
        environ = {
            "SCHUTZPFAD_INSTANCE": str(tmp_path / "sso-instance"),
            "SCHUTZPFAD_SECRET_KEY": "test",
            "SCHUTZPFAD_OIDC_ISSUER": oidc_provider.issuer,
            "SCHUTZPFAD_OIDC_CLIENT_ID": CLIENT_ID,
            "SCHUTZPFAD_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "SCHUTZPFAD_OIDC_REQUIRED_ACR": MFA,
            **env,
        }
        app = create_app(load_settings(environ), case_engine=world.engine)
        app.testing = True
        return UiClient(app, world)

    return make


def _link(world, provider: OidcProvider, username: str, subject: str) -> None:
    world.engine.link_sso(username, provider.issuer, subject, operator="tests")


def _events(engine, *types):
    with engine.work() as (uow, _work):
        return list(engine.vault.read(uow.session.connection(), types=list(types) or None))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _to_provider(ui: UiClient, path: str = "/anmelden/sso") -> str:
    response = ui.get(path)
    assert response.status_code == 302, _text(response)
    return response.headers["Location"]


def _at_provider(browser: requests.Session, url: str, *, sub: str, acr: str = "", amr: str = "") -> str:
    """Follow the provider's redirects (signing in on its page when it asks) back to our callback."""
    for _hop in range(10):
        if url.startswith(OUR_END):
            return url
        response = browser.get(url, allow_redirects=False)
        if response.status_code == 200 and "/interaction/" in url:
            response = browser.post(url, data={"sub": sub, "acr": acr, "amr": amr}, allow_redirects=False)
        assert response.status_code in {302, 303}, response.text
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("too many redirects at the provider")


def _sign_in(ui: UiClient, browser: requests.Session, *, sub: str, acr: str = MFA, amr: str = ""):
    callback = _at_provider(browser, _to_provider(ui), sub=sub, acr=acr, amr=amr)
    return ui.get(callback)


def _reasons(engine) -> list[tuple[str, str | None]]:
    return [(e.payload["reason"], e.payload.get("subject")) for e in _events(engine, "auth.login_failed")]


def test_sign_in_by_the_provider_with_pkce_and_its_second_factor(sso_ui, world, oidc_provider):
    ui = sso_ui()
    _link(world, oidc_provider, "kita_fk", "sub-kita-fk")
    authorization = urlsplit(_to_provider(ui, "/anmelden/sso?next=/faelle"))
    params = parse_qs(authorization.query)
    assert f"{authorization.scheme}://{authorization.netloc}" == oidc_provider.issuer
    assert params["code_challenge_method"] == ["S256"] and params["code_challenge"]
    assert params["state"] and params["nonce"] and params["acr_values"] == [MFA]
    callback = _at_provider(requests.Session(), authorization.geturl(), sub="sub-kita-fk", acr=MFA)
    response = ui.get(callback)
    assert response.status_code == 302 and response.headers["Location"] == "/faelle"
    assert ui.get("/aufgaben").status_code == 200
    [login] = _events(world.engine, "auth.login")
    assert login.actor == "kita_fk"
    assert login.payload == {"username": "kita_fk", "mfa": True, "method": "oidc"}


def test_the_sign_in_page_offers_the_provider(sso_ui):
    page = _text(sso_ui().get("/anmelden"))
    assert "Mit dem Anmeldedienst anmelden" in page and 'name="password"' in page


def test_an_unlinked_subject_is_refused_with_its_kennung(sso_ui, world):
    ui = sso_ui()
    response = _sign_in(ui, requests.Session(), sub="niemand-verknuepft")
    assert response.status_code == 403
    assert "noch nicht mit Schutzpfad verknüpft" in _text(response) and "niemand-verknuepft" in _text(response)
    assert ui.get("/aufgaben").status_code == 302
    assert _reasons(world.engine) == [("sso_unlinked", "niemand-verknuepft")]


def test_a_token_for_another_audience_is_refused(sso_ui, world, oidc_provider):
    ui = sso_ui()
    _link(world, oidc_provider, "kita_fk", "fremdes-publikum")
    response = _sign_in(ui, requests.Session(), sub="fremdes-publikum")
    assert response.status_code == 401 and "nicht für Schutzpfad bestimmt" in _text(response)
    assert ui.get("/aufgaben").status_code == 302
    assert _reasons(world.engine) == [("sso_audience", "fremdes-publikum")]
    assert _events(world.engine, "auth.login") == []


def test_a_state_older_than_ten_minutes_is_refused(sso_ui, world, oidc_provider):
    ui = sso_ui()
    _link(world, oidc_provider, "kita_fk", "sub-kita-fk")
    url = _to_provider(ui)
    ui.clock.advance(timedelta(minutes=10, seconds=1))
    response = ui.get(_at_provider(requests.Session(), url, sub="sub-kita-fk", acr=MFA))
    assert response.status_code == 400 and "zu lange gedauert" in _text(response)
    assert _reasons(world.engine) == [("sso_state_expired", None)]
    assert _events(world.engine, "auth.login") == []


def test_a_replayed_state_is_refused(sso_ui, world, oidc_provider):
    ui = sso_ui()
    _link(world, oidc_provider, "kita_fk", "sub-kita-fk")
    callback = _at_provider(requests.Session(), _to_provider(ui), sub="sub-kita-fk", acr=MFA)
    assert ui.get(callback).status_code == 302
    ui.logout()
    again = ui.get(callback)  # the same browser, its state used up
    ui.clear_cookies()
    elsewhere = ui.get(callback)  # somebody who copied the address
    for response in (again, elsewhere):
        assert response.status_code == 400 and "bereits verwendet" in _text(response)
    assert ui.get("/aufgaben").status_code == 302
    assert _reasons(world.engine) == [("sso_state_unknown", None)] * 2
    assert len(_events(world.engine, "auth.login")) == 1


def test_a_sign_in_without_the_required_acr_is_refused(sso_ui, world, oidc_provider):
    ui = sso_ui()
    _link(world, oidc_provider, "kita_fk", "sub-kita-fk")
    response = _sign_in(ui, requests.Session(), sub="sub-kita-fk", acr="")
    assert response.status_code == 401 and "keinen zweiten Faktor" in _text(response)
    assert _reasons(world.engine) == [("sso_acr_missing", "sub-kita-fk")]
    # an amr entry of the configuration counts instead of the acr
    ui = sso_ui(SCHUTZPFAD_OIDC_REQUIRED_ACR="", SCHUTZPFAD_OIDC_REQUIRED_AMR="otp hwk")
    assert _sign_in(ui, requests.Session(), sub="sub-kita-fk", acr="", amr="pwd otp").status_code == 302


def test_without_a_required_acr_our_second_factor_follows(sso_ui, world, oidc_provider):
    with world.engine.writing() as uow:
        uow.session.execute(update(m.User).where(m.User.username == "kita_fk").values(mfa_required=True))
        uow.commit()
    ui = sso_ui(SCHUTZPFAD_OIDC_REQUIRED_ACR="")
    _link(world, oidc_provider, "kita_fk", "sub-kita-fk")
    response = _sign_in(ui, requests.Session(), sub="sub-kita-fk", acr="")
    assert response.status_code == 302 and response.headers["Location"] == "/anmelden/einrichten"
    assert ui.get("/aufgaben").status_code == 302
    assert _events(world.engine, "auth.login") == []
    # enrolled with our TOTP, the session still knows it came from the provider (its sign-out goes there)
    page = _text(ui.get("/anmelden/einrichten"))
    secret = re.search(r'id="sp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    done = ui.post_form("/anmelden/einrichten", {"code": ui.totp(secret)}, token_from="/anmelden/einrichten")
    assert done.status_code == 302 and done.headers["Location"] == "/aufgaben"
    assert [e.payload["mfa"] for e in _events(world.engine, "auth.login")] == [True]
    assert ui.logout().headers["Location"].startswith(f"{oidc_provider.issuer}/session/end")


def test_sign_out_ends_our_session_and_the_providers(sso_ui, world, oidc_provider):
    ui = sso_ui()
    _link(world, oidc_provider, "kita_fk", "sub-kita-fk")
    browser = requests.Session()
    assert _sign_in(ui, browser, sub="sub-kita-fk").status_code == 302
    response = ui.logout()
    assert response.status_code == 302
    end_session = response.headers["Location"]
    assert end_session.startswith(f"{oidc_provider.issuer}/session/end")
    assert parse_qs(urlsplit(end_session).query) == {
        "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": [f"{OUR_END}/anmelden"],
    }
    assert ui.get("/aufgaben").status_code == 302
    [logout] = _events(world.engine, "auth.logout")
    assert logout.actor == "kita_fk" and logout.payload["reason"] == "logout"
    # at the provider: confirm, and back to our sign-in page
    form = browser.get(end_session).text
    action = re.search(r'<form[^>]*action="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    back = browser.post(urljoin(end_session, action), data={**fields, "logout": "yes"}, allow_redirects=False)
    assert back.headers["Location"] == f"{OUR_END}/anmelden"
    # the provider's session is over: signing in again asks at its sign-in page
    first_hop = browser.get(_to_provider(ui), allow_redirects=False)
    assert "/interaction/" in first_hop.headers["Location"]


def test_local_passwords_can_be_switched_off(sso_ui, world):
    ui = sso_ui(SCHUTZPFAD_LOCAL_PASSWORDS="off")
    page = _text(ui.get("/anmelden"))
    assert "Mit dem Anmeldedienst anmelden" in page and 'name="password"' not in page
    token = ui.csrf("/barrierefreiheit")
    response = ui.post("/anmelden", data={"csrf_token": token, "username": "kita_fk", "password": "Test-Passwort-2026"})
    assert response.status_code == 403 and "Passwort ist abgeschaltet" in _text(response)
    assert _events(world.engine, "auth.login") == []


def test_an_administrator_links_and_unlinks_in_the_verwaltung(sso_ui, world, oidc_provider):
    ui = sso_ui()
    ui.login("kita_admin")
    page = _text(ui.get("/verwaltung/benutzer"))
    assert page.count('id="sp-link-sso"') == 1, "the link form stands once, in the page's content"
    assert "<title>Benutzer" in page and "Anmeldedienst" not in page.split("</title>")[0]
    linked = ui.post_form(
        "/verwaltung/benutzer/sso",
        {"sso_username": "kita_fk", "sso_subject": "sub-kita-fk"},
        token_from="/verwaltung/benutzer",
    )
    assert linked.status_code == 302
    assert "<code>sub-kita-fk</code>" in _text(ui.get("/verwaltung/benutzer"))
    taken = ui.post_form(
        "/verwaltung/benutzer/sso",
        {"sso_username": "kita_fk2", "sso_subject": "sub-kita-fk"},
        token_from="/verwaltung/benutzer",
    )
    assert taken.status_code == 422 and "bereits mit „kita_fk“ verknüpft" in _text(taken)
    [event] = _events(world.engine, "auth.sso_linked")
    assert event.actor == "kita_admin"
    assert event.payload == {"username": "kita_fk", "issuer": oidc_provider.issuer, "subject": "sub-kita-fk"}
    unlinked = ui.post_form(
        "/verwaltung/benutzer/sso/loesen", {"sso_username": "kita_fk"}, token_from="/verwaltung/benutzer"
    )
    assert unlinked.status_code == 302
    assert [e.payload["username"] for e in _events(world.engine, "auth.sso_unlinked")] == ["kita_fk"]
    # unlinked, the subject signs in no more
    assert _sign_in(sso_ui(), requests.Session(), sub="sub-kita-fk").status_code == 403


def test_the_verwaltung_shows_no_single_sign_on_without_it(ui, world):
    ui.login("kita_admin")
    assert "Mit dem Anmeldedienst verknüpfen" not in _text(ui.get("/verwaltung/benutzer"))
    assert (
        ui.post_form(
            "/verwaltung/benutzer/sso",
            {"sso_username": "kita_fk", "sso_subject": "x"},
            token_from="/verwaltung/benutzer",
        ).status_code
        == 404
    )
    assert ui.get("/anmelden/sso").status_code == 404
