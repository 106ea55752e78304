"""Completing the child's data later (issue 16 item 2): what the caller did not know — the surname,
the birth date, the address, the Sorgeberechtigte — is often learnt at the first home visit. The
Jugendamt that holds the case adds it from the case page ("Angaben ergänzen") or the API.

Only the case workers of the Jugendamt whose case it is (`EDITORS` in the case's organisation, which
is a Jugendamt), only while the case is open; another organisation's case is not there (404). The
merged data is checked like an opening (`engine.cases.child`): what is given is no longer `unbekannt`,
and an approximate age gives way to the birth date once it is known. One unit of work: the sealed
child data, the blind index (the child becomes findable by the new terms, and earlier reports are
matched again — without a birth date none were), a file entry "Angaben zum Kind ergänzt" by name and
time with the new values (sealed under the case's key like every step), and `case.details_completed`
naming the changed fields (its payload, with the values, is sealed in the audit trail like every case
event's).

The Wohnort is not completed here: a new Wohnort can mean another Jugendamt, which is a hand-over
(`engine.cases.transfer`), not a correction.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import func, select

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import state as case_state
from engine.cases.child import APPROXIMATE_AGE, UNKNOWN, check_child
from engine.cases.child_index import index_case
from engine.cases.earlier_cases import find_earlier
from engine.cases.visibility import can_see_case
from engine.clock import BERLIN
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed, denied
from engine.forms.builtin import child_form
from engine.forms.definition import FormDefinition, FormField
from engine.persistence import models as m
from engine.persistence.sealed import open_child, seal_child, seal_history_values
from engine.transactions import Work

#: The fields that may be completed (not the Wohnort: see the module docstring).
COMPLETABLE = ("vorname", "nachname", "geburtsdatum", "geschlecht", "anschrift", "sorgeberechtigte")
#: Who completes: the case workers of the Jugendamt holding the case.
EDITORS = frozenset({"ja_fachkraft", "ja_leitung"})
#: The history row of a completion (the file shows it as an entry of its own).
TASK = "angaben_ergaenzt"
TITLE = "Angaben zum Kind ergänzt"
NOT_FOUND = "Fall nicht gefunden."


def may_complete_details(actor: Actor, case: m.Case, organisation: m.Organisation) -> bool:
    """Whether the actor may complete this case's child data (the case page shows the link then)."""
    return organisation.kind == "jugendamt" and bool(actor.roles_in(case.organisation_id) & EDITORS)


def complete_details(work: Work, actor: Actor, case_id: int, changes: object) -> list[str]:
    """Complete or correct the child's data of an open case; returns the changed fields' names."""
    session = work.session
    case = case_state.lock_case(session, case_id)
    if case is None:
        raise NotFound(NOT_FOUND)
    if not can_see_case(session, actor, case):
        raise denied(NotFound(NOT_FOUND), actor, case.id, action="details")
    organisation = session.get(m.Organisation, case.organisation_id)
    assert organisation is not None
    if not may_complete_details(actor, case, organisation):
        refused = NotAllowed("Angaben zum Kind ergänzen nur Fachkräfte und Leitung des Jugendamts, das den Fall führt.")
        raise denied(refused, actor, case.id, action="details")
    if case.status != case_state.OPEN:
        raise Conflict("Der Fall ist abgeschlossen; seine Angaben können nicht mehr ergänzt werden.")
    old = open_child(work, case)
    new, changed = _merged(work, old, changes)
    case.child_data = seal_child(work, case.reference, new)
    index_case(work, case, new)
    find_earlier(work, case, new)
    # the file entry shows what is known now (a dropped approximate age is seen in the birth date)
    documented = {name: _documented(name, new[name]) for name in changed if new.get(name) is not None}
    task_uuid = f"{TASK}-{case.id}-{_count(session, case.id) + 1}"
    session.add(
        m.TaskHistory(
            case_id=case.id,
            task_uuid=task_uuid,
            task_key=TASK,
            title=TITLE,
            lane="",
            completed_by_user_id=actor.user_id,
            completed_at=work.now,
            values=seal_history_values(work, case.reference, task_uuid, documented),
        )
    )
    case.version += 1  # a page showing the old data is now stale
    session.flush()
    payload = {"fields": changed, "values": {name: new.get(name) for name in changed}}
    record(work, EventType.CASE_DETAILS_COMPLETED, actor=actor, case=case, payload=payload)
    return changed


def _merged(work: Work, old: Mapping[str, Any], changes: object) -> tuple[dict[str, Any], list[str]]:
    """The child's data with the changes, checked; and the names of the fields that changed."""
    if not isinstance(changes, Mapping):
        raise ValidationFailed({"angaben": ["Geben Sie die Angaben zum Kind als Objekt an."]})
    unknown_fields = sorted(k for k in changes if k not in COMPLETABLE)
    if unknown_fields:
        raise ValidationFailed(dict.fromkeys(unknown_fields, ["Diese Angabe kann hier nicht ergänzt werden."]))
    given = {k: v for k, v in changes.items() if v not in (None, "", [], {})}
    merged = {**old, **given}
    still_unknown = [name for name in old.get(UNKNOWN, []) if name not in given]
    merged.pop(UNKNOWN, None)
    if still_unknown:
        merged[UNKNOWN] = still_unknown
    if "geburtsdatum" in given:  # the birth date replaces the approximate age
        merged.pop(APPROXIMATE_AGE, None)
    today = work.now.astimezone(BERLIN).date()
    new, errors = check_child(merged, today, may_be_incomplete=True)
    if errors:
        raise ValidationFailed(errors)
    changed = [name for name in (*COMPLETABLE, APPROXIMATE_AGE) if old.get(name) != new.get(name)]
    if not changed:
        raise ValidationFailed({"angaben": ["Sie haben keine Angabe ergänzt oder geändert."]})
    return new, changed


def _documented(name: str, value: Any) -> Any:
    """A value as the file entry shows it: the address as one line."""
    if name == "anschrift" and isinstance(value, Mapping):
        town = f"{value.get('plz', '')} {value.get('ort', '')}".strip()
        return ", ".join(part for part in (value.get("strasse"), town) if part)
    return value


def _count(session: Any, case_id: int) -> int:
    done = select(func.count()).select_from(m.TaskHistory)
    return session.execute(done.where(m.TaskHistory.case_id == case_id, m.TaskHistory.task_key == TASK)).scalar_one()


@cache
def details_labels() -> FormDefinition:
    """The labels of a completion's file entry: the child's form, with the address as one line."""
    fields = tuple(f for f in child_form().fields if f.name in (*COMPLETABLE, APPROXIMATE_AGE))
    return FormDefinition(TASK, TITLE, "", (*fields, FormField("anschrift", "Anschrift", "text")))
