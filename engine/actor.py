"""Who is acting: a user and the roles they hold in which organisations (plain values)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Membership:
    organisation_id: int
    organisation_key: str
    organisation_kind: str
    network_key: str
    role: str


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    memberships: tuple[Membership, ...]

    def roles_in(self, organisation_id: int) -> set[str]:
        return {m.role for m in self.memberships if m.organisation_id == organisation_id}

    def has_role(self, role: str) -> bool:
        return any(m.role == role for m in self.memberships)

    def networks_with_role(self, role: str) -> set[str]:
        return {m.network_key for m in self.memberships if m.role == role}

    def organisations_with_role(self, role: str) -> set[int]:
        return {m.organisation_id for m in self.memberships if m.role == role}
