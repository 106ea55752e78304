"""A Tagespflegeperson in Goch and the Fachberatung Kindertagespflege of Jugendämtern, added to the
tests' world (tests/conftest.py) for the `kindertagespflege_8a` procedure (§ 8a Abs. 5 SGB VIII)."""

from __future__ import annotations

from typing import Any

from engine.accounts import registry as accounts
from tests.support import people

#: key, name, kind, Jugendamt — a Tagespflegeperson is a one-person organisation of her Jugendamt's area
ORGANISATIONS = [("tagespflege-goch", "Kindertagespflege Sonnenkäfer Goch", "kindertagespflege", "ja-goch")]

#: username, organisation, role
USERS = [
    ("tp", "tagespflege-goch", "fachkraft"),
    ("tp_revision", "tagespflege-goch", "auditor"),
    ("goch_fb", "ja-goch", "ja_fachberatung_ktp"),
    ("goch_fb2", "ja-goch", "ja_fachberatung_ktp"),
    ("kevelaer_fb", "ja-kevelaer", "ja_fachberatung_ktp"),  # same network, another Jugendamt's Tagespflege
    ("dueren_fb", "ja-stadt-dueren", "ja_fachberatung_ktp"),  # another network: never offered Goch's cases
]


def add_kindertagespflege(world: Any) -> Any:
    """Create the organisations and users above in `world` (returned for chaining)."""
    now = world.engine.clock.now()
    with world.engine.writing() as uow:
        for key, name, kind, jugendamt in ORGANISATIONS:
            accounts.create_organisation(uow.session, key=key, name=name, kind=kind, now=now, jugendamt_key=jugendamt)
        uow.commit()
    return people.add_users(world, USERS)
