"""Verwaltung › Prozesse › Laufende Fälle migrieren (role `admin`; procedures.md invariant 6).

The page first lists every running case of the older version as the engine's dry run judges it
(`migrierbar` / `nicht migrierbar: <Grund>`), with the reason field. Each POST then migrates the next
batch of cases (`BATCH`, oldest first, each case in its own unit of work in the engine) and shows
the progress and the batch's outcomes, with a button for the next batch — no script needed, and a
request never runs long. Where the batches stand travels in the form (`nach_fall`: the last case id
taken), so a batch that failed half-way is simply taken again: moved cases are no longer on the
older version, and every case is whole on one version or the other.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from engine.errors import NotFound
from web.ui.access import engine, role_required
from web.ui.admin_pages import ADMIN, bp, operator

#: Cases per request: a few seconds of work, then the page reports back.
BATCH = 25


def _title(key: str) -> str:
    titles = [p["title"] for p in sorted(engine().processes(), key=lambda p: p["version"]) if p["key"] == key]
    if not titles:
        raise NotFound("Prozess nicht gefunden.")
    return titles[-1]


def _render(key: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return render_template("admin/migration.html", key=key, title=_title(key), batch=BATCH, **context), status


def _preview(key: str, versions: tuple[int, int] | None) -> list[Any]:
    if versions is None:
        return []
    return engine().migrate_cases(key, *versions, reason="", operator=operator(), dry_run=True)


@bp.get("/verwaltung/prozesse/<key>/migration")
@role_required(ADMIN)
def migration(key: str) -> Any:
    _title(key)
    versions = engine().migration_versions(key)
    return _render(key, versions=versions, preview=_preview(key, versions))


def _count(name: str) -> int:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() else 0


@bp.post("/verwaltung/prozesse/<key>/migration")
@role_required(ADMIN)
def migrate(key: str) -> Any:
    _title(key)
    versions = engine().migration_versions(key)
    reason = request.form.get("grund", "").strip()
    if versions is None or not reason:
        errors = {} if versions is None else {"grund": [_("Geben Sie den Grund der Migration an.")]}
        return _render(key, 422, versions=versions, preview=_preview(key, versions), errors=errors)
    after = _count("nach_fall")
    running = engine().migration_cases(key, *versions)
    total = _count("gesamt") or len(running)
    batch = [case_id for case_id in running if case_id > after][:BATCH]
    outcomes = engine().migrate_cases(key, *versions, reason=reason, operator=operator(), case_ids=batch)
    last = batch[-1] if batch else after
    remaining = sum(1 for case_id in running if case_id > last)
    migrated = _count("migriert") + sum(1 for o in outcomes if o.ok)
    refused = _count("abgelehnt") + sum(1 for o in outcomes if not o.ok)
    progress = {
        "total": total,
        "done": max(total - remaining, 0),
        "migrated": migrated,
        "refused": refused,
        "remaining": remaining,
        "after": last,
    }
    return _render(key, versions=versions, outcomes=outcomes, progress=progress, values={"grund": reason})
