"""Reminder and escalation mails, written to an outbox in the firing's transaction and sent after
it commits — a failing mail server delays a mail, never a deadline.

A mail names the case reference and the task title only, plus a link: never the child's name, never
case content (it leaves the protected system; § 35 SGB I).
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import BERLIN
from engine.permissions import POOL_ROLES
from engine.persistence import models as m
from engine.transactions import Work

LINK = "{base_url}/faelle/{case_id}"


def _recipients(work: Work, case: m.Case, task_id: str) -> set[str]:
    """The people of the task's lane: its roles in the case's organisation, or the pool member named,
    or the pool of the case's network."""
    session = work.session
    row = session.get(m.OpenTask, task_id)
    if row is not None and row.offered_to_user_id is not None:
        users = select(m.User.email).where(m.User.id == row.offered_to_user_id)
    else:
        roles = set(row.lane_roles.split(",")) if row is not None and row.lane_roles else {"leitung", "ja_leitung"}
        members = select(m.User.email).join(m.Membership, m.Membership.user_id == m.User.id)
        if roles <= POOL_ROLES:
            organisation = session.get(m.Organisation, case.organisation_id)
            assert organisation is not None
            users = members.join(m.Organisation, m.Organisation.id == m.Membership.organisation_id).where(
                m.Membership.role.in_(roles), m.Organisation.network_key == organisation.network_key
            )
        else:
            users = members.where(m.Membership.role.in_(roles), m.Membership.organisation_id == case.organisation_id)
    return {email for email in session.execute(users.where(m.User.active)).scalars() if email}


def notify_lane(work: Work, case: m.Case, task_id: str, what: str, title: str, due_at: datetime) -> int:
    due_local = due_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    subject = f"[Schutzpfad] {what}: {title} – {case.reference}"
    body = (
        f"{what}\n\nFall: {case.reference}\nSchritt: {title}\nFällig: {due_local} Uhr\n\n"
        f"Öffnen: {LINK.format(base_url='{base_url}', case_id=case.id)}\n\n"
        "Diese Nachricht enthält bewusst keine Falldaten."
    )
    recipients = sorted(_recipients(work, case, task_id))
    for address in recipients:
        work.session.add(
            m.Notification(
                recipient=address, subject=subject, body=body, created_at=work.now, attempts=0, next_attempt_at=work.now
            )
        )
    work.session.flush()
    return len(recipients)


def send_pending(factory: sessionmaker[Session], smtp_url: str, base_url: str, now: datetime) -> int:
    """Send what is due in the outbox; a failure backs off (1, 2, 4 … 60 minutes) and retries."""
    sent = 0
    with factory() as session:
        due = list(
            session.execute(
                select(m.Notification)
                .where(m.Notification.sent_at.is_(None), m.Notification.next_attempt_at <= now)
                .order_by(m.Notification.id)
                .limit(100)
            ).scalars()
        )
        for note in due:
            try:
                _send(smtp_url, note.recipient, note.subject, note.body.replace("{base_url}", base_url.rstrip("/")))
            except (OSError, smtplib.SMTPException):
                note.attempts += 1
                note.next_attempt_at = now + timedelta(minutes=min(2 ** (note.attempts - 1), 60))
            else:
                note.sent_at, sent = now, sent + 1
            session.commit()
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
