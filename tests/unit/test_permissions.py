"""Who may complete a task: plain rules over plain facts (no database)."""

from __future__ import annotations

import pytest

from engine.actor import Actor, Membership
from engine.labels import ROLE_LABELS
from engine.permissions import TaskFacts, lane_refusal, may_complete, mehraugen_refusal

KITA, OTHER_KITA = 1, 2


def actor(user_id: int, role: str, org: int = KITA, network: str = "kreis-kleve") -> Actor:
    return Actor(user_id, f"u{user_id}", f"User {user_id}", (Membership(org, f"org{org}", "traeger", network, role),))


def facts(
    lane_roles: set[str], *, offered_to: int | None = None, barred: set[int] = frozenset(), kind: str = "traeger"
) -> TaskFacts:
    return TaskFacts(frozenset(lane_roles), KITA, "kreis-kleve", offered_to, frozenset(barred), organisation_kind=kind)


def test_lane_role_in_the_case_organisation_is_required():
    assert lane_refusal(actor(1, "leitung"), facts({"leitung"})) is None
    assert lane_refusal(actor(1, "leitung", org=OTHER_KITA), facts({"leitung"})) is not None
    refusal = lane_refusal(actor(1, "fachkraft"), facts({"leitung"}))
    assert refusal == "Jetzt ist die Leitung am Zug – für Sie ist nichts zu tun."


@pytest.mark.parametrize("role", sorted(ROLE_LABELS))
def test_every_roles_turn_is_said_in_words(role):
    refusal = lane_refusal(actor(1, "admin", org=OTHER_KITA), facts({role}))
    assert refusal is not None and refusal.startswith("Jetzt ist ")
    assert refusal.endswith(" am Zug – für Sie ist nichts zu tun.")
    assert role not in refusal and "andere Person" not in refusal


def test_a_tagespflegeperson_is_named_as_such():
    refusal = lane_refusal(actor(1, "admin", org=OTHER_KITA), facts({"fachkraft"}, kind="kindertagespflege"))
    assert refusal == "Jetzt ist die Tagespflegeperson am Zug – für Sie ist nichts zu tun."


def test_pool_lane_is_served_by_the_network_not_the_organisation():
    insofa = Actor(7, "i", "I", (Membership(9, "beratung", "beratungsstelle", "kreis-kleve", "insofa"),))
    elsewhere = Actor(8, "j", "J", (Membership(10, "b2", "beratungsstelle", "kreis-dueren", "insofa"),))
    assert lane_refusal(insofa, facts({"insofa"})) is None
    assert lane_refusal(elsewhere, facts({"insofa"})) is not None
    assert lane_refusal(insofa, facts({"insofa"}, offered_to=99)) is not None  # Leitung named someone else
    assert lane_refusal(insofa, facts({"insofa"}, offered_to=7)) is None


def test_mehraugenprinzip_bars_the_user_of_the_paired_task_only():
    facts_ = facts({"leitung"}, barred={1})
    reason = mehraugen_refusal(actor(1, "leitung"), facts_, ["Gewichtige Anhaltspunkte dokumentieren"])
    assert reason is not None and "Mehraugenprinzip" in reason and "Gewichtige Anhaltspunkte" in reason
    assert mehraugen_refusal(actor(2, "leitung"), facts_, []) is None
    assert not may_complete(actor(1, "leitung"), facts_)
    assert may_complete(actor(2, "leitung"), facts_)
