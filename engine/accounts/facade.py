"""The accounts part of `CaseEngine`: sign-in, browser sessions, drafts, organisations, users and
their life cycle (invitations, pending roles, deactivation), tokens.

Every method runs through the transaction runner. A rejected sign-in attempt rolls back and is then
counted and audited by `sign_in.record_rejection` in a unit of its own — for the password, the code
and the enrolment alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.accounts import (
    browser_sessions,
    contacts,
    drafts,
    invitations,
    lifecycle,
    listing,
    registry,
    role_grants,
    sign_in,
    sso,
    tokens,
)
from engine.accounts.browser_sessions import Resumed
from engine.accounts.invitations import Invited
from engine.accounts.sign_in import Enrolment, SignedInUser, SignIn
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.directory.store import load_directory
from engine.engine_parts import EngineParts
from engine.persistence import models as m
from engine.transactions import Work


@dataclass(frozen=True)
class SessionUser:
    """Who a browser session belongs to, and its time left."""

    user: SignedInUser
    times: Resumed


class AccountsFacade(EngineParts):
    # ---- identity and sign-in ---------------------------------------------------------------------
    def actor_for_token(self, token: str) -> Actor | None:
        return self.tx.query(lambda work: tokens.actor_for_token(work, token))

    def sign_in(self, username: str, password: str) -> SignIn:
        """The password step; raises SignInFailed / AccountLocked after committing the failure and its
        audit event (`auth.login_failed`, `auth.locked`). Without a second factor: `auth.login`.
        The slow argon2 check runs between a read and the write, holding no lock."""
        probe = self.tx.query(lambda work: sign_in.probe(work, username))
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

    # ---- browser sessions (engine/accounts/browser_sessions.py) -----------------------------------
    def start_session(self, user_id: int, user_agent: str) -> str:
        """After a completed sign-in: the server-side session; returns the token the cookie carries."""
        return self.tx.command(lambda work: browser_sessions.start(work, user_id, user_agent))

    def resume_session(self, token: str, *, activity: bool) -> SessionUser | None:
        """The signed-in user and the session's time left for a cookie's token (None: no such
        session, or its user is deactivated). An expired session is returned with `expired` set and
        is not extended; `activity` (a request the user made, not a status poll) restarts the idle time."""

        def read(work: Work) -> SessionUser | None:
            found = browser_sessions.resume(work.session, token, work.now)
            user = sign_in.signed_in_user(work.session, found.user_id) if found is not None else None
            return None if found is None or user is None else SessionUser(user, found)

        resumed = self.tx.query(read)
        if resumed is not None and activity and resumed.times.stale and not resumed.times.expired:
            self.tx.command(lambda work: browser_sessions.touch(work, token))
            resumed = self.tx.query(read)
        return resumed

    def end_session(self, token: str, *, reason: str = "logout") -> None:
        """`auth.logout` with the row's deletion; `reason` is `logout` or `expired` (a limit reached)."""
        self.tx.command(lambda work: browser_sessions.end(work, token, reason))

    def sessions_of(self, user_id: int, current_token: str) -> list[dict[str, Any]]:
        return self.tx.query(lambda work: browser_sessions.of_user(work, user_id, current_token))

    def end_other_session(self, user_id: int, session_id: int, current_token: str) -> None:
        self.tx.command(lambda work: browser_sessions.end_one(work, user_id, session_id, current_token))

    def end_other_sessions(self, user_id: int, current_token: str) -> int:
        def end(work: Work) -> int:
            user = work.session.get(m.User, user_id)
            if user is None:
                return 0
            return browser_sessions.end_all(work, user, "ended_by_user", keep_token=current_token)

        return self.tx.command(end)

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

    def set_organisation_contact(self, key: str, values: dict[str, str], *, operator: str) -> None:
        """The directory's contact fields of one organisation (Verwaltung), audited."""
        self.tx.command(lambda work: contacts.set_contact(work, key, values, operator=operator))

    def create_user(self, *, operator: str, **fields: Any) -> str:
        """`user.created` records the role and whether a second factor is required (`--no-mfa`)."""

        def create(work: Work) -> str:
            user = registry.create_user(work.session, now=work.now, **fields)
            record_user_created(work, user, fields["organisation_key"], fields["role"], operator)
            return user.username

        return self.tx.command(create)

    def invite_user(self, *, operator: str, **fields: Any) -> str:
        """The web administrator's way to create a user: no password (an invitation instead, whose
        token is returned once) and a role opening case content pending until confirmed — the
        user, `user.created`, `role.requested` and `user.invited` in one transaction."""

        def create(work: Work) -> str:
            user = registry.create_user(work.session, now=work.now, password=None, requested_by=operator, **fields)
            record_user_created(work, user, fields["organisation_key"], fields["role"], operator)
            role_grants.record_requested(work, user, operator)
            return invitations.issue(work, user.username, operator)

        return self.tx.command(create)

    def invite(self, username: str, *, operator: str) -> str:
        """A new invitation for an existing user (forgotten password, lost phone); earlier unused ones end."""
        return self.tx.command(lambda work: invitations.issue(work, username, operator))

    def invitation(self, token: str) -> Invited:
        """Whom a usable invitation is for; NotFound otherwise."""
        return self.tx.query(lambda work: invitations.peek(work, token))

    def accept_invitation(self, token: str, password: str, repeated: str) -> Invited:
        """Set the invited person's password (the slow hash runs outside the transaction)."""
        self.invitation(token)
        invitations.check_password(password, repeated)
        password_hash = registry.hash_password(password)
        return self.tx.command(lambda work: invitations.accept(work, token, password_hash))

    def roles_to_confirm(self, actor: Actor) -> list[dict[str, Any]]:
        return self.tx.query(lambda work: role_grants.to_confirm(work, actor))

    def roles_requested(self, actor: Actor) -> list[dict[str, Any]]:
        return self.tx.query(lambda work: role_grants.requested(work, actor))

    def decide_role(self, actor: Actor, grant_id: int, *, confirm: bool) -> dict[str, Any]:
        """Confirm or reject a pending role (`role.confirmed` / `role.rejected`)."""
        return self.tx.command(lambda work: role_grants.decide(work, actor, grant_id, confirm))

    def issue_token(self, username: str, *, operator: str, name: str = "API", days: int = tokens.DEFAULT_DAYS) -> str:
        """A named token valid `days` days (`token.issued`); the token is returned once, never stored."""
        return self.tx.command(lambda work: tokens.issue(work, username, operator, name=name, days=days))

    def tokens(self, username: str) -> list[dict[str, Any]]:
        return self.tx.query(lambda work: tokens.of_user(work, username))

    def revoke_token(self, username: str, token_id: int, *, operator: str) -> None:
        self.tx.command(lambda work: tokens.revoke(work, username, token_id, operator))

    def set_user_active(self, username: str, active: bool, *, operator: str) -> bool:
        """Deactivate (`user.deactivated`, every session ended, tokens refused) or reactivate a user;
        False when nothing changed."""
        return self.tx.command(lambda work: lifecycle.set_active(work, username, active, operator))


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
