"""Prüfen und senden: the page between a valid form and a step that sends something to another
organisation (a Meldung, a Rückmeldung cannot be called back; issue 16).

The page shows what the engine's check (`CaseEngine.check_transmission`) says the step would send,
to whom, and what of the case file stays. Nothing is saved before the confirmation: the entered form
travels with the page as a token signed with the application's secret (itsdangerous, bound to the
user, the task and the case version the check was computed on, valid for an hour), so neither a
server-side draft nor hidden fields the browser could alter are needed. "Senden" completes the step
with exactly the checked values and the checked case version (a case changed meanwhile: the form
again, 409); "Zurück" shows the form with the values. The API has no such page: a client that
completes a task sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from engine.api import TransmissionCheck
from engine.clock import BERLIN
from web.ui.access import current_actor

#: The form's own controls, not part of what is checked and sent.
_CONTROLS = frozenset({"csrf_token", "sp_aktion", "sp_pruefung"})
#: How long a check may be confirmed: longer is a stale picture of the case.
MAX_AGE_SECONDS = 3600


class CheckExpired(Exception):
    """The signed form is missing, altered, someone else's or older than an hour."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="sp-pruefen-und-senden")


def seal(task_id: str, check: TransmissionCheck, posted: MultiDict[str, str]) -> str:
    """The entered form, signed for this user, task and case version."""
    items = [[k, v] for k, v in posted.items(multi=True) if k not in _CONTROLS]
    sealed = {"u": current_actor().user_id, "t": task_id, "v": check.case_version, "r": recipients(check), "f": items}
    return _serializer().dumps(sealed)


@dataclass(frozen=True)
class Checked:
    """What the user confirmed: the case version the check was computed on and the recipients."""

    case_version: int
    recipients: str


def unseal(token: str, task_id: str) -> tuple[MultiDict[str, str], Checked]:
    """The form and what the check showed, if the token is this user's for this task."""
    try:
        data: Any = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature as exc:  # SignatureExpired is one
        raise CheckExpired from exc
    if not isinstance(data, dict) or data.get("u") != current_actor().user_id or data.get("t") != task_id:
        raise CheckExpired
    return MultiDict([(str(k), str(v)) for k, v in data["f"]]), Checked(int(data["v"]), str(data["r"]))


def recipients(check: TransmissionCheck) -> str:
    names = list(dict.fromkeys(t.recipient for t in check.transmissions))
    return " und ".join(names)


def render_check(case_id: int, task: dict[str, Any], check: TransmissionCheck, token: str) -> str:
    return render_template(
        "cases/transmission.html",
        case_id=case_id,
        task=task,
        check=check,
        token=token,
        recipients=recipients(check),
    )


def sent_notice(recipient: str, at: datetime) -> str:
    """„Gesendet an … am … um … Uhr.“ in Berlin time."""
    local = at.astimezone(BERLIN)
    day, time = local.strftime("%d.%m.%Y"), local.strftime("%H:%M")
    return _("Gesendet an %(recipient)s am %(date)s um %(time)s Uhr.", recipient=recipient, date=day, time=time)
