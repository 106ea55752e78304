"""Opening a case (procedures.md sections 2 and 3), validated in one pass.

Everything wrong with an opening is reported at once, keyed by field: the child's data, the
municipality that routes to no Jugendamt, an unknown explicitly chosen Jugendamt, an unknown process and
an organisation that must be named. A caseworker fixing the child's birth date must not meet the unknown
municipality only on the next attempt. Who may open a case at all is asked first and refused on its own
(403): someone who may not start the process learns nothing about their input.

Nothing is written before every check has passed; a refused opening leaves no case and no audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.cases import state as case_state
from engine.cases.child import check_child
from engine.clock import BERLIN
from engine.directory.routing import FIELD as MUNICIPALITY
from engine.directory.store import load_directory
from engine.errors import NotAllowed, ValidationFailed, merge_errors
from engine.persistence import models as m
from engine.processes.catalog import LoadedProcess
from engine.transactions import Work

UNKNOWN_JUGENDAMT = "Unbekanntes Jugendamt."

Errors = dict[str, list[str]]


def open_case(
    work: Work,
    actor: Actor,
    *,
    process_key: str,
    child: object,
    jugendamt_key: str | None = None,
    organisation_key: str | None = None,
) -> case_state.CaseState:
    """Open a case for a child; the responsible Jugendamt is fixed now, from `wohnort_gemeinde`
    (§ 8a Abs. 6 SGB VIII), unless one is chosen explicitly. `ValidationFailed` carries every error."""
    process, organisation, start_errors = starting_point(work, actor, process_key, organisation_key)
    opening = check_opening(work, organisation, child, jugendamt_key)
    errors = merge_errors(start_errors, opening.errors)
    if errors:
        raise ValidationFailed(errors)
    assert process is not None  # no errors: found
    return create(work, actor, process, opening)


@dataclass(frozen=True)
class Opening:
    """One child's opening, checked: its clean data and responsible Jugendamt, or the errors."""

    organisation: m.Organisation | None
    child: dict[str, Any]
    jugendamt: m.Organisation | None
    explicit_jugendamt: bool
    errors: Errors


def starting_point(
    work: Work, actor: Actor, process_key: str, organisation_key: str | None
) -> tuple[LoadedProcess | None, m.Organisation | None, Errors]:
    """The process and the actor's organisation that starts it (NotAllowed at once if none may);
    an unknown process or an organisation to be named are errors."""
    process, errors = _process(work, process_key)
    if process is None:
        return None, None, errors
    organisation, organisation_errors = _starting_organisation(work.session, actor, process, organisation_key)
    return process, organisation, organisation_errors


def check_opening(work: Work, organisation: m.Organisation | None, child: object, jugendamt_key: str | None) -> Opening:
    """Every error of one child's data and its routing; nothing is written."""
    today = work.now.astimezone(BERLIN).date()
    # A Jugendamt taking a report itself (a call) may not know everything; a Träger's Meldung names the child.
    own_report = organisation is not None and organisation.kind == "jugendamt"
    clean_child, child_errors = check_child(child, today, may_be_incomplete=own_report)
    jugendamt, jugendamt_errors = _responsible_jugendamt(
        work.session, clean_child.get(MUNICIPALITY), jugendamt_key, today
    )
    errors = merge_errors(child_errors, jugendamt_errors)
    return Opening(organisation, clean_child, jugendamt, jugendamt_key is not None, errors)


def create(
    work: Work, actor: Actor, process: LoadedProcess, opening: Opening, facts: dict[str, Any] | None = None
) -> case_state.CaseState:
    """The case of a checked opening (no errors), recorded as `case.created` with `facts`."""
    assert opening.organisation is not None and opening.jugendamt is not None and not opening.errors
    return case_state.create_case(
        work,
        process,
        organisation=opening.organisation,
        jugendamt=opening.jugendamt,
        child=opening.child,
        variables={"meldung": None},
        opened_by=actor,
        # § 8a Abs. 6: a Jugendamt named by hand instead of the routing is a choice worth proving.
        facts={"jugendamt_ausdruecklich_gewaehlt": opening.explicit_jugendamt, **(facts or {})},
    )


def _process(work: Work, process_key: str) -> tuple[LoadedProcess | None, Errors]:
    """The newest version of the process; an unknown key is an error of the field `process`."""
    try:
        return work.catalog.newest(work.session, process_key), {}
    except ValidationFailed as exc:
        return None, exc.errors


def _starting_organisation(
    session: Session, actor: Actor, process: LoadedProcess, organisation_key: str | None
) -> tuple[m.Organisation | None, Errors]:
    """The organisation the case belongs to: the actor's one that may start the process. May the actor
    not start it at all → NotAllowed at once; belonging to several without naming one → an error."""
    kinds, roles = process.manifest.organisation_kinds, process.manifest.starter_roles
    candidates = {ms.organisation_key for ms in actor.memberships if ms.role in roles and ms.organisation_kind in kinds}
    if organisation_key is not None:
        if organisation_key not in candidates:
            raise NotAllowed("Sie dürfen diesen Prozess für diese Organisation nicht starten.")
        candidates = {organisation_key}
    if not candidates:
        raise NotAllowed("Ihre Rolle darf diesen Prozess nicht starten.")
    if len(candidates) > 1:
        choice = f"Sie gehören mehreren Organisationen an. Bitte eine angeben: {', '.join(sorted(candidates))}."
        return None, {"organisation": [choice]}
    key = candidates.pop()
    return session.execute(select(m.Organisation).where(m.Organisation.key == key)).scalar_one(), {}


def _responsible_jugendamt(
    session: Session, municipality: str | None, explicit_key: str | None, today: date
) -> tuple[m.Organisation | None, Errors]:
    """§ 8a Abs. 6: the Jugendamt of the child's place of residence; an explicit choice overrides.

    Routed only by a valid `wohnort_gemeinde` (a missing or invalid one has its error already); an
    unknown municipality, or one without a Jugendamt on `today`, is an error of that field.
    """
    if explicit_key is not None:
        office = session.execute(
            select(m.Organisation).where(m.Organisation.key == explicit_key, m.Organisation.kind == "jugendamt")
        ).scalar_one_or_none()
        return office, ({} if office is not None else {"jugendamt": [UNKNOWN_JUGENDAMT]})
    if municipality is None:
        return None, {}
    try:
        resolved = load_directory(session).resolve(municipality, today)
    except ValidationFailed as exc:
        return None, exc.errors
    return session.execute(select(m.Organisation).where(m.Organisation.key == resolved.key)).scalar_one(), {}
