"""Reminder and escalation mails, written to an outbox in the firing's transaction and sent after
it commits — a failing mail server delays a mail, never a deadline.

A mail addresses its recipient by name and names the case reference and the task title only, plus
a link: never the child's name, never case content (it leaves the protected system; § 35 SGB I).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update

from engine.clock import BERLIN
from engine.permissions import JUGENDAMT_POOL_ROLES, POOL_ROLES
from engine.persistence import models as m
from engine.transactions import Work

LINK = "{base_url}/faelle/{case_id}"


def _recipients(work: Work, case: m.Case, task_id: str) -> dict[str, str]:
    """The people of the task's lane (address → display name): its roles in the case's organisation,
    or the pool member named, or the pool of the case's network."""
    session = work.session
    row = session.get(m.OpenTask, task_id)
    if row is not None and row.offered_to_user_id is not None:
        users = select(m.User.email, m.User.display_name).where(m.User.id == row.offered_to_user_id)
    else:
        roles = set(row.lane_roles.split(",")) if row is not None and row.lane_roles else {"leitung", "ja_leitung"}
        members = (
            select(m.User.email, m.User.display_name)
            .join(m.Membership, m.Membership.user_id == m.User.id)
            .where(m.Membership.pending.is_(False))  # a role awaiting its confirmation gets no mail
        )
        if roles <= POOL_ROLES:
            organisation = session.get(m.Organisation, case.organisation_id)
            assert organisation is not None
            users = members.join(m.Organisation, m.Organisation.id == m.Membership.organisation_id).where(
                m.Membership.role.in_(roles), m.Organisation.network_key == organisation.network_key
            )
            if roles & JUGENDAMT_POOL_ROLES:  # that pool is the Jugendamt the case's organisation belongs to
                users = users.where(m.Membership.organisation_id == organisation.jugendamt_id)
        else:
            users = members.where(m.Membership.role.in_(roles), m.Membership.organisation_id == case.organisation_id)
    return {email: name for email, name in session.execute(users.where(m.User.active)).all() if email}


def notify_lane(work: Work, case: m.Case, task_id: str, what: str, title: str, due_at: datetime) -> int:
    due_local = due_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    subject = f"[Schutzpfad] {what}: {title} – {case.reference}"
    body = (
        f"{what}\n\nFall: {case.reference}\nSchritt: {title}\nFällig: {due_local} Uhr\n\n"
        f"Öffnen: {LINK.format(base_url='{base_url}', case_id=case.id)}\n\n"
        "Diese Nachricht enthält bewusst keine Falldaten."
    )
    recipients = _recipients(work, case, task_id)
    for address in sorted(recipients):
        greeting = f"Guten Tag {recipients[address]},\n\n"
        work.session.add(
            m.Notification(
                recipient=address,
                subject=subject,
                body=greeting + body,
                created_at=work.now,
                attempts=0,
                next_attempt_at=work.now,
            )
        )
    work.session.flush()
    return len(recipients)


#: How long a claimed mail is reserved for the node that sends it; a node that dies while sending
#: leaves it to another node after this time (a mail may then go twice, never not at all).
CLAIM_LEASE = timedelta(minutes=10)
BATCH = 100


@dataclass(frozen=True)
class ClaimedMail:
    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


def claim_next(work: Work) -> ClaimedMail | None:
    """Claim the oldest unsent due mail for this node: `FOR UPDATE SKIP LOCKED` on PostgreSQL, and a
    conditional UPDATE that moves `next_attempt_at` past the lease — so two nodes (every `serve` runs
    a scheduler) never send the same mail. SQLite's `BEGIN IMMEDIATE` serialises the claims."""
    stmt = (
        select(m.Notification)
        .where(m.Notification.sent_at.is_(None), m.Notification.next_attempt_at <= work.now)
        .order_by(m.Notification.id)
        .limit(1)
    )
    if work.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    note = work.session.execute(stmt).scalar_one_or_none()
    if note is None:
        return None
    claimed = work.session.execute(
        update(m.Notification)
        .where(
            m.Notification.id == note.id,
            m.Notification.sent_at.is_(None),
            m.Notification.next_attempt_at == note.next_attempt_at,
        )
        .values(next_attempt_at=work.now + CLAIM_LEASE)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return ClaimedMail(note.id, note.recipient, note.subject, note.body, note.attempts)


def settle(work: Work, *, mail: ClaimedMail, sent: bool) -> None:
    """After the attempt: sent, or a back-off (1, 2, 4 … 60 minutes) before the next try."""
    if sent:
        values: dict[str, object] = {"sent_at": work.now}
    else:
        attempts = mail.attempts + 1
        values = {"attempts": attempts, "next_attempt_at": work.now + timedelta(minutes=min(2 ** (attempts - 1), 60))}
    work.session.execute(update(m.Notification).where(m.Notification.id == mail.id).values(**values))


def send_pending(run: Callable[[Callable[[Work], Any]], Any], smtp_url: str, base_url: str) -> int:
    """Send what is due in the outbox, one claimed mail at a time (`run` commits each claim and each
    outcome); the SMTP conversation happens between them, holding no database lock."""
    sent = 0
    for _ in range(BATCH):
        mail = run(claim_next)
        if mail is None:
            break
        try:
            _send(smtp_url, mail.recipient, mail.subject, mail.body.replace("{base_url}", base_url.rstrip("/")))
        except (OSError, smtplib.SMTPException):
            delivered = False
        else:
            delivered = True
            sent += 1
        run(partial(settle, mail=mail, sent=delivered))
    return sent


def _send(smtp_url: str, recipient: str, subject: str, body: str) -> None:
    """`smtp://host:port` (STARTTLS if offered), `smtps://user:password@host:port`."""
    url = urlsplit(smtp_url)
    message = EmailMessage()
    message["From"] = f"schutzpfad@{url.hostname or 'localhost'}"
    message["To"], message["Subject"] = recipient, subject
    message.set_content(body)
    client_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with client_class(
        url.hostname or "localhost", url.port or (465 if url.scheme == "smtps" else 25), timeout=10
    ) as smtp:
        if url.scheme == "smtp" and smtp.has_extn("starttls"):
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)
