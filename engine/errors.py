"""The engine's exceptions: one clear exception per failed rule, never a False return.

Messages are German (they reach caseworkers through the API and the UI) and never carry personal
data: no child's name, no form content — only field names, task ids and references.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from engine.actor import Actor


@dataclass(frozen=True)
class Denial:
    """An existing case an actor was refused, and what they tried (`payload`, e.g. `{"view": "file"}`).

    Set on the refusal where the permission check fails (`denied`); the transaction runner records
    every refusal that carries one as `access.denied` — one mechanism for every read and command,
    so probing another organisation's ids leaves a trace whichever route it uses."""

    actor: Actor
    case_id: int
    payload: dict[str, Any] = field(default_factory=dict)


class EngineError(Exception):
    """Base class: `title` is a short German summary, `detail` the specific reason; `denial` is set
    when the refusal is a denied access to an existing case (see `Denial`)."""

    title = "Fehler"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.denial: Denial | None = None


class NotFound(EngineError):
    """Unknown, or not visible to the caller (indistinguishable on purpose: deny by default)."""

    title = "Nicht gefunden"


class NotAllowed(EngineError):
    """Visible to the caller, but this action is not allowed (role, lane, Mehraugenprinzip)."""

    title = "Nicht erlaubt"


class NotYourTurn(NotAllowed):
    """A step of the caller's case that is somebody else's to do (another role's lane, another
    person under the Mehraugenprinzip): nothing is wrong, it is just not the caller's turn, and the
    detail says kindly who is (issue 16 item 3)."""

    title = "Nicht Ihr Schritt"


E = TypeVar("E", bound=EngineError)


def denied(error: E, actor: Actor, case_id: int, **payload: Any) -> E:
    """`error` marked as the actor's denied access to case `case_id` (the runner records `access.denied`)."""
    error.denial = Denial(actor, case_id, payload)
    return error


class Conflict(EngineError):
    """The task is no longer open, or a concurrent change won (optimistic lock)."""

    title = "Konflikt"


class StaleCase(Conflict):
    """The case changed between load and write: somebody else completed a step first."""


class OperationFailed(EngineError):
    """An operator's command (backup, restore) cannot be carried out; `detail` says why and what to do."""

    title = "Vorgang nicht möglich"


class ValidationFailed(EngineError):
    """Input does not validate; `errors` maps field names to German messages."""

    title = "Eingaben ungültig"

    def __init__(self, errors: dict[str, list[str]], detail: str = "Bitte prüfen Sie die markierten Felder.") -> None:
        super().__init__(detail)
        self.errors = errors


def merge_errors(*parts: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The field errors of several checks as one answer (a field's messages in the order of the checks):
    a form is refused once with everything wrong with it, not once per check."""
    merged: dict[str, list[str]] = {}
    for part in parts:
        for key, messages in part.items():
            merged.setdefault(key, []).extend(messages)
    return merged


class DefinitionInvalid(EngineError):
    """A process bundle (BPMN, forms, manifest) breaks the rules; `problems` lists every one."""

    title = "Prozessdefinition ungültig"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} Problem(e) in der Prozessdefinition")
        self.problems = problems


class LimitExceeded(EngineError):
    """A process expression went beyond its limits (engine/processes/sandbox/limits.py): too large a
    value, too many operations, too much CPU time. The step is refused and nothing is saved."""

    title = "Rechengrenze überschritten"
