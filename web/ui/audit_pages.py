"""Revision / Datenschutz (role `auditor`): the audit log, the chain status, one case's decrypted trail.

- `/revision`: metadata only (time, event type, person, organisation, case) in the auditor's scope,
  filtered by case, person, event type and Berlin calendar days; the chain's verification and the
  last signed checkpoint. Nothing decrypted, nothing audited.
- `/revision/faelle/<reference or id>`: the decrypted events of one case — only after a reason is
  given (§ 64 SGB VIII); the engine records the reading as `audit.read`, the JSON Lines download as
  `audit.exported`, each with the reason. The page shows each event by its name and its content as
  labelled fields (engine/auditing/readable.py); raw JSON only in the download the auditor asks
  for. Which cases an auditor may read is the engine's decision.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import VerifyResult
from audit.errors import AuditError
from engine.clock import BERLIN
from engine.errors import ValidationFailed
from web.dates import parse_day
from web.ids import parse_id
from web.labels import event_choices, event_label, event_type
from web.ui.access import current_actor, engine, no_store, role_required
from web.ui.error_pages import show_instead
from web.ui.navigation import add_nav_item

bp = Blueprint("audit", __name__)

AUDITOR = "auditor"

LIMIT = 200


# ---- the log ------------------------------------------------------------------------------------


def _day(value: str, field: str, errors: dict[str, list[str]]) -> date | None:
    if not value:
        return None
    day = parse_day(value)  # TT.MM.JJJJ as the field shows it, or ISO from an older link
    if day is None:
        errors[field] = [_("Bitte geben Sie das Datum als TT.MM.JJJJ an, zum Beispiel 02.03.2026.")]
    return day


def _filters(args: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, list[str]]]:
    """The submitted filter values, the engine's keyword arguments, and errors per field."""
    values = {name: args.get(name, "").strip() for name in ("fall", "person", "ereignis", "von", "bis")}
    errors: dict[str, list[str]] = {}
    filters: dict[str, Any] = {"limit": LIMIT}
    if values["fall"]:
        filters["case_reference"] = values["fall"]
    if values["person"]:
        filters["person"] = values["person"]
    if values["ereignis"]:
        chosen = event_type(values["ereignis"])
        if chosen is not None:
            filters["event_type"] = chosen
        else:
            errors["ereignis"] = [_("Unbekannte Ereignisart.")]
    first, last = _day(values["von"], "von", errors), _day(values["bis"], "bis", errors)
    if first and last and last < first:
        errors["bis"] = [_("Das Ende des Zeitraums liegt vor seinem Anfang.")]
    # Calendar days in Europe/Berlin: from 00:00 of "von" up to (excluding) 00:00 after "bis".
    if first:
        filters["since"] = datetime.combine(first, time(0), tzinfo=BERLIN)
    if last:
        filters["until"] = datetime.combine(last + timedelta(days=1), time(0), tzinfo=BERLIN)
    return values, filters, errors


def _chain_status(result: VerifyResult) -> dict[str, Any]:
    if result.ok:
        return {"ok": True, "text": _("Kette intakt — %(checked)s Einträge geprüft", checked=result.checked)}
    if result.first_bad_seq is not None:
        text = _("Kette beschädigt ab Eintrag %(seq)s", seq=result.first_bad_seq)
    else:
        text = _("Kette beschädigt")
    return {"ok": False, "text": text, "reason": result.reason, "checked": result.checked}


@bp.get("/revision")
@role_required(AUDITOR)
@no_store
def index() -> tuple[str, int]:
    actor = current_actor()
    values, filters, errors = _filters(request.args)
    events = [] if errors else engine().audit_events(actor, **filters)
    checkpoint = engine().last_checkpoint()
    return (
        render_template(
            "audit/index.html",
            chain=_chain_status(engine().verify_trail(actor)),
            checkpoint=checkpoint,
            values=values,
            errors=errors,
            events=events,
            limit=LIMIT,
            filtered=any(values.values()),
            event_types=event_choices(),
            event_label=event_label,
        ),
        422 if errors else 200,
    )


# ---- one case, decrypted ------------------------------------------------------------------------


def _case_id(ref: str) -> int:
    """The case's id from its reference (`KS-2026-000123`) or its id.

    A reference is looked up by the engine's auditor lookup, which already refuses a case outside
    the auditor's scope (nothing decrypted or recorded); an id is checked by the engine's
    `case_trail` / `export_case_trail`."""
    if ref.isascii() and ref.isdigit():
        case_id = parse_id(ref)
        if case_id is None:
            abort(404)
        return case_id
    return int(engine().auditable_case(current_actor(), ref)["id"])


def _render_case(ref: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("events", None)
    return (
        render_template("audit/fall.html", ref=ref, event_label=event_label, **context),
        status,
    )


@bp.get("/revision/faelle/<ref>")
@role_required(AUDITOR)
@no_store
def case_trail(ref: str) -> tuple[str, int]:
    engine().check_audit_access(current_actor(), _case_id(ref))  # NotFound / NotAllowed (access.denied)
    return _render_case(ref)


def _decrypted(ref: str, read: Any) -> tuple[list[dict[str, Any]] | None, tuple[str, int] | None]:
    """The case's decrypted events via `read` (the engine's case_trail or export_case_trail), or the
    page to show instead: the note that the trail is damaged (a missing reason shows the reason form
    with its error, via `show_instead`)."""
    reason = request.form.get("grund", "")
    values = {"grund": reason}
    show_instead(
        ValidationFailed,
        lambda exc: _render_case(ref, errors={"grund": exc.errors.get("reason", [exc.detail])}, values=values),
    )
    try:
        return read(current_actor(), _case_id(ref), reason), None
    except AuditError:  # a header altered in the database no longer opens its payload
        return None, _render_case(ref, 409, damaged=True, values=values)


@bp.post("/revision/faelle/<ref>")
@role_required(AUDITOR)
@no_store
def case_trail_read(ref: str) -> tuple[str, int]:
    events, page = _decrypted(ref, partial(engine().case_trail, readable=True))
    if page is not None:
        return page
    return _render_case(ref, events=events, values={"grund": request.form.get("grund", "")})


@bp.post("/revision/faelle/<ref>/export")
@role_required(AUDITOR)
@no_store
def case_trail_export(ref: str) -> Any:
    """The same events as JSON Lines, as a download; recorded by the engine as `audit.exported`."""
    events, page = _decrypted(ref, engine().export_case_trail)
    if page is not None:
        return page
    assert events is not None
    reference = ref if not ref.isdigit() else next((e["case"] for e in events if e.get("case")), ref)
    body = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True, default=str) + "\n" for e in events)
    return Response(
        body,
        mimetype="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="protokoll-{_safe_name(reference)}.jsonl"'},
    )


def _safe_name(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in text)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "audit.index", _l("Protokoll"), roles={AUDITOR}, order=80)
