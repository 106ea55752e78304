"""Several children of one household at once (issue 16 item 2): a Jugendamt's own report about a
family — a neighbour calls about "the children on the third floor" — opens one case per child.

What the household shares is entered once and given to every child (`SHARED`: the Wohnort, which
routes all of them to the same Jugendamt, the address, the Sorgeberechtigte), and so is the call
itself: the values of the first step every case starts with (jugendamt_8a: "Eingang erfassen", who
called, when, anonymously or not, what was said), completed in each case by the person who took the
call. Each child keeps its own case — its own Gefährdungseinschätzung, Fristen and file (§ 8a is
about one child) — and the cases name each other as `SIBLINGS`.

All or nothing, in one unit of work: every child's data, the household's and the call's are checked
first and refused together (errors keyed `kinder.<n>.<field>`, `eingang.<field>`, shared fields by
their own name); only then are the cases created, linked and their first steps completed, each
audited (`case.created`, `task.completed`). An error while writing rolls the whole unit back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from engine.actor import Actor
from engine.cases import completion, opening
from engine.cases import state as case_state
from engine.errors import ValidationFailed, merge_errors
from engine.forms import check_submission, limits
from engine.forms.messages import UNKNOWN
from engine.persistence import models as m
from engine.processes.catalog import LoadedProcess, UserTaskSpec
from engine.processes.spiff import Instance
from engine.transactions import Work

#: The child's fields the household shares, entered once for all children.
SHARED = ("wohnort_gemeinde", "anschrift", "sorgeberechtigte")
#: The relation written between every two cases opened together.
SIBLINGS = "gleicher_haushalt"
#: At most this many children in one report (a form a person can still read).
MAX_CHILDREN = limits.DEFAULT_MAX_CHILDREN
ONLY_JUGENDAMT = (
    "Mehrere Kinder eines Haushalts kann nur ein Jugendamt bei einem selbst aufgenommenen Hinweis erfassen."
)

Errors = dict[str, list[str]]


def open_household(
    work: Work,
    actor: Actor,
    *,
    process_key: str,
    household: object,
    children: object,
    first_step: object = None,
    jugendamt_key: str | None = None,
    organisation_key: str | None = None,
) -> list[case_state.CaseState]:
    """One case per child of `children`, each with the `household`'s shared data; `first_step`
    (optional) are the values of the step every case starts with, completed in each. Returns the
    cases in the order of `children`; `ValidationFailed` carries every error of every child."""
    process, organisation, errors = opening.starting_point(work, actor, process_key, organisation_key)
    if organisation is not None and organisation.kind != "jugendamt":
        raise ValidationFailed({"kinder": [ONLY_JUGENDAMT]})
    openings, child_errors = _check_children(work, organisation, household, children, jugendamt_key)
    step, step_errors = _check_first_step(work, process, first_step)
    errors = merge_errors(errors, child_errors, step_errors)
    if errors:
        raise ValidationFailed(errors)
    assert process is not None  # no errors: found
    count = len(openings)
    states = [
        opening.create(work, actor, process, one, facts={"haushalt_kinder": count, "haushalt_nr": n})
        for n, one in enumerate(openings, start=1)
    ]
    _link(work, states)
    if step is not None:
        for state in states:
            completion.complete_task(work, actor, _open_task_id(work, state.case.id, step.key), first_step)
    return states


def _check_children(
    work: Work, organisation: m.Organisation | None, household: object, children: object, jugendamt_key: str | None
) -> tuple[list[opening.Opening], Errors]:
    if not isinstance(household, Mapping):
        return [], {"haushalt": ["Die Angaben zum Haushalt fehlen oder sind kein Objekt."]}
    if not isinstance(children, list) or not children:
        return [], {"kinder": ["Geben Sie mindestens ein Kind an."]}
    if len(children) > MAX_CHILDREN:
        return [], {"kinder": [f"Höchstens {MAX_CHILDREN} Kinder in einer Meldung; bitte weitere einzeln anlegen."]}
    shared = {k: v for k, v in household.items() if k in SHARED}
    errors: Errors = {key: [UNKNOWN] for key in household if key not in SHARED}
    openings = []
    for n, child in enumerate(children):
        one = _check_child(work, organisation, shared, child, jugendamt_key, f"kinder.{n}")
        openings.append(one)
        for key, messages in one.errors.items():
            if key not in errors:  # a shared field's error is the same for every child: said once
                errors[key] = messages
    return openings, errors


def _check_child(
    work: Work,
    organisation: m.Organisation | None,
    shared: Mapping[str, Any],
    child: object,
    jugendamt_key: str | None,
    prefix: str,
) -> opening.Opening:
    """One child's opening; its own errors under `prefix`, those of shared fields under their name."""
    if not isinstance(child, Mapping):
        return opening.Opening(organisation, {}, None, False, {prefix: ["Die Angaben zum Kind sind kein Objekt."]})
    own_shared = sorted(k for k in child if k in SHARED)
    checked = opening.check_opening(work, organisation, {**child, **shared}, jugendamt_key)
    errors: Errors = {
        (key if key.partition(".")[0] in (*SHARED, "jugendamt") else f"{prefix}.{key}"): messages
        for key, messages in checked.errors.items()
    }
    for key in own_shared:
        errors.setdefault(f"{prefix}.{key}", []).append("Für den Haushalt angeben, nicht je Kind.")
    return replace(checked, errors=errors)


def first_step(process: LoadedProcess) -> UserTaskSpec | None:
    """The one step a case opened by hand starts with (None: none, or several), found by running a
    throw-away instance to its first wait — no task key is hard-wired."""
    steps = Instance.new(process.parsed, {**case_state.statistics_variables({}), "meldung": None}).open_steps()
    return process.task(steps[0].key) if len(steps) == 1 and steps[0].key in process.user_tasks else None


def _check_first_step(work: Work, process: LoadedProcess | None, values: object) -> tuple[UserTaskSpec | None, Errors]:
    """The step every case of the process starts with, and the errors of its values (none given: none)."""
    if values is None or process is None:
        return None, {}
    spec = first_step(process)
    if spec is None:
        return None, {"eingang": ["Dieser Prozess beginnt nicht mit einem Schritt, der vorab ausgefüllt werden kann."]}
    _, found = check_submission(spec.form, values, now=work.now)
    errors = {("eingang" if key == "_schema" else f"eingang.{key}"): messages for key, messages in found.items()}
    return spec, errors


def _link(work: Work, states: list[case_state.CaseState]) -> None:
    """Every case names every other one of the household, both ways."""
    for state in states:
        for other in states:
            if other is not state:
                work.session.add(m.CaseLink(case_id=state.case.id, linked_case_id=other.case.id, relation=SIBLINGS))
    work.session.flush()


def _open_task_id(work: Work, case_id: int, task_key: str) -> str:
    return work.session.execute(
        select(m.OpenTask.id).where(m.OpenTask.case_id == case_id, m.OpenTask.task_key == task_key)
    ).scalar_one()
