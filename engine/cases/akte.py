"""The Akte as a document: the case file of one case, for one purpose, as a case worker hands it out.

Two occasions need an Akte outside the application: the parents' inspection of the file
(`akteneinsicht`, § 25 SGB X, § 83 DSGVO Art. 15) and a submission to the Familiengericht or an
internal use (`familiengericht`, `intern`). For the inspection, the reporter's identity and third
parties' data are blacked out (engine/cases/redaction.py); the other purposes get the full file.
Only the case's own organisation's case workers export — never the insoweit erfahrene Fachkraft
(she sees pseudonyms only), an administrator or an auditor — and every export names its purpose and
a reason, both recorded in the audit trail (`case.exported`, engine/cases/facade.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.actor import Actor
from engine.cases.case_file import CaseFile, FileValue, case_file
from engine.cases.file_values import display_value
from engine.cases.queries import visible_case
from engine.cases.redaction import redacted_for_inspection
from engine.errors import NotAllowed, ValidationFailed, denied
from engine.forms.builtin import child_form
from engine.permissions import works_case_of_organisation
from engine.persistence import models as m
from engine.persistence.sealed import open_child
from engine.transactions import Work

INSPECTION = "akteneinsicht"

#: purpose → its title on the document and in the forms
PURPOSES = {
    INSPECTION: "Akteneinsicht der Sorgeberechtigten (geschwärzt)",
    "familiengericht": "Vorlage beim Familiengericht (vollständig)",
    "intern": "Interne Verwendung (vollständig)",
}
MIN_REASON = 5
MAX_REASON = 500


@dataclass(frozen=True)
class Akte:
    file: CaseFile
    #: the child's data with labels (the case's own organisation always knows the child)
    child: tuple[tuple[str, FileValue], ...]
    purpose: str
    purpose_title: str
    reason: str
    created_at: datetime
    created_by: str


def check_request(purpose: object, reason: object) -> tuple[str, str]:
    """Purpose and reason of an export, both checked in one pass (ValidationFailed names each)."""
    errors: dict[str, list[str]] = {}
    if purpose not in PURPOSES:
        known = ", ".join(PURPOSES)
        errors["purpose"] = [f"Bitte einen Zweck wählen ({known})."]
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < MIN_REASON:
        errors["reason"] = [f"Bitte den Anlass der Ausfertigung angeben (mindestens {MIN_REASON} Zeichen)."]
    elif len(text) > MAX_REASON:
        errors["reason"] = [f"Der Anlass darf höchstens {MAX_REASON} Zeichen lang sein."]
    if errors:
        raise ValidationFailed(errors)
    return str(purpose), text


def build_akte(work: Work, actor: Actor, case_id: int, purpose: object, reason: object) -> Akte:
    """The Akte of one case for `purpose`. Who may export is checked before what was asked: a case
    the actor may not see is NotFound, an insofa's export NotAllowed, then purpose and reason."""
    case = visible_case(work.session, actor, case_id, view="akte")
    if not works_case_of_organisation(actor, case.organisation_id):
        refused = NotAllowed("Die Akte dürfen nur die Fachkräfte der fallführenden Organisation ausfertigen.")
        raise denied(refused, actor, case.id, view="akte")
    purpose, reason = check_request(purpose, reason)
    file = case_file(work, actor, case_id)
    process = work.catalog.load(work.session, case.definition_id)
    if purpose == INSPECTION:
        file = redacted_for_inspection(file, process.manifest.schwaerzung)
    return Akte(
        file=file,
        child=_child(work, case) if not file.shredded else (),
        purpose=purpose,
        purpose_title=PURPOSES[purpose],
        reason=reason,
        created_at=work.now,
        created_by=actor.display_name,
    )


def _child(work: Work, case: m.Case) -> tuple[tuple[str, FileValue], ...]:
    data = open_child(work, case)
    rows = []
    for form_field in child_form().fields:
        if form_field.name in data:
            value = data[form_field.name]
            rows.append((form_field.name, FileValue(form_field.label, value, display_value(form_field, value, str))))
    return tuple(rows)
