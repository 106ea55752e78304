"""The Akte as a PDF: the case file rendered with the same templates as the pages, printed by WeasyPrint.

One renderer for the UI (`/faelle/<id>/akte.pdf`) and the API (`/api/v1/cases/<id>/file.pdf`). The
document is German whatever the reader's UI language: it goes to the parents or a court. WeasyPrint
writes a tagged PDF/UA-1 (structure tree, document language, title), so a screen reader can read it;
every page carries the Aktenzeichen, the purpose, the creation time and "Seite n von m".
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from weasyprint import HTML

from engine.api import INSPECTION, REDACTED, Akte

#: the PDF profile: tagged and accessible (PDF/UA-1)
PDF_VARIANT = "pdf/ua-1"


def akte_html(akte: Akte) -> str:
    with force_locale("de"):  # the document's language, whatever the reader's UI language
        return render_template("akte/akte.html", akte=akte, redacted=REDACTED, inspection=akte.purpose == INSPECTION)


def akte_pdf(akte: Akte) -> bytes:
    """The PDF bytes of an Akte (the export was audited by the engine before this runs)."""
    return document_pdf(akte_html(akte))


def document_pdf(html: str) -> bytes:
    """A printable German document (the Akte, the Auskunft of R38) as a tagged PDF."""
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def akte_filename(akte: Akte) -> str:
    """`Akte-<Aktenzeichen>-<zweck>.pdf` — the reference only, never the child's name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in akte.file.reference)
    return f"Akte-{safe}-{akte.purpose}.pdf"
