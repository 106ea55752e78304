"""How to reach an organisation: the directory's contact fields (Telefon, Bereitschaft, E-Mail,
Anschrift), edited by an administrator and audited as `organisation.contact_changed`.

A Jugendamt's `bereitschaft` is its number outside office hours (Rufbereitschaft, 24 h): an acute
report's step page shows it (R22), so whoever reports a Sofortmeldung knows whom to call now.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import select

from engine.accounts.registry import TELEPHONE
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.directory.routing import CONTACT_FIELDS
from engine.errors import NotFound, ValidationFailed
from engine.persistence import models as m
from engine.transactions import Work

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_TOO_LONG = {"email": 254, "anschrift": 300}


def _problems(values: Mapping[str, str | None]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("telefon", "bereitschaft"):
        value = values.get(name)
        if value and not TELEPHONE.match(value):
            errors[name] = ["Bitte eine Telefonnummer aus Ziffern angeben, etwa 02823 320-0."]
    email = values.get("email")
    if email and not _EMAIL.match(email):
        errors["email"] = ["Bitte eine E-Mail-Adresse wie jugendamt@goch.de angeben."]
    for name, limit in _TOO_LONG.items():
        value = values.get(name)
        if value and len(value) > limit:
            errors[name] = [f"Höchstens {limit} Zeichen."]
    return errors


def set_contact(work: Work, organisation_key: str, values: Mapping[str, str | None], *, operator: str) -> None:
    """Replace the contact fields (an empty value clears one); the event names the changed fields
    and their new values — contact data of an office, never of a person or a case."""
    org = work.session.execute(
        select(m.Organisation).where(m.Organisation.key == organisation_key)
    ).scalar_one_or_none()
    if org is None:
        raise NotFound(f"Organisation „{organisation_key}“ ist nicht bekannt.")
    cleaned = {name: (values.get(name) or "").strip() or None for name in CONTACT_FIELDS}
    if errors := _problems(cleaned):
        raise ValidationFailed(errors)
    changed = {name: value for name, value in cleaned.items() if getattr(org, name) != value}
    if not changed:
        return
    for name, value in changed.items():
        setattr(org, name, value)
    work.session.flush()
    record(
        work,
        EventType.ORGANISATION_CONTACT_CHANGED,
        actor=None,
        actor_name=operator,
        payload={"key": org.key, "changed": changed},
    )
