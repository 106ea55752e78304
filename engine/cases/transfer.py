"""Handing a running case to the newly responsible Jugendamt (R37, § 8a Abs. 6 SGB VIII, § 86 when
the family moves), in one unit of work: both sides change and are audited together or not at all.

What crosses is listed here and nowhere else (`SENT`, the child's data and the sender's
Übergabevermerk): § 8a Abs. 6 allows the data the new Jugendamt needs for its risk assessment. The
sending case's step-by-step documentation, the identity of whoever reported (R36, § 65) and data
entrusted for personal help (R33: only under § 65 Abs. 1 Nr. 3, so the Fachkraft decides what goes
into the Übergabevermerk) stay with the sender; `NOT_SENT` names them for the confirm page.

The receiving Jugendamt gets a new case of the same process in its Eingang, opened like any case
(earlier reports of the child matched, indexed), linked both ways and carrying the transfer as a
received message in its file. The sending case's instance is cancelled where it stands — open steps,
waits and armed timers alike, so no timer fires later — its deadlines are closed, escalation tasks
removed, and its file ends with the entry "Fall abgegeben an …".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import delete, select

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import state as case_state
from engine.cases.file_values import display_value
from engine.cases.messages import keep_message
from engine.cases.visibility import can_see_case
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed, denied, merge_errors
from engine.forms.builtin import child_form, transfer_form
from engine.forms.definition import FormDefinition, FormField
from engine.forms.validation import check_submission
from engine.persistence import models as m
from engine.persistence.sealed import open_child, seal_history_values
from engine.processes.spiff import OutgoingMessage
from engine.transactions import Work

#: The name of the transfer as a received message (the receiving case's file shows it).
MESSAGE = "abgabe_8a"
#: Relations written on both cases.
SENT_TO, RECEIVED_FROM = "abgegeben_an", "uebernommen_von"
#: Who may hand a case over: the case workers of the Jugendamt that holds it.
TRANSFER_ROLES = frozenset({"ja_fachkraft", "ja_leitung"})

#: What the receiving Jugendamt gets besides the child's data, with its German label (the confirm
#: page lists it, the receiving file labels it): § 8a Abs. 6 "die erforderlichen Daten".
SENT = {
    "abgebendes_jugendamt": "Abgebendes Jugendamt",
    "bezug": "Aktenzeichen beim abgebenden Jugendamt",
    "kontakt": "Ansprechperson",
    "telefon": "Telefon",
    "eingegangen_am": "Erster Hinweis eingegangen am",
    "dringlichkeit": "Dringlichkeit (Ampel) beim abgebenden Jugendamt",
    "anlass": "Anlass der Abgabe",
    "uebergabevermerk": "Übergabevermerk",
}
CHILD_SENT = "Daten des Kindes: Name, Geburtsdatum, Geschlecht, Wohnort, Anschrift, Sorgeberechtigte"
NOT_SENT = (
    "die Dokumentation der einzelnen Schritte (Ersteinschätzung, Gefährdungseinschätzung, Hausbesuch …)",
    "die Identität der meldenden Person oder Stelle (§ 65 SGB VIII)",
    "anvertraute Daten (§ 65 SGB VIII), soweit Sie sie nicht selbst in den Übergabevermerk schreiben",
    "verknüpfte Fälle, Fristen und Aufgaben",
)


#: The history row of the hand-over in the sender's file.
TASK = "abgabe"
#: The sender's last file entry: where the case went (besides the Übergabevermerk's fields).
HANDED_TO = "abgegeben_an"


@cache
def transfer_labels() -> FormDefinition:
    """The labels of what a transfer documents, for both files: the sender's last entry and the
    receiver's received message (the Übergabevermerk's own fields keep their options)."""
    own = transfer_form().fields
    names = {f.name for f in own}
    extra = tuple(
        FormField(name, label, "datetime" if name.endswith("_am") else "text")
        for name, label in SENT.items()
        if name not in names
    )
    return FormDefinition("abgabe", "", "", (*own, *extra, FormField(HANDED_TO, "Abgegeben an", "text")))


@dataclass(frozen=True)
class Transfer:
    """The outcome for the sender: its case (closed) and the receiving Jugendamt's new case."""

    case_id: int
    reference: str
    to_jugendamt: str
    to_jugendamt_name: str
    new_reference: str


@dataclass(frozen=True)
class Preview:
    """What a transfer would send, for the confirm page: to whom, the listed data with their values
    as the receiver will read them (label, text), the child's data, and what stays."""

    to_jugendamt: str
    to_jugendamt_name: str
    sent: tuple[tuple[str, str], ...]
    child: tuple[tuple[str, str], ...]
    not_sent: tuple[str, ...] = NOT_SENT


def _checked(
    work: Work, actor: Actor, case_id: int, data: object, *, lock: bool
) -> tuple[m.Case, m.Organisation, dict[str, Any]]:
    """Every refusal of a transfer, before anything is read or written: the case, the receiving
    Jugendamt and the Übergabevermerk's clean values."""
    session = work.session
    case = case_state.lock_case(session, case_id) if lock else session.get(m.Case, case_id)
    if case is None:
        raise NotFound("Fall nicht gefunden.")
    if not can_see_case(session, actor, case):
        raise denied(NotFound("Fall nicht gefunden."), actor, case.id, action="transfer")
    if not actor.roles_in(case.organisation_id) & TRANSFER_ROLES:
        raise NotAllowed("Nur Fachkräfte und die Leitung des Jugendamts, das den Fall führt, können ihn abgeben.")
    if case.status != case_state.OPEN:
        raise Conflict("Der Fall ist abgeschlossen und kann nicht mehr abgegeben werden.")
    values, form_errors = check_submission(transfer_form(), _without(data, "jugendamt"), now=work.now)
    target, target_errors = _target(session, case, data)
    errors = merge_errors(target_errors, form_errors)
    if errors or target is None:
        raise ValidationFailed(errors)
    return case, target, values


def preview_transfer(work: Work, actor: Actor, case_id: int, data: object) -> Preview:
    """The confirm page's content; the same checks as the transfer, nothing written."""
    case, target, values = _checked(work, actor, case_id, data, lock=False)
    office = work.session.get(m.Organisation, case.organisation_id)
    assert office is not None
    labels = {f.name: f for f in transfer_labels().fields}
    payload = _payload(work, actor, case, office, values)
    sent = tuple((labels[k].label, display_value(labels[k], v, str)) for k, v in payload.items())
    child = open_child(work, case)
    shown = tuple(
        (f.label, display_value(f, child[f.name], str))
        for f in child_form().fields
        if child.get(f.name) not in (None, "", [])
    )
    return Preview(target.key, target.name, sent, shown)


def transfer_case(work: Work, actor: Actor, case_id: int, data: object) -> Transfer:
    session = work.session
    case, target, values = _checked(work, actor, case_id, data, lock=True)
    sender = case_state.load(work, case)
    office = session.get(m.Organisation, case.organisation_id)
    assert office is not None
    payload = _payload(work, actor, case, office, values)
    child = open_child(work, case)
    process = work.catalog.newest(session, sender.process.key)
    opened = case_state.create_case(
        work,
        process,
        organisation=target,
        jugendamt=target,
        child=child,
        variables={"meldung": None},
        opened_by=None,
        facts={"uebernommen_von": case.reference, "von_jugendamt": office.key},
    )
    session.add(m.CaseLink(case_id=case.id, linked_case_id=opened.case.id, relation=SENT_TO))
    session.add(m.CaseLink(case_id=opened.case.id, linked_case_id=case.id, relation=RECEIVED_FROM))
    keep_message(work, case, opened.case, OutgoingMessage(MESSAGE, payload))
    _close_sender(work, sender, target, opened.case.reference, actor, values)
    audited = {"anlass": values["anlass"], "daten": sorted(SENT)}
    record(
        work,
        EventType.CASE_TRANSFERRED,
        actor=actor,
        case=case,
        payload={**audited, "to_jugendamt": target.key, "to_case": opened.case.reference},
    )
    record(
        work,
        EventType.CASE_TRANSFER_RECEIVED,
        actor=None,
        case=opened.case,
        payload={**audited, "from_jugendamt": office.key, "from_case": case.reference, "payload": payload},
    )
    return Transfer(case.id, case.reference, target.key, target.name, opened.case.reference)


def _without(data: object, key: str) -> object:
    return {k: v for k, v in data.items() if k != key} if isinstance(data, Mapping) else data


def _target(session: Any, case: m.Case, data: object) -> tuple[m.Organisation | None, dict[str, list[str]]]:
    """The receiving Jugendamt named by its directory key; every wrong target is an error of the field."""
    key = data.get("jugendamt") if isinstance(data, Mapping) else None
    if not isinstance(key, str) or not key.strip():
        return None, {"jugendamt": ["Bitte wählen Sie das Jugendamt, das den Fall übernimmt."]}
    target = session.execute(select(m.Organisation).where(m.Organisation.key == key.strip())).scalar_one_or_none()
    if target is None:
        return None, {"jugendamt": [f"Ein Jugendamt „{key.strip()[:64]}“ ist nicht bekannt."]}
    if target.kind != "jugendamt":
        return None, {
            "jugendamt": [f"„{target.name}“ ist kein Jugendamt. Ein Fall kann nur an ein Jugendamt abgegeben werden."]
        }
    if target.id == case.organisation_id:
        return None, {"jugendamt": ["Der Fall liegt bereits bei diesem Jugendamt."]}
    return target, {}


def _payload(
    work: Work, actor: Actor, case: m.Case, office: m.Organisation, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Exactly the keys of `SENT` (the child's data goes as the new case's child)."""
    person = work.session.get(m.User, actor.user_id)
    payload = {
        "abgebendes_jugendamt": office.name,
        "bezug": case.reference,
        "kontakt": actor.display_name,
        "telefon": person.telefon if person is not None and person.telefon else None,
        "eingegangen_am": case.opened_at.isoformat(),
        "dringlichkeit": case.dringlichkeit,
        "anlass": values["anlass"],
        "uebergabevermerk": values["uebergabevermerk"],
    }
    assert payload.keys() == SENT.keys()
    return payload


def _close_sender(
    work: Work,
    sender: case_state.CaseState,
    target: m.Organisation,
    new_reference: str,
    actor: Actor,
    values: Mapping[str, Any],
) -> None:
    """The sender keeps a closed record: instance cancelled, deadlines closed by `save` (nothing waits
    any more), escalation tasks gone, and the last entry of its file says where the case went."""
    session, case = work.session, sender.case
    sender.instance.cancel()
    case_state.save(work, sender)
    open_escalations = select(m.OpenTask.id).where(m.OpenTask.case_id == case.id)
    session.execute(delete(m.OpenTaskBar).where(m.OpenTaskBar.task_id.in_(open_escalations)))
    session.execute(delete(m.OpenTask).where(m.OpenTask.case_id == case.id))
    task_uuid = f"abgabe-{case.id}"
    documented = {**values, HANDED_TO: f"{target.name} ({new_reference})"}
    session.add(
        m.TaskHistory(
            case_id=case.id,
            task_uuid=task_uuid,
            task_key=TASK,
            title=f"Fall abgegeben an {target.name} ({new_reference})",
            lane="",
            completed_by_user_id=actor.user_id,
            completed_at=work.now,
            values=seal_history_values(work, case.reference, task_uuid, documented),
        )
    )
    session.flush()
