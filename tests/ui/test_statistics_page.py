"""`/statistik` for the Jugendamt's Leitung (issue 15 item 1, R23): the summary by the codes' names, the
cases to fix with links and what is wrong, the CSV; locking and unlocking only with a ticked
confirmation (unlocking with a reason); nobody else — not another Jugendamt's Leitung — sees the page."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import pytest

from engine.accounts import registry as accounts
from engine.clock import BERLIN
from engine.persistence import models as m
from tests.process.conftest import Steps
from tests.process.test_statistics_99 import statistics_case
from tests.support.statistics import correct_record
from tests.ui.conftest import PASSWORD

#: statistics_case drives the task sequence of jugendamt_8a version 1 (see test_statistics_99.py).
pytestmark = pytest.mark.shipped_up_to(1)

PAGE = "/statistik"
JANUARY_2027 = datetime(2027, 1, 15, 10, 0, tzinfo=BERLIN)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _reference(world, case_id: int) -> str:
    with world.engine.reading() as uow:
        return uow.session.get(m.Case, case_id).reference


def test_the_leitung_reviews_fixes_locks_and_unlocks_the_year(ui, world, child) -> None:
    steps = Steps(world)
    counted = statistics_case(steps, child)
    wrong = statistics_case(steps, child, geburtsmonat=13)
    ui.clock.set(JANUARY_2027)
    ui.login("goch_leitung")

    page = _text(ui.get(PAGE))
    assert 'href="/statistik"' in page  # the nav link
    assert "Statistik nach § 99 Abs. 6 SGB VIII" in page and "Latente Kindeswohlgefährdung" in page
    assert (
        f'href="/faelle/{wrong}">{_reference(world, wrong)}</a>: Geburtsmonat 13: muss zwischen 1 und 12 liegen.'
        in page
    )
    assert "/statistik/abschliessen" not in page  # no lock while a record needs fixing
    assert ui.get(f"{PAGE}/datensaetze.csv?jahr=2026").status_code == 302

    correct_record(world, wrong, geburtsmonat=5)
    page = _text(ui.get(PAGE))
    assert "Zu korrigieren" not in page and 'action="/statistik/abschliessen"' in page
    unconfirmed = ui.post_form(f"{PAGE}/abschliessen", {"jahr": "2026"}, token_from=PAGE)
    assert unconfirmed.status_code == 422 and "Bestätigen Sie, dass Sie die Zahlen geprüft haben." in _text(unconfirmed)
    locked = ui.post_form(f"{PAGE}/abschliessen", {"jahr": "2026", "bestaetigt": "true"}, token_from=PAGE)
    assert locked.status_code == 302
    page = _text(ui.get(PAGE))
    assert "Abgeschlossen am" in page and 'action="/statistik/aufheben"' in page
    sha = re.search(r"<code>([0-9a-f]{64})</code>", page).group(1)
    csv = ui.get(f"{PAGE}/datensaetze.csv?jahr=2026")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines()[1].startswith("ja-goch,3,2026,bekannte_nachbarn")
    assert hashlib.sha256(csv.get_data()).hexdigest() == sha
    assert _reference(world, counted) not in csv.get_data(as_text=True)

    no_reason = ui.post_form(f"{PAGE}/aufheben", {"jahr": "2026", "bestaetigt": "true"}, token_from=PAGE)
    assert no_reason.status_code == 422 and "Geben Sie an, was korrigiert werden muss." in _text(no_reason)
    unlocked = ui.post_form(
        f"{PAGE}/aufheben", {"jahr": "2026", "bestaetigt": "true", "grund": "Nachmeldung"}, token_from=PAGE
    )
    assert unlocked.status_code == 302 and "Nicht abgeschlossen" in _text(ui.get(PAGE))


def test_nobody_else_sees_the_page(ui, world) -> None:
    with world.engine.writing() as uow:
        accounts.create_user(
            uow.session,
            username="kevelaer_leitung",
            organisation_key="ja-kevelaer",
            role="ja_leitung",
            password=PASSWORD,
            now=world.engine.clock.now(),
            display_name="Leitung Kevelaer",
            mfa_required=False,
        )
        uow.commit()
    for user in ("goch_fk", "kita_leitung"):
        ui.login(user)
        assert ui.get(PAGE).status_code == 403
        assert 'href="/statistik"' not in _text(ui.get("/aufgaben"))
    ui.login("kevelaer_leitung")
    assert ui.get(PAGE).status_code == 200  # its own Jugendamt's year
    other = ui.get(f"{PAGE}?jugendamt=ja-goch&jahr=2026")
    assert other.status_code == 403 and "Goch" not in _text(other)
    assert ui.get(f"{PAGE}/datensaetze.csv?jugendamt=ja-goch&jahr=2026").status_code == 403
    refused = ui.post_form(
        f"{PAGE}/abschliessen", {"jugendamt": "ja-goch", "jahr": "2025", "bestaetigt": "true"}, token_from=PAGE
    )
    assert refused.status_code == 403
