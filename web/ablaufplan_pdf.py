"""The network's Ablaufplan as a PDF: the page's content (netzwerk/_plan.html) in a print layout,
printed by WeasyPrint like the Akte (web/akte_pdf.py) — tagged PDF/UA-1, German whatever the
reader's UI language, since it hangs on the wall of a Kita or a school. The flow is drawn by the
page's own stylesheet (static/ablaufplan.css), so the paper shows what the screen shows."""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML

from engine.api import Ablaufplan
from web.akte_pdf import PDF_VARIANT
from web.labels import roles_label

FLOW_CSS = Path(__file__).parent / "static" / "ablaufplan.css"


def plan_pdf(plan: Ablaufplan) -> bytes:
    with force_locale("de"):
        html = render_template("netzwerk/ablaufplan_druck.html", plan=plan, roles_label=roles_label)
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(FLOW_CSS))], pdf_variant=PDF_VARIANT)
    return pdf
