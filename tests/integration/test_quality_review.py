"""LKSG § 8 quality review in the engine: the sample is reproducible from its seed and audited; the
reviewer reads the sampled cases pseudonymised, free texts only after the owner's release; the
review is validated, stored and counted; everybody else is refused (deny by default)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.persistence.quality_models import QualitySampleCase
from engine.quality.sampling import draw
from tests.support.cases import BEOBACHTUNG
from tests.support.quality import CHILD, MARKERS, REVIEW, add_users, closed_cases, sample_request


@pytest.fixture
def qworld(world):
    add_users(world)
    world.cases = closed_cases(world, 3)
    return world


#: the storage of samples runs on both databases (the draw's test); the rest is database-neutral
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _drawn(world, sample_id: int) -> list[int]:
    with world.engine.reading() as uow:
        rows = uow.session.execute(
            select(QualitySampleCase.case_id)
            .where(QualitySampleCase.sample_id == sample_id)
            .order_by(QualitySampleCase.position)
        )
        return list(rows.scalars())


def _events(world, kind: str) -> list[dict]:
    with world.engine.reading() as uow:
        return [e.payload for e in world.engine.vault.read(uow.session.connection(), types=[kind])]


def test_the_same_seed_over_the_same_cases_draws_the_same_sample():
    ids = list(range(100, 160))
    assert draw(ids, 42, 7) == draw(list(reversed(ids)), 42, 7)
    assert draw(ids, 42, 7) != draw(ids, 43, 7)
    assert len(set(draw(ids, 42, 7))) == 7
    assert sorted(draw(ids, 1, 500)) == ids  # never more than there are


def test_a_sample_is_drawn_reproducibly_its_seed_audited_and_only_by_the_leitung(qworld):
    engine, leitung = qworld.engine, qworld["kevelaer_leitung"]
    first = engine.draw_quality_sample(leitung, sample_request(qworld, anteil=60, anzahl=None))
    seed = _events(qworld, "quality.sample_drawn")[0]["seed"]
    again = engine.draw_quality_sample(leitung, sample_request(qworld, anteil=60, anzahl=None, seed=seed))
    assert len(_drawn(qworld, first)) == 2  # 60 % of 3, rounded up
    assert _drawn(qworld, first) == _drawn(qworld, again)
    assert set(_drawn(qworld, first)) <= set(qworld.cases)
    event, repeat = _events(qworld, "quality.sample_drawn")
    assert event["grundgesamtheit"] == 3 and event["pruefer"] == "pruefer"
    assert event["grundgesamtheit_sha256"] == repeat["grundgesamtheit_sha256"]
    assert len(event["faelle"]) == 2 and event["faelle"] == repeat["faelle"]

    for user in ("goch_leitung", "kita_leitung", "pruefer"):
        with pytest.raises(NotAllowed):
            engine.draw_quality_sample(qworld[user], sample_request(qworld))
    with pytest.raises(ValidationFailed) as refused:
        engine.draw_quality_sample(
            qworld["kevelaer_leitung"], sample_request(qworld, pruefer="pruefer_dueren", anteil=10, von="x")
        )
    assert set(refused.value.errors) == {"pruefer", "anzahl", "von"}
    with pytest.raises(ValidationFailed) as empty:
        engine.draw_quality_sample(
            qworld["kevelaer_leitung"], sample_request(qworld, von="2026-01-01", bis="2026-02-01")
        )
    assert "von" in empty.value.errors


@sqlite_only
def test_the_reviewer_reads_the_case_pseudonymised_free_texts_only_after_the_release(qworld):
    engine = qworld.engine
    sample = engine.draw_quality_sample(qworld["kevelaer_leitung"], sample_request(qworld, anzahl=1))
    (case_id,) = _drawn(qworld, sample)
    before = engine.quality_case(qworld["pruefer"], sample, 1)
    shown = repr(before)
    assert not [marker for marker in MARKERS if marker in shown]
    assert BEOBACHTUNG["beobachtungen"] not in shown and "Unbegründet." not in shown
    assert "Kita Fk" not in shown and "Person A" in shown  # the staff by letter, not by name
    assert before.age == 6 and not before.texts_released
    assert before.file.reference.startswith("K-")
    values = {name for entry in before.file.entries for name in entry.values}
    assert "akute_gefahr" in values and "beobachtungen" not in values

    with pytest.raises(NotAllowed):
        engine.release_for_review(qworld["kita_fk"], case_id)
    engine.release_for_review(qworld["kita_leitung"], case_id)
    with pytest.raises(Conflict):
        engine.release_for_review(qworld["kita_leitung2"], case_id)
    after = engine.quality_case(qworld["pruefer"], sample, 1)
    assert BEOBACHTUNG["beobachtungen"] in repr(after) and after.texts_released
    assert not [marker for marker in MARKERS if marker in repr(after)]
    assert _events(qworld, "quality.released") == [{"freitexte": True}]
    assert [e["view"] for e in _events(qworld, "case.read") if e.get("stichprobe") == sample] == ["qualitaet"] * 2
    opened = engine.open_case(qworld["kita_fk"], process_key="traeger_8a", child=dict(CHILD))
    with pytest.raises(Conflict):  # only a closed case
        engine.release_for_review(qworld["kita_leitung"], opened.case_id)


@sqlite_only
def test_the_owner_withdraws_the_release_and_the_reviewer_no_longer_reads_the_free_texts(qworld):
    engine = qworld.engine
    sample = engine.draw_quality_sample(qworld["kevelaer_leitung"], sample_request(qworld, anzahl=1))
    (case_id,) = _drawn(qworld, sample)
    with pytest.raises(Conflict):  # nothing released yet
        engine.withdraw_review_release(qworld["kita_leitung"], case_id)
    engine.release_for_review(qworld["kita_leitung"], case_id)
    assert engine.quality_case(qworld["pruefer"], sample, 1).texts_released
    with pytest.raises(NotAllowed):  # only the Leitung of the organisation owning the case
        engine.withdraw_review_release(qworld["kita_fk"], case_id)
    for user in ("pruefer", "kevelaer_leitung"):  # they do not see the Kita's case
        with pytest.raises(NotFound):
            engine.withdraw_review_release(qworld[user], case_id)
    assert engine.review_release(qworld["kita_leitung2"], case_id) == (True, True)
    engine.withdraw_review_release(qworld["kita_leitung2"], case_id)
    after = engine.quality_case(qworld["pruefer"], sample, 1)
    assert not after.texts_released and BEOBACHTUNG["beobachtungen"] not in repr(after)
    assert engine.review_release(qworld["kita_leitung"], case_id) == (True, False)
    assert _events(qworld, "quality.release_withdrawn") == [{"freitexte": False}]
    with pytest.raises(Conflict):
        engine.withdraw_review_release(qworld["kita_leitung"], case_id)
    engine.release_for_review(qworld["kita_leitung"], case_id)  # released again: read again
    assert engine.quality_case(qworld["pruefer"], sample, 1).texts_released


@sqlite_only
def test_reviews_are_validated_stored_audited_and_counted(qworld):
    engine = qworld.engine
    sample = engine.draw_quality_sample(qworld["kevelaer_leitung"], sample_request(qworld, anzahl=2))
    with pytest.raises(ValidationFailed) as refused:
        engine.save_quality_review(qworld["pruefer"], sample, 1, {**REVIEW, "fristen": "vielleicht"})
    assert list(refused.value.errors) == ["fristen"]
    with pytest.raises(ValidationFailed) as odd:  # whatever JSON arrives: field errors, never a crash
        engine.save_quality_review(qworld["pruefer"], sample, 1, {**REVIEW, "ergebnis": ["x"], "fristen_kommentar": 3})
    assert set(odd.value.errors) == {"ergebnis", "fristen_kommentar"}
    engine.save_quality_review(qworld["pruefer"], sample, 1, REVIEW)
    engine.save_quality_review(qworld["pruefer"], sample, 2, {**REVIEW, "dokumentation": "nachvollziehbar"})
    engine.save_quality_review(qworld["pruefer"], sample, 2, {**REVIEW, "fristen": "nicht_eingehalten"})
    stored = engine.quality_case(qworld["pruefer"], sample, 1)
    assert stored.answers["dokumentation"] == "lueckenhaft"
    assert stored.comments == {"dokumentation": "Die Beobachtung ist knapp."}

    for reader in ("kevelaer_leitung", "pruefer"):
        results = engine.quality_results(qworld[reader], sample)
        counts = {c.key: dict(c.counts) for c in results.criteria}
        assert counts["fristen"] == {
            "Eingehalten": 1,
            "Teilweise eingehalten": 0,
            "Nicht eingehalten": 1,
            "Nicht beurteilbar": 0,
        }
        assert counts["dokumentation"]["Lückenhaft"] == 2
        assert results.sample.reviewed == 2
    saved = _events(qworld, "quality.reviewed")
    assert len(saved) == 3 and saved[0]["kommentare"] == {"dokumentation": "Die Beobachtung ist knapp."}

    # deny by default: nobody but the owner's Leitung and the named reviewer
    for user in ("goch_leitung", "kita_leitung", "kita_revision", "kita_admin", "pruefer_dueren", "insofa_kleve"):
        with pytest.raises(NotFound):
            engine.quality_results(qworld[user], sample)
        with pytest.raises(NotFound):
            engine.quality_case(qworld[user], sample, 1)
        with pytest.raises(NotFound):
            engine.save_quality_review(qworld[user], sample, 1, REVIEW)
        assert engine.quality_samples(qworld[user]) == []
    denied_reads = [e for e in _events(qworld, "access.denied") if e.get("view") == "qualitaet"]
    assert len(denied_reads) == 12  # each refused attempt at a sampled case (read or review) is recorded
    with pytest.raises(NotFound):  # the owner sees results, not the pseudonymised files
        engine.quality_case(qworld["kevelaer_leitung"], sample, 1)
    with pytest.raises(NotFound):
        engine.quality_case(qworld["pruefer"], sample, 3)
    assert [s.id for s in engine.quality_samples(qworld["pruefer"])] == [sample]
