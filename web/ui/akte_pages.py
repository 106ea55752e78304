"""Die Akte als PDF: a case worker chooses the purpose and names the reason, then downloads the PDF.

`GET /faelle/<id>/akte` shows the form; it submits with GET to `/faelle/<id>/akte.pdf?zweck=…&anlass=…`
(a download, nothing changes but the audit trail). A missing purpose or reason shows the form again
with the messages (422); whether the person may export at all is the engine's decision (the
organisation's case workers only — an insofa, admin or auditor gets the refusal on the case page).
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _

from engine.api import PURPOSES
from engine.errors import NotAllowed, ValidationFailed
from web.akte_pdf import akte_filename, akte_pdf
from web.ui.access import current_actor, engine, no_store
from web.ui.bundle_texts import german_options
from web.ui.case_pages import cases_bp
from web.ui.case_view import render_case
from web.ui.error_pages import show_instead

#: the UI's parameter names → the engine's
FIELDS = {"zweck": "purpose", "anlass": "reason"}


def _form(case_id: int, values: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> tuple[str, int]:
    case = engine().case_map(current_actor(), case_id)  # a case the user may not see: the plain 404
    labels = {"zweck": _("Zweck"), "anlass": _("Anlass")}
    return (
        render_template(
            "cases/akte.html",
            case=case,
            case_id=case_id,
            purposes=german_options(PURPOSES.items()),
            values=values,
            errors=errors,
            labels=labels,
        ),
        status,
    )


def _by_ui_name(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {ui: errors[name] for ui, name in FIELDS.items() if name in errors}


@cases_bp.get("/faelle/<int:case_id>/akte")
@no_store
def akte_form(case_id: int) -> tuple[str, int]:
    return _form(case_id, {}, {})


@cases_bp.get("/faelle/<int:case_id>/akte.pdf")
@no_store
def akte_download(case_id: int) -> Any:
    values = {name: request.args.get(name, "") for name in FIELDS}
    show_instead(ValidationFailed, lambda exc: _form(case_id, values, _by_ui_name(exc.errors), 422))
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail))
    akte = engine().export_akte(current_actor(), case_id, purpose=values["zweck"], reason=values["anlass"])
    return Response(
        akte_pdf(akte),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{akte_filename(akte)}"'},
    )
