"""The Löschsperre (legal hold, R25) on the case page: the Leitung of the Jugendamt that owns the case
sets it with a reason and releases it with a reason; everyone who sees the case sees that it is held.
The engine decides who may (`CaseEngine.set_case_hold`); a refusal shows the case page with the reason.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from engine.errors import Conflict, NotAllowed, ValidationFailed
from web.ui.access import current_actor, engine
from web.ui.bundle_texts import joined_messages
from web.ui.case_pages import cases_bp
from web.ui.case_view import render_case
from web.ui.error_pages import show_instead


def _refusals(case_id: int) -> None:
    show_instead(ValidationFailed, lambda exc: render_case(case_id, refusal=joined_messages(exc.errors)))
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail))
    show_instead(Conflict, lambda exc: render_case(case_id, refusal=exc.detail))


@cases_bp.post("/faelle/<int:case_id>/loeschsperre")
def set_hold(case_id: int) -> BaseResponse:
    _refusals(case_id)
    engine().set_case_hold(current_actor(), case_id, request.form.get("grund", ""))
    flash(_("Löschsperre gesetzt: Der Fall wird nicht gelöscht, solange sie besteht."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@cases_bp.post("/faelle/<int:case_id>/loeschsperre/aufheben")
def release_hold(case_id: int) -> BaseResponse:
    _refusals(case_id)
    engine().release_case_hold(current_actor(), case_id, request.form.get("grund", ""))
    flash(_("Löschsperre aufgehoben: Der Fall wird nach Ablauf seiner Aufbewahrungsfrist gelöscht."), "info")
    return redirect(url_for("cases.show", case_id=case_id))
