"""Sibling cases opened from a step (issue 12 item 1, `weitere_kinder_im_haushalt`): a form field of
type `kinder` lets the Fachkraft name the other children of the household in the step where she
learns of them — on the Hausbesuch, say — and completing the step opens one case per child.

§ 8a is about one child, so each sibling gets its own case: the same process (its newest version,
like every new case), the same Jugendamt as the case the step belongs to — a household is one
Jugendamt's (§ 86 SGB VIII), so the sibling's case is not routed by its Wohnort but recorded as routed
from the sibling's case (`case.created`: `jugendamt_vom_geschwisterfall`) — and linked to that case
both ways (`SIBLING_OF` on the new case, `SIBLING` on the case the step belongs to).

Each entry is checked exactly like a case opening (`engine.cases.opening.check_opening`: the child's
checks of engine/cases/child.py, with the Jugendamt's right to mark a name or the birth date
unknown), its fields those of `engine.forms.builtin.sibling_form`; an entry that leaves Wohnort and
Anschrift empty gets those of the case's child (one household). Every error is keyed
`<field>.<index>.<child field>` and joins the step's other errors: one bad entry refuses the step
and opens nothing. Only then, in the completing step's unit of work, are the cases opened, linked
and audited; the step's `task.completed` names the opened cases by their Aktenzeichen, the
children's data is sealed in each new case's `case.created` (and in the step's sealed history).

Only a Jugendamt opens cases this way: a bundle with a `kinder` field must be a Jugendamt's process
(refused at deploy, engine/processes/validation/bundle.py); the check here is the runtime's guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from engine.actor import Actor
from engine.cases import opening
from engine.cases import state as case_state
from engine.forms.builtin import HOUSEHOLD_FIELDS, sibling_form
from engine.forms.definition import FormDefinition
from engine.forms.messages import UNKNOWN
from engine.persistence import models as m
from engine.persistence.sealed import open_child
from engine.transactions import Work

#: The field type whose entries open sibling cases.
TYPE = "kinder"
#: Relations written: on the new case (→ the case the step belongs to), and the other way round.
SIBLING_OF, SIBLING = "geschwisterfall_zu", "geschwisterfall"
ONLY_JUGENDAMT = "Fälle für Geschwister kann nur ein Jugendamt anlegen."

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Siblings:
    """The checked children of a step's `kinder` fields: (field name, opening) in the order given."""

    openings: tuple[tuple[str, opening.Opening], ...] = ()


def check_siblings(
    work: Work, state: case_state.CaseState, form: FormDefinition, clean: dict[str, Any]
) -> tuple[Siblings, Errors]:
    """Every entry of the form's `kinder` fields in `clean` checked like a case opening; the entries in
    `clean` are replaced by the children's clean data. Nothing is written."""
    names = [f.name for f in form.fields if f.type == TYPE and clean.get(f.name)]
    if not names:
        return Siblings(), {}
    case = state.case
    jugendamt = work.session.get(m.Organisation, case.jugendamt_id)
    organisation = work.session.get(m.Organisation, case.organisation_id)
    assert jugendamt is not None and organisation is not None
    if organisation.kind != "jugendamt":
        return Siblings(), {name: [ONLY_JUGENDAMT] for name in names}
    household = {k: v for k, v in open_child(work, case).items() if k in HOUSEHOLD_FIELDS}
    openings: list[tuple[str, opening.Opening]] = []
    errors: Errors = {}
    for name in names:
        for n, entry in enumerate(clean[name]):
            one = _check_entry(work, organisation, jugendamt, household, entry)
            openings.append((name, one))
            for key, messages in one.errors.items():
                errors.setdefault(f"{name}.{n}.{key}", []).extend(messages)
        clean[name] = [one.child for field, one in openings if field == name]
    return Siblings(tuple(openings)), errors


def _check_entry(
    work: Work,
    organisation: m.Organisation,
    jugendamt: m.Organisation,
    household: Mapping[str, Any],
    entry: Mapping[str, Any],
) -> opening.Opening:
    """One child's opening at the case's Jugendamt (an object: the form's validator saw to it), errors
    keyed by the child's field."""
    allowed = {f.name for f in sibling_form().fields}
    unknown: Errors = {str(key): [UNKNOWN] for key in entry if key not in allowed}
    given = {k: v for k, v in entry.items() if k in allowed and v not in (None, "", [], {})}
    checked = opening.check_opening(work, organisation, {**household, **given}, jugendamt.key)
    # Routed from the sibling's case, not chosen by hand (§ 86: the household's Jugendamt).
    return replace(checked, explicit_jugendamt=False, errors={**unknown, **checked.errors})


def open_siblings(work: Work, actor: Actor, state: case_state.CaseState, siblings: Siblings) -> dict[str, list[str]]:
    """Open, link and audit one case per checked child; the Aktenzeichen opened, per field."""
    if not siblings.openings:
        return {}
    case = state.case
    process = work.catalog.newest(work.session, state.process.key)
    opened: dict[str, list[str]] = {}
    for name, one in siblings.openings:
        facts = {SIBLING_OF: case.reference, "jugendamt_vom_geschwisterfall": True}
        new = opening.create(work, actor, process, one, facts=facts).case
        work.session.add(m.CaseLink(case_id=new.id, linked_case_id=case.id, relation=SIBLING_OF))
        work.session.add(m.CaseLink(case_id=case.id, linked_case_id=new.id, relation=SIBLING))
        opened.setdefault(name, []).append(new.reference)
    work.session.flush()
    return opened
