"""Single sign-on by OpenID Connect, the engine's part: which user a provider's subject is, the link an
administrator sets once, and the audit events of every outcome.

The protocol (redirects, PKCE, the ID token's signature, audience, nonce, acr/amr) is the web layer's
(web/oidc_client.py); what reaches the engine is an issuer and a subject the web layer has verified.
Users are matched by `iss` + `sub` only — never by a name or an e-mail address the provider reports,
which its users or administrators may change, so nobody becomes somebody else by renaming an account.

The second factor: when the installation requires the provider's (`provider_mfa`, checked against the
configured acr/amr by the web layer) the sign-in is complete here; otherwise ours (TOTP) follows, as
after a password.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.accounts.registry import user_by_username
from engine.accounts.sign_in import SignIn, SignInFailed, complete_sign_in
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.errors import EngineError, NotFound, ValidationFailed
from engine.persistence import models as m
from engine.persistence.sso_models import SsoIdentity
from engine.transactions import Work

#: Why a single sign-on was refused (the `reason` of `auth.login_failed`, prefixed `sso_`).
REASONS = frozenset(
    {"state_unknown", "state_expired", "provider_error", "token_invalid", "audience", "acr_missing", "unlinked"}
)
_MAX_SUBJECT = 255


class SsoRefused(SignInFailed):
    """A single sign-on the engine refuses: the subject is linked to no active user."""

    def __init__(self, issuer: str, subject: str) -> None:
        super().__init__("Dieses Konto des Anmeldedienstes ist mit keinem Benutzer verknüpft.")
        self.issuer = issuer
        self.subject = subject


def record_refusal(work: Work, reason: str, issuer: str, subject: str | None) -> None:
    """`auth.login_failed` with `reason` `sso_<reason>`; the subject (when the provider named one) lets
    an administrator find whom to link."""
    assert reason in REASONS, reason
    payload = {"username": "unbekannt", "reason": f"sso_{reason}", "issuer": issuer}
    if subject is not None:
        payload["subject"] = subject
    record(work, EventType.AUTH_LOGIN_FAILED, actor=None, actor_name="unbekannt", payload=payload)


def record_unlinked(work: Work, refused: EngineError) -> None:
    """The refusal handler of `sign_in`: an unlinked subject is audited in a unit of its own."""
    if isinstance(refused, SsoRefused):
        record_refusal(work, "unlinked", refused.issuer, refused.subject)


def sign_in(work: Work, issuer: str, subject: str, *, provider_mfa: bool) -> SignIn:
    """The user linked to `issuer` + `subject`: signed in (`auth.login` with `method` oidc) when the
    provider's second factor counts, else the TOTP step or its enrolment comes next."""
    user = work.session.execute(
        select(m.User)
        .join(SsoIdentity, SsoIdentity.user_id == m.User.id)
        .where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject, m.User.active)
    ).scalar_one_or_none()
    if user is None:
        raise SsoRefused(issuer, subject)
    if provider_mfa:
        return SignIn(user.id, "done", actor=complete_sign_in(work, user, mfa=True, method="oidc"))
    if user.mfa_secret is not None:
        return SignIn(user.id, "totp")
    if user.mfa_required:
        return SignIn(user.id, "enrol")
    return SignIn(user.id, "done", actor=complete_sign_in(work, user, mfa=False, method="oidc"))


def link(work: Work, username: str, issuer: str, subject: str, operator: str) -> None:
    """Link a user to their provider account, once (`auth.sso_linked`): another subject for the same
    user, or the subject for a second user, is refused — unlink first."""
    subject = subject.strip()
    if not subject or len(subject) > _MAX_SUBJECT:
        text = f"Bitte die Kennung (sub) des Anmeldedienstes angeben (1–{_MAX_SUBJECT} Zeichen)."
        raise ValidationFailed({"subject": [text]})
    user = _user(work, username)
    taken = work.session.execute(
        select(m.User.username)
        .join(SsoIdentity, SsoIdentity.user_id == m.User.id)
        .where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject)
    ).scalar_one_or_none()
    if taken is not None:
        raise ValidationFailed({"subject": [f"Diese Kennung ist bereits mit „{taken}“ verknüpft."]})
    if _identity(work, user, issuer) is not None:
        raise ValidationFailed({"username": [f"„{username}“ ist bereits verknüpft. Lösen Sie die Verknüpfung zuerst."]})
    work.session.add(SsoIdentity(user_id=user.id, issuer=issuer, subject=subject, linked_at=work.now))
    work.session.flush()
    payload = {"username": user.username, "issuer": issuer, "subject": subject}
    record(work, EventType.AUTH_SSO_LINKED, actor=None, actor_name=operator, payload=payload)


def unlink(work: Work, username: str, issuer: str, operator: str) -> None:
    """Undo `link` (`auth.sso_unlinked`): the user signs in by single sign-on no more."""
    user = _user(work, username)
    identity = _identity(work, user, issuer)
    if identity is None:
        raise ValidationFailed({"username": [f"„{username}“ ist nicht verknüpft."]})
    payload = {"username": user.username, "issuer": issuer, "subject": identity.subject}
    work.session.delete(identity)
    record(work, EventType.AUTH_SSO_UNLINKED, actor=None, actor_name=operator, payload=payload)


def _user(work: Work, username: str) -> m.User:
    try:
        return user_by_username(work.session, username)
    except NotFound as exc:
        raise ValidationFailed({"username": [exc.detail]}) from None


def _identity(work: Work, user: m.User, issuer: str) -> SsoIdentity | None:
    return work.session.execute(
        select(SsoIdentity).where(SsoIdentity.user_id == user.id, SsoIdentity.issuer == issuer)
    ).scalar_one_or_none()


def linked_subjects(work: Work, issuer: str) -> dict[str, str]:
    """Username → subject of every user linked at `issuer` (for the Verwaltung's user list)."""
    rows = work.session.execute(
        select(m.User.username, SsoIdentity.subject)
        .join(SsoIdentity, SsoIdentity.user_id == m.User.id)
        .where(SsoIdentity.issuer == issuer)
    ).all()
    return {username: subject for username, subject in rows}
