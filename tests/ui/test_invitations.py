"""Accounts without admin-known passwords (issue 13, finding 3): an administrator invites, the person
chooses password and second factor, and a role opening case content waits for the Leitung of its
organisation (or, without one, a second administrator)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from engine.persistence import models as m
from tests.support.cases import sofortmeldung
from tests.ui.conftest import UiClient

NEW_PASSWORD = "Mein-eigenes-Passwort-42"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _events(engine, *types):
    with engine.work() as (uow, _work):
        return list(engine.vault.read(uow.session.connection(), types=list(types) or None))


def _invite(ui, username: str, organisation: str, role: str, **extra) -> str:
    """As the signed-in admin: create the user; returns the invitation's path."""
    made = ui.post_form(
        "/verwaltung/benutzer",
        {"username": username, "organisation": organisation, "role": role, **extra},
        token_from="/verwaltung/benutzer",
    )
    assert made.status_code == 200, _text(made)
    link = re.search(r'id="sp-invitation-link">([^<]+)<', _text(made)).group(1)
    return "/" + link.split("/", 3)[3]


def _accept(client: UiClient, path: str, password: str = NEW_PASSWORD):
    return client.post_form(path, {"password": password, "password_repeat": password}, token_from=path)


def _enrol(client: UiClient) -> None:
    page = _text(client.get("/anmelden/einrichten"))
    secret = re.search(r'id="sp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    done = client.post_form("/anmelden/einrichten", {"code": client.totp(secret)}, token_from="/anmelden/einrichten")
    assert done.status_code == 302


def test_finding_3_an_admin_cannot_read_cases_through_a_user_they_created(ui_app, ui, world, child):
    ja_case = sofortmeldung(world, child)
    ui.login("kita_admin")
    # the red team's request: evil.ja at ja-goch as ja_fachkraft, with a password of the admin's choosing
    path = _invite(ui, "evil.ja", "ja-goch", "ja_fachkraft", password="Admin-kennt-es-2026")
    with world.engine.reading() as uow:
        user = uow.session.execute(select(m.User).where(m.User.username == "evil.ja")).scalar_one()
        assert user.password_hash is None  # the admin's password was not taken
    assert "wartet auf Bestätigung" in _text(ui.get("/verwaltung/benutzer"))

    evil = UiClient(ui_app, world)  # the admin follows the link themselves and sets up the account
    assert _accept(evil, path).headers["Location"].endswith("/anmelden/einrichten")
    _enrol(evil)
    assert evil.get("/aufgaben").status_code == 200
    assert evil.get(f"/faelle/{ja_case}").status_code == 404
    assert "Beispielkind" not in _text(evil.get("/eingang")) + _text(evil.get("/faelle"))

    leitung = UiClient(ui_app, world)
    leitung.login("goch_leitung")
    konto = _text(leitung.get("/konto"))
    assert "evil.ja" in konto and "beantragt von Kita Admin" in konto  # the requester by name
    [confirm] = re.findall(r'action="(/konto/rollen/\d+/bestaetigen)"', konto)
    assert leitung.post_form(confirm, token_from="/konto").status_code == 302
    assert evil.get("/aufgaben").status_code == 302  # a role change ends the user's sessions
    [requested] = _events(world.engine, "role.requested")
    [confirmed] = _events(world.engine, "role.confirmed")
    assert requested.actor == "kita_admin" and requested.payload["role"] == "ja_fachkraft"
    assert confirmed.actor == "goch_leitung" and confirmed.payload["requested_by"] == "kita_admin"


def test_the_requesting_admin_cannot_confirm_and_the_person_neither(ui_app, ui, world):
    ui.login("kita_admin")
    path = _invite(ui, "neu.lehrer", "schule-goch", "berufsgeheimnistraeger")
    page = _text(ui.get("/verwaltung/benutzer"))
    assert "beantragt von kita_admin" in page and "/bestaetigen" not in page  # the school has no Leitung
    with world.engine.reading() as uow:
        grant = uow.session.execute(select(m.Membership.id).where(m.Membership.pending)).scalar_one()
    assert ui.post_form(f"/konto/rollen/{grant}/bestaetigen", token_from="/konto").status_code == 404
    person = UiClient(ui_app, world)
    _accept(person, path)
    _enrol(person)
    assert "wartet auf Bestätigung" in _text(person.get("/konto"))
    assert person.post_form(f"/konto/rollen/{grant}/bestaetigen", token_from="/konto").status_code == 404
    other_leitung = UiClient(ui_app, world)
    other_leitung.login("kita_leitung")
    assert other_leitung.post_form(f"/konto/rollen/{grant}/bestaetigen", token_from="/konto").status_code == 404


def test_without_a_leitung_a_second_admin_confirms(ui_app, ui, world):
    world.engine.create_user(
        operator="cli", username="zweit.admin", organisation_key="kita-dueren", role="admin", password=None
    )
    ui.login("kita_admin")
    _invite(ui, "neu.lehrer", "schule-goch", "berufsgeheimnistraeger")
    second = UiClient(ui_app, world)
    with world.engine.writing() as uow:
        admin = uow.session.execute(select(m.User).where(m.User.username == "zweit.admin")).scalar_one()
        admin.password_hash = uow.session.execute(
            select(m.User.password_hash).where(m.User.username == "kita_admin")
        ).scalar_one()
        admin.mfa_required = False
        uow.commit()
    second.login("zweit.admin")
    page = _text(second.get("/verwaltung/benutzer"))
    [confirm] = re.findall(r'action="(/konto/rollen/\d+/bestaetigen)"', page)
    assert second.post_form(confirm, {"next": "/verwaltung/benutzer"}, token_from="/konto").status_code == 302
    assert "wartet auf Bestätigung" not in _text(second.get("/verwaltung/benutzer"))
    [confirmed] = _events(world.engine, "role.confirmed")
    assert confirmed.actor == "zweit.admin" and confirmed.payload["organisation"] == "schule-goch"


def test_an_invitation_works_once_for_72_hours_and_a_new_one_replaces_it(ui_app, ui, world):
    ui.login("kita_admin")
    first = _invite(ui, "neue.fk", "kita-kevelaer", "fachkraft")
    again = ui.post_form("/verwaltung/benutzer/neue.fk/einladung", token_from="/verwaltung/benutzer")
    second = "/" + re.search(r'id="sp-invitation-link">([^<]+)<', _text(again)).group(1).split("/", 3)[3]
    person = UiClient(ui_app, world)
    assert person.get(first).status_code == 404  # replaced
    mismatch = person.post_form(second, {"password": NEW_PASSWORD, "password_repeat": "anders"}, token_from=second)
    assert mismatch.status_code == 422 and 'id="f-password_repeat-fehler"' in _text(mismatch)
    short = person.post_form(second, {"password": "kurz", "password_repeat": "kurz"}, token_from=second)
    assert short.status_code == 422 and "Mindestens 12 Zeichen." in _text(short)

    ui.clock.advance(timedelta(hours=72, seconds=1))
    assert person.get(second).status_code == 404
    ui.login("kita_admin")  # the admin's own session ended long ago
    third = ui.post_form("/verwaltung/benutzer/neue.fk/einladung", token_from="/verwaltung/benutzer")
    path = "/" + re.search(r'id="sp-invitation-link">([^<]+)<', _text(third)).group(1).split("/", 3)[3]
    assert _accept(person, path).status_code == 302
    assert person.get(path).status_code == 404  # used
    [accepted] = _events(world.engine, "user.invitation_accepted")
    assert accepted.payload == {"username": "neue.fk"}
    assert NEW_PASSWORD not in str([e.payload for e in _events(world.engine)])
