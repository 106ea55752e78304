"""R35 break-glass access in the engine: the Bereitschaftsdienst reads one case of its own Jugendamt
with a stated reason for hours (fake clock), read only; audited with the reason sealed; refused for
a Träger's or another Jugendamt's case and for other roles; reviewed afterwards by the Jugendamt's
Leitung or Revision / Datenschutz, never by the one who used it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.accounts.registry import actor_for_user
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.persistence import models as m
from tests.support.break_glass import COMMENT, REASON, arrange

#: the expiry is compared in SQL: that test runs on both databases, the rest is database-neutral
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def bworld(world, child):
    return arrange(world, child)


def _ask(world, case, user="goch_bereitschaft", **extra):
    data = {"aktenzeichen": case.reference, "grund": REASON, **extra}
    return world.engine.request_break_glass(world[user], data, max_hours=8)


def _events(world, reference, kind):
    with world.engine.reading() as uow:
        events = world.engine.vault.read(uow.session.connection(), case_ref=reference)
        return [e for e in events if e.type == kind]


def test_the_bereitschaft_reads_its_jugendamts_case_until_the_access_ends(bworld):
    engine, bereitschaft, case = bworld.engine, bworld["goch_bereitschaft"], bworld.goch_case
    with pytest.raises(NotFound):  # no standing access: the case is not there for the Bereitschaft
        engine.case_page(bereitschaft, case.case_id)
    grant = _ask(bworld, case, stunden="3")
    assert grant.expires_at == engine.clock.now() + timedelta(hours=3)

    view, file = engine.case_page(bereitschaft, case.case_id)
    assert view["notfallzugriff_bis"] == grant.expires_at.isoformat()
    assert view["child"]["nachname"] == "Beispielkind"  # whom the call is about
    assert file.reference == engine.case_map(bereitschaft, case.case_id)["reference"] == case.reference
    assert engine.case(bworld["goch_fk"], case.case_id)["notfallzugriff_bis"] is None

    # read only: no step, no Akte, no change under break-glass
    task = view["open_tasks"][0]
    assert not task["may_complete"]
    with pytest.raises(NotFound):
        engine.task(bereitschaft, task["id"])
    with pytest.raises(NotFound):
        engine.complete_task(bereitschaft, task["id"], {})
    with pytest.raises(NotFound):
        engine.export_akte(bereitschaft, case.case_id, purpose="intern", reason=REASON)

    engine.clock.advance(timedelta(hours=3))  # the access has ended: the clock alone closes it
    with pytest.raises(NotFound):
        engine.case_page(bereitschaft, case.case_id)
    with pytest.raises(NotFound):
        engine.case_map(bereitschaft, case.case_id)


@sqlite_only
def test_the_access_is_audited_with_its_reason_sealed(bworld):
    grant = _ask(bworld, bworld.goch_case)
    (event,) = _events(bworld, bworld.goch_case.reference, "case.break_glass")
    assert event.actor == "goch_bereitschaft"
    assert event.payload == {"grund": REASON, "stunden": 8, "bis": grant.expires_at.isoformat(), "zugriff": grant.id}
    with bworld.engine.reading() as uow:
        stored = uow.session.execute(select(m.BreakGlassAccess.reason)).scalar_one()
    assert REASON.encode() not in stored and b"Polizei" not in stored


@sqlite_only
def test_only_the_bereitschaft_and_only_for_its_own_jugendamts_cases(bworld):
    for other in ("kevelaer_case", "kita_case"):  # another Jugendamt's, a Träger's: as if missing
        with pytest.raises(NotFound):
            _ask(bworld, getattr(bworld, other))
        denied = _events(bworld, getattr(bworld, other).reference, "access.denied")
        assert denied[-1].payload["view"] == "notfallzugriff"
    with pytest.raises(NotFound):
        bworld.engine.request_break_glass(
            bworld["goch_bereitschaft"], {"aktenzeichen": "KS-2026-999999", "grund": REASON}
        )
    for user in ("goch_fk", "goch_leitung", "goch_revision", "kita_fk", "kita_admin"):
        with pytest.raises(NotAllowed):
            _ask(bworld, bworld.goch_case, user=user)
    assert not _events(bworld, bworld.goch_case.reference, "case.break_glass")


@sqlite_only
def test_a_reason_in_a_sentence_and_a_duration_within_the_maximum_are_required(bworld):
    wrong = [
        ({"grund": ""}, {"grund"}),
        ({"grund": "Notfall"}, {"grund"}),  # a word is no reason
        ({"grund": "Polizei ruft an"}, {"grund"}),  # nor three short words
        ({"grund": REASON * 20}, {"grund"}),
        ({"stunden": "9"}, {"stunden"}),  # more than the installation's maximum (8 here)
        ({"stunden": "0"}, {"stunden"}),
        ({"stunden": "drei"}, {"stunden"}),
        ({"aktenzeichen": " ", "stunden": True}, {"aktenzeichen", "stunden"}),
    ]
    for data, fields in wrong:
        with pytest.raises(ValidationFailed) as refused:
            _ask(bworld, bworld.goch_case, **data)
        assert set(refused.value.errors) == fields, data
    assert not _events(bworld, bworld.goch_case.reference, "case.break_glass")


@sqlite_only
def test_the_leitung_or_the_datenschutz_reviews_the_access_after_it_ended(bworld):
    engine = bworld.engine
    grant = _ask(bworld, bworld.goch_case, stunden=2)
    (own,) = engine.break_glass_accesses(bworld["goch_bereitschaft"])
    assert (own.reference, own.reason, own.running, own.may_review) == (bworld.goch_case.reference, REASON, True, False)
    (entry,) = engine.break_glass_accesses(bworld["goch_leitung"])
    assert entry.running and not entry.may_review
    with pytest.raises(Conflict):  # still running: what was read is known only afterwards
        engine.review_break_glass(bworld["goch_leitung"], grant.id, {"kommentar": COMMENT})

    engine.clock.advance(timedelta(hours=2, minutes=1))
    assert engine.break_glass_accesses(bworld["kevelaer_leitung"]) == []  # another Jugendamt's Leitung
    with pytest.raises(NotFound):
        engine.review_break_glass(bworld["kevelaer_leitung"], grant.id, {"kommentar": COMMENT})
    with pytest.raises(NotAllowed):
        engine.break_glass_accesses(bworld["goch_fk"])
    with pytest.raises(ValidationFailed) as refused:
        engine.review_break_glass(bworld["goch_revision"], grant.id, {"kommentar": "ok"})
    assert set(refused.value.errors) == {"kommentar"}

    engine.review_break_glass(bworld["goch_revision"], grant.id, {"kommentar": COMMENT})
    (done,) = engine.break_glass_accesses(bworld["goch_leitung"])
    assert (done.comment, done.reviewer_name, done.may_review) == (COMMENT, "Goch Revision", False)
    assert done.reviewed_at == engine.clock.now()
    with pytest.raises(Conflict):
        engine.review_break_glass(bworld["goch_leitung"], grant.id, {"kommentar": COMMENT})
    (event,) = _events(bworld, bworld.goch_case.reference, "case.break_glass_reviewed")
    assert event.actor == "goch_revision" and event.payload == {"zugriff": grant.id, "kommentar": COMMENT}


@sqlite_only
def test_nobody_reviews_their_own_access(bworld):
    """The Revision / Datenschutz also on Bereitschaft (a second role of one person) may use break-glass,
    but another person reviews it."""
    with bworld.engine.writing() as uow:
        user = uow.session.execute(select(m.User).where(m.User.username == "goch_revision")).scalar_one()
        office = uow.session.execute(select(m.Organisation).where(m.Organisation.key == "ja-goch")).scalar_one()
        uow.session.add(m.Membership(user_id=user.id, organisation_id=office.id, role="ja_bereitschaft", pending=False))
        uow.commit()
        both = actor_for_user(uow.session, user)
    grant = bworld.engine.request_break_glass(both, {"aktenzeichen": bworld.goch_case.reference, "grund": REASON})
    bworld.engine.clock.advance(timedelta(hours=13))
    (entry,) = bworld.engine.break_glass_accesses(both)
    assert not entry.may_review
    with pytest.raises(NotAllowed):
        bworld.engine.review_break_glass(both, grant.id, {"kommentar": COMMENT})
    bworld.engine.review_break_glass(bworld["goch_leitung"], grant.id, {"kommentar": COMMENT})
