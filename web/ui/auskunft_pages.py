"""`/auskunft`: a Jugendamt's Leitung answers a person's request for access to their data (R38: Art. 15
DSGVO, § 83 SGB X) — what the Jugendamt stores about a child or a Sorgeberechtigter across its cases,
with the protected parts withheld, as a printable document (HTML, or PDF to hand out).

Only holders of `ja_leitung` reach the page (anyone else: 403). The engine finds the cases through the
blind index, withholds what is protected and audits every answer (`person.auskunft`, without the
names asked for); the page only collects the request and shows the answer. The request is sent by
POST, so the person's name never appears in a URL, a log line or the browser history.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from engine.api import AUSKUNFT_ROLE, REDACTED, Auskunft
from engine.errors import ValidationFailed
from web.akte_pdf import document_pdf
from web.retention_periods import retention_policy
from web.ui.access import current_actor, engine, no_store, role_required
from web.ui.error_pages import show_instead
from web.ui.navigation import add_nav_item

FIELDS = ("art", "vorname", "nachname", "geburtsdatum", "name")

bp = Blueprint("auskunft", __name__)


def _form(values: Any, errors: dict[str, list[str]], status: int = 200) -> tuple[str, int]:
    return render_template("auskunft/index.html", values=values, errors=errors), status


@bp.get("/auskunft")
@role_required(AUSKUNFT_ROLE)
@no_store
def index() -> tuple[str, int]:
    return _form({"art": "kind"}, {})


@bp.post("/auskunft")
@role_required(AUSKUNFT_ROLE)
@no_store
def answer() -> Any:
    values = {name: request.form.get(name, "") for name in FIELDS}
    show_instead(ValidationFailed, lambda exc: _form(values, exc.errors, 422))
    auskunft = engine().subject_access(current_actor(), values, retention_policy())
    html = document_html(auskunft)
    if request.form.get("format") != "pdf":
        return html
    return Response(
        document_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="Auskunft-{auskunft.created_at:%Y%m%d-%H%M%S}.pdf"'},
    )


def document_html(auskunft: Auskunft) -> str:
    with force_locale("de"):  # the document's language, whatever the reader's UI language: it goes to the person
        return render_template("auskunft/dokument.html", auskunft=auskunft, redacted=REDACTED)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "auskunft.index", _l("Auskunft"), roles={AUSKUNFT_ROLE}, order=75)
