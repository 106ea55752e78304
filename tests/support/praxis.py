"""A paediatric practice in Goch — an organisation of kind `gesundheitswesen`, whose Berufsgeheimnisträger
belong to a Heilberuf (§ 4 Abs. 1 Nr. 1 KKG) — added to the tests' world (tests/conftest.py) for the
`kkg4` procedure of version 2, where a Heilberuf in dringender Gefahr reports at once (§ 4 Abs. 3 Satz 3)."""

from __future__ import annotations

from typing import Any

from engine.accounts import registry as accounts
from tests.support import people

PRAXIS = ("praxis-goch", "Kinderarztpraxis am Markt Goch", "gesundheitswesen", "ja-goch")
USERS = [("aerztin", "praxis-goch", "berufsgeheimnistraeger"), ("praxis_revision", "praxis-goch", "auditor")]


def add_praxis(world: Any) -> Any:
    """Create the practice and its people in `world` (returned for chaining)."""
    key, name, kind, jugendamt = PRAXIS
    with world.engine.writing() as uow:
        accounts.create_organisation(
            uow.session, key=key, name=name, kind=kind, now=world.engine.clock.now(), jugendamt_key=jugendamt
        )
        uow.commit()
    return people.add_users(world, USERS)
