"""Drafts: what a user typed into a form when the session had expired, kept sealed for a day so that
signing in again does not lose it (never passwords or tokens — the web edge leaves those out)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from engine.persistence import models as m
from engine.persistence.sealed import SYSTEM_SCOPE
from engine.transactions import Work

DRAFT_RETENTION = timedelta(hours=24)


def _draft_record(user_id: int, form_key: str) -> str:
    return f"form_drafts/{user_id}/{form_key}"


def save_draft(work: Work, user_id: int, form_key: str, fields: dict[str, list[str]]) -> None:
    session = work.session
    session.execute(delete(m.FormDraft).where(m.FormDraft.saved_at < work.now - DRAFT_RETENTION))
    session.execute(delete(m.FormDraft).where(m.FormDraft.user_id == user_id, m.FormDraft.form_key == form_key))
    blob = work.vault.seal_field(
        session.connection(), SYSTEM_SCOPE, _draft_record(user_id, form_key), {"fields": fields}, now=work.now
    )
    session.add(m.FormDraft(user_id=user_id, form_key=form_key, fields=blob, saved_at=work.now))
    session.flush()


def take_draft(work: Work, user_id: int, form_key: str) -> dict[str, list[str]] | None:
    """The saved fields (and the draft is gone), or None; a draft older than a day is not returned."""
    session = work.session
    row = session.execute(
        select(m.FormDraft).where(m.FormDraft.user_id == user_id, m.FormDraft.form_key == form_key)
    ).scalar_one_or_none()
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if row.saved_at < work.now - DRAFT_RETENTION:
        return None
    value = work.vault.open_json(session.connection(), SYSTEM_SCOPE, _draft_record(user_id, form_key), row.fields)
    fields = value.get("fields", {})
    return {str(k): [str(v) for v in vs] for k, vs in fields.items()}
