"""The accounts part of `CaseEngine`: sign-in, sessions' users, drafts, organisations, users, tokens.

Every method runs through the transaction runner. A rejected sign-in attempt rolls back and is then
counted and audited by `sign_in.record_rejection` in a unit of its own — for the password, the code
and the enrolment alike.
"""

from __future__ import annotations

from typing import Any

from engine.accounts import drafts, listing, registry, sign_in, sso
from engine.accounts.sign_in import Enrolment, SignedInUser, SignIn
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.directory.store import load_directory
from engine.engine_parts import EngineParts
from engine.persistence import models as m
from engine.transactions import Work


class AccountsFacade(EngineParts):
    # ---- identity and sign-in ---------------------------------------------------------------------
    def actor_for_token(self, token: str) -> Actor | None:
        return self.tx.query(lambda work: registry.actor_for_token(work.session, token))

    def sign_in(self, username: str, password: str) -> SignIn:
        """The password step; raises SignInFailed / AccountLocked after committing the failure and its
        audit event (`auth.login_failed`, `auth.locked`). Without a second factor: `auth.login`.
        The slow argon2 check runs between a read and the write, holding no lock."""
        probe = self.tx.query(lambda work: sign_in.probe(work.session, username, work.now))
        matched = not probe.locked and sign_in.password_matches(probe.password_hash, password)
        return self.tx.command(
            lambda work: sign_in.password_step(work, username, matched), refusal=sign_in.record_rejection
        )

    def verify_second_factor(self, user_id: int, code: str) -> Actor:
        """The TOTP step after an accepted password (the caller keeps which user that was)."""
        return self.tx.command(lambda work: sign_in.verify_totp(work, user_id, code), refusal=sign_in.record_rejection)

    def begin_mfa_enrolment(self, user_id: int) -> Enrolment:
        return self.tx.command(lambda work: sign_in.begin_enrolment(work, user_id))

    def confirm_mfa_enrolment(self, user_id: int, code: str) -> Actor:
        return self.tx.command(
            lambda work: sign_in.confirm_enrolment(work, user_id, code), refusal=sign_in.record_rejection
        )

    def signed_in_user(self, user_id: int) -> SignedInUser | None:
        return self.tx.query(lambda work: sign_in.signed_in_user(work.session, user_id))

    def record_logout(self, actor: Actor, *, reason: str = "logout") -> None:
        """`auth.logout`; `reason` is `logout` or `expired` (idle or absolute limit reached)."""
        self.tx.command(
            lambda work: record(
                work, EventType.AUTH_LOGOUT, actor=actor, payload={"username": actor.username, "reason": reason}
            )
        )

    def set_password(self, username: str, password: str, *, operator: str) -> None:
        self.tx.command(lambda work: sign_in.set_password(work, username, password, operator))

    def reset_second_factor(self, username: str, *, operator: str) -> None:
        self.tx.command(lambda work: sign_in.reset_second_factor(work, username, operator))

    # ---- single sign-on (OpenID Connect) -----------------------------------------------------------
    def sso_sign_in(self, issuer: str, subject: str, *, provider_mfa: bool) -> SignIn:
        """The user linked to the verified `issuer` + `subject`; an unlinked subject raises
        `SsoRefused` after committing its `auth.login_failed` (`sso_unlinked`)."""
        return self.tx.command(
            lambda work: sso.sign_in(work, issuer, subject, provider_mfa=provider_mfa), refusal=sso.record_unlinked
        )

    def record_sso_refusal(self, reason: str, issuer: str, subject: str | None = None) -> None:
        """`auth.login_failed` for a single sign-on the web layer refused (state, token, acr/amr)."""
        self.tx.command(lambda work: sso.record_refusal(work, reason, issuer, subject))

    def link_sso(self, username: str, issuer: str, subject: str, *, operator: str) -> None:
        self.tx.command(lambda work: sso.link(work, username, issuer, subject, operator))

    def unlink_sso(self, username: str, issuer: str, *, operator: str) -> None:
        self.tx.command(lambda work: sso.unlink(work, username, issuer, operator))

    def sso_subjects(self, issuer: str) -> dict[str, str]:
        """Username → linked subject at `issuer`."""
        return self.tx.query(lambda work: sso.linked_subjects(work, issuer))

    # ---- drafts ---------------------------------------------------------------------------------
    def save_draft(self, user_id: int, form_key: str, fields: dict[str, list[str]]) -> None:
        """Keep (sealed) what a user typed into a form when the session had expired."""
        self.tx.command(lambda work: drafts.save_draft(work, user_id, form_key, fields))

    def take_draft(self, user_id: int, form_key: str) -> dict[str, list[str]] | None:
        return self.tx.command(lambda work: drafts.take_draft(work, user_id, form_key))

    # ---- organisations, users, tokens -------------------------------------------------------------
    def organisations(self) -> list[dict[str, Any]]:
        return self.tx.query(lambda work: listing.organisations(work.session))

    def users(self) -> list[dict[str, Any]]:
        return self.tx.query(lambda work: listing.users(work.session))

    def networks(self) -> list[dict[str, str]]:
        return self.tx.query(
            lambda work: [{"key": n.key, "name": n.name} for n in load_directory(work.session).networks()]
        )

    def create_organisation(self, *, operator: str, **fields: Any) -> str:
        def create(work: Work) -> str:
            org = registry.create_organisation(work.session, now=work.now, **fields)
            record_organisation_created(work, org, operator)
            return org.key

        return self.tx.command(create)

    def create_user(self, *, operator: str, **fields: Any) -> str:
        """`user.created` records the role and whether a second factor is required (`--no-mfa`)."""

        def create(work: Work) -> str:
            user = registry.create_user(work.session, now=work.now, **fields)
            record_user_created(work, user, fields["organisation_key"], fields["role"], operator)
            return user.username

        return self.tx.command(create)

    def issue_token(self, username: str, *, operator: str) -> str:
        def issue(work: Work) -> str:
            token = registry.issue_token(work.session, username, work.now)
            record(work, EventType.TOKEN_ISSUED, actor=None, actor_name=operator, payload={"username": username})
            return token

        return self.tx.command(issue)


def record_organisation_created(work: Work, org: m.Organisation, operator: str) -> None:
    """`organisation.created`, by the operator who created it (CLI, admin, the volume generator)."""
    payload = {"key": org.key, "kind": org.kind, "network": org.network_key}
    record(work, EventType.ORGANISATION_CREATED, actor=None, actor_name=operator, payload=payload)


def record_user_created(work: Work, user: m.User, organisation_key: str, role: str, operator: str) -> None:
    """`user.created` with the role and whether a second factor is required (`--no-mfa`)."""
    payload = {
        "username": user.username,
        "organisation": organisation_key,
        "role": role,
        "mfa_required": user.mfa_required,
    }
    record(work, EventType.USER_CREATED, actor=None, actor_name=operator, payload=payload)
