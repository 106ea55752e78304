"""The quality review's results per period (LKSG § 8, issue 15 item 2): across the samples of a
Jugendamt (its Leitung only, exact) or of a network (the Leitungen and reviewers there; small counts
of samples a reader does not read exactly are suppressed, R34), for a quarter or a year, counted by
the closing date of the sampled cases."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.clock import BERLIN
from engine.errors import NotAllowed, NotFound, ValidationFailed
from engine.indicators.suppression import SHOWN, SMALL
from tests.support.quality import REVIEW, add_users, closed_cases, sample_request

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def reviewed(world):
    """Two cases closed in the first quarter of 2026, one in the second; a sample of Kevelaer's
    cases (all three reviewed) and one of the network's (two reviewed, one pending)."""
    add_users(world)
    world.cases = closed_cases(world, 2)
    world.engine.clock.set(datetime(2026, 5, 5, 10, 0, tzinfo=BERLIN))
    world.cases += closed_cases(world, 1)
    engine, leitung = world.engine, world["kevelaer_leitung"]
    period = {"von": "2026-03-01", "bis": "2026-05-05", "anzahl": 3}
    own = engine.draw_quality_sample(leitung, sample_request(world, **period))
    network = world.network = world.engine.quality_draw_options(leitung).netzwerke[0][0]
    across = sample_request(world, bereich="netzwerk", schluessel=network, **period)
    shared = engine.draw_quality_sample(leitung, across)
    for position in (1, 2, 3):
        engine.save_quality_review(world["pruefer"], own, position, {**REVIEW, "ergebnis": "nicht_angemessen"})
    for position in (1, 2):
        engine.save_quality_review(world["pruefer"], shared, position, REVIEW)
    return world


def _counts(results, criterion: str) -> dict[str, tuple[str, int | None]]:
    tally = next(c.tally for c in results.criteria if c.label == criterion)
    return {tally.labels[k]: (c.state, c.value) for k, c in tally.breakdown.cells.items()}


def test_a_jugendamt_read_exactly_by_its_leitung_a_network_with_small_counts_hidden(reviewed):
    engine, leitung = reviewed.engine, reviewed["kevelaer_leitung"]
    first = engine.quality_period_results(leitung, "jugendamt", "ja-kevelaer", "2026-Q1")
    assert not first.suppressed and first.samples == 1
    assert (first.reviewed.value, first.pending.value) == (2, 0)
    assert _counts(first, "Ergebnis")["Nicht angemessen"] == (SHOWN, 2)
    assert _counts(first, "Ergebnis")["Angemessen"] == (SHOWN, 0)
    year = engine.quality_period_results(leitung, "jugendamt", "ja-kevelaer", "2026")
    assert year.period.is_year and year.reviewed.value == 3
    assert _counts(year, "Ergebnis")["Nicht angemessen"] == (SHOWN, 3)
    assert engine.quality_period_results(leitung, "jugendamt", "ja-kevelaer", "2026-Q2").reviewed.value == 1
    earlier = engine.quality_period_results(leitung, "jugendamt", "ja-kevelaer", "2025-Q4")
    assert earlier.samples == 0 and earlier.reviewed.value == 0
    default = engine.quality_period_results(leitung)  # its Jugendamt first, the current quarter
    assert (default.area.key, default.period.name) == ("ja-kevelaer", "2026-Q2")
    assert [a.scope for a in default.areas] == ["jugendamt", "netzwerk"]
    assert "2026" in [p.name for p in default.periods] and "2026-Q1" in [p.name for p in default.periods]

    # the network's figures: its Leitungen and reviewers read them; the sample's owner and reviewer
    # exactly (they read it on its page), another Jugendamt's Leitung with small counts hidden
    network = reviewed.network
    for user in ("kevelaer_leitung", "pruefer"):
        found = engine.quality_period_results(reviewed[user], "netzwerk", network, "2026")
        assert not found.suppressed and found.samples == 1, user
        assert (found.reviewed.value, found.pending.value) == (2, 1)
    found = engine.quality_period_results(reviewed["goch_leitung"], "netzwerk", network, "2026")
    assert found.suppressed and found.samples == 1
    assert (found.reviewed.state, found.reviewed.value) == (SMALL, None)
    assert found.pending.state == SMALL
    assert _counts(found, "Fristen eingehalten")["Eingehalten"] == (SMALL, None)
    assert _counts(found, "Fristen eingehalten")["Nicht eingehalten"] == (SHOWN, 0)
    assert [a.scope for a in engine.quality_period_results(reviewed["pruefer"]).areas] == ["netzwerk"]


def test_deny_by_default_and_the_period_checked(world):
    add_users(world)
    reviewed, engine = world, world.engine
    network = engine.quality_draw_options(world["kevelaer_leitung"]).netzwerke[0][0]
    for user in ("kita_fk", "kita_leitung", "kevelaer_fk", "kita_revision", "kita_admin"):
        with pytest.raises(NotAllowed):
            engine.quality_period_results(reviewed[user])
    refused = [
        ("pruefer", "jugendamt", "ja-kevelaer"),  # a reviewer reads the network's figures only
        ("goch_leitung", "jugendamt", "ja-kevelaer"),  # another Jugendamt's Leitung
        ("pruefer_dueren", "netzwerk", network),  # a reviewer of another network
        ("kevelaer_leitung", "netzwerk", "gibt-es-nicht"),
    ]
    for user, scope, key in refused:
        with pytest.raises(NotFound):
            engine.quality_period_results(reviewed[user], scope, key, "2026")
    leitung = reviewed["kevelaer_leitung"]
    for wrong in ("2026-Q5", "Q1", "2027", "2026-Q3"):
        with pytest.raises(ValidationFailed) as refused_period:
            engine.quality_period_results(leitung, "jugendamt", "ja-kevelaer", wrong)
        assert list(refused_period.value.errors) == ["zeitraum"], wrong
