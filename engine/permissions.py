"""Who may see a case and who may complete a task: plain rules over plain facts (no database).

Deny by default: a case is visible only through one of the rules below; anything else is a 404
upstream, so that another organisation's case is indistinguishable from a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.actor import Actor
from engine.labels import TURN_LABELS, TURN_LABELS_BY_KIND

#: Roles that work cases of their own organisation.
CASEWORK_ROLES = frozenset({"fachkraft", "leitung", "berufsgeheimnistraeger", "ja_fachkraft", "ja_leitung"})

#: Roles served from the network's pool instead of the case's organisation (§ 8a Abs. 4 Nr. 2:
#: the insoweit erfahrene Fachkraft is external to the Träger; § 8a Abs. 5: a Tagespflegeperson works
#: alone, so the Jugendamt's Fachberatung Kindertagespflege is the second person of her assessment).
#: Both see the case's pseudonym only, never identifying data.
POOL_ROLES = frozenset({"insofa", "ja_fachberatung_ktp"})

#: Pool roles whose pool is narrower than the network: the members at the Jugendamt the case's
#: organisation belongs to (a Tagespflegeperson's Fachberatung is that of the Jugendamt whose
#: Tagespflegepersonen she advises and supervises, § 43 SGB VIII — not any Jugendamt of the network).
JUGENDAMT_POOL_ROLES = frozenset({"ja_fachberatung_ktp"})


#: Roles that may open one case of their own Jugendamt outside the rules above in an emergency, read
#: only and for hours (R35, DP-11 "break-glass"): the Bereitschaftsdienst, out of office hours often
#: staffed by colleagues without standing access to the ASD's cases, must see the Schutzplan and the
#: family's history when the police call at night. Never a Träger's or another Jugendamt's case:
#: those are other controllers (DP-10, DP-15), whose data reaches the Jugendamt by a Meldung only.
BREAK_GLASS_ROLES = frozenset({"ja_bereitschaft"})

#: Who reviews a Jugendamt's break-glass accesses afterwards: its Leitung and its Revision / Datenschutz.
BREAK_GLASS_REVIEW_ROLES = frozenset({"ja_leitung", "auditor"})


@dataclass(frozen=True)
class TaskFacts:
    """What the rules need to know about one open task of a case."""

    lane_roles: frozenset[str]
    organisation_id: int
    network_key: str
    offered_to_user_id: int | None
    barred_user_ids: frozenset[int]
    #: the Jugendamt the case's organisation belongs to (None: a Jugendamt's own case)
    jugendamt_id: int | None = None
    #: the kind of the case's organisation: it names who is at a step („die Tagespflegeperson“)
    organisation_kind: str | None = None


def works_case_of_organisation(actor: Actor, organisation_id: int) -> bool:
    return bool(actor.roles_in(organisation_id) & CASEWORK_ROLES)


def may_break_glass(actor: Actor, organisation_id: int) -> bool:
    """The case's organisation is the Jugendamt where the actor is on Bereitschaftsdienst (a
    Bereitschaft role exists only at a Jugendamt: registry.ROLES_BY_KIND)."""
    return bool(actor.roles_in(organisation_id) & BREAK_GLASS_ROLES)


def is_pool_lane(lane_roles: frozenset[str]) -> bool:
    return bool(lane_roles) and lane_roles <= POOL_ROLES


def in_pool(actor: Actor, task: TaskFacts) -> bool:
    """A member of the lane's pool — of the case's network, for a Jugendamt pool role at the Jugendamt
    of the case's organisation — and the one named if one was named."""
    if not any(_in_pool_of(actor, role, task) for role in task.lane_roles):
        return False
    return task.offered_to_user_id in (None, actor.user_id)


def _in_pool_of(actor: Actor, role: str, task: TaskFacts) -> bool:
    if task.network_key not in actor.networks_with_role(role):
        return False
    return role not in JUGENDAMT_POOL_ROLES or task.jugendamt_id in actor.organisations_with_role(role)


def lane_refusal(actor: Actor, task: TaskFacts) -> str | None:
    """None if the actor holds the lane's role where it counts, else the German reason — said as
    what it is, another's turn, naming who is at it (raised as `NotYourTurn`)."""
    if is_pool_lane(task.lane_roles):
        if in_pool(actor, task):
            return None
    elif actor.roles_in(task.organisation_id) & task.lane_roles:
        return None
    return f"Jetzt ist {turn_of(task)} am Zug – für Sie ist nichts zu tun."


def turn_of(task: TaskFacts) -> str:
    """Who is at the task, in words („die Leitung“, „die Tagespflegeperson“); a role missing from the
    table (caught by tests/unit/test_labels.py) reads as a person, never as its key."""
    return " oder ".join(
        TURN_LABELS_BY_KIND.get((task.organisation_kind or "", role)) or TURN_LABELS.get(role, "eine andere Person")
        for role in sorted(task.lane_roles)
    )


def mehraugen_refusal(actor: Actor, task: TaskFacts, paired_titles: list[str]) -> str | None:
    """Mehraugenprinzip (LKSG NRW § 5 Abs. 2): the paired step needs a different person."""
    if actor.user_id not in task.barred_user_ids:
        return None
    done = ", ".join(f"„{t}“" for t in paired_titles) or "den vorangehenden Schritt"
    return (
        f"Mehraugenprinzip: Sie haben {done} in diesem Fall selbst abgeschlossen. "
        "Jetzt ist eine andere Person am Zug – für Sie ist nichts zu tun."
    )


def may_complete(actor: Actor, task: TaskFacts) -> bool:
    return lane_refusal(actor, task) is None and actor.user_id not in task.barred_user_ids
