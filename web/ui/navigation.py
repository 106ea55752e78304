"""The main navigation: each UI area adds its entries when it registers, so base.html stays untouched.

    from flask_babel import lazy_gettext as _l
    add_nav_item(app, "cases.index", _l("Fälle"), roles={"fachkraft", "leitung"}, order=20)

`label`: German source text marked with `lazy_gettext`, so it is extracted and shown in the user's
language; `roles` None shows the entry to every signed-in user, otherwise to users holding one of
the roles anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request

from engine.api import SignedInUser


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # str or a lazy_gettext string
    roles: frozenset[str] | None
    order: int


def add_nav_item(
    app: Flask, endpoint: str, label: Any, *, roles: set[str] | frozenset[str] | None = None, order: int = 50
) -> None:
    items: list[NavItem] = app.extensions.setdefault("schutzpfad.nav", [])
    items.append(NavItem(endpoint, label, frozenset(roles) if roles is not None else None, order))
    items.sort(key=lambda item: item.order)


def nav_items(user: SignedInUser | None) -> list[NavItem]:
    if user is None:
        return []
    items: list[NavItem] = current_app.extensions.get("schutzpfad.nav", [])
    return [i for i in items if i.roles is None or any(user.actor.has_role(r) for r in i.roles)]


def is_current(item: NavItem) -> bool:
    """The entry of the page shown, or of its area (same blueprint and path below the entry's)."""
    if request.endpoint == item.endpoint:
        return True
    blueprint = item.endpoint.rpartition(".")[0]
    return bool(blueprint) and request.blueprint == blueprint and item.endpoint.endswith(".index")
