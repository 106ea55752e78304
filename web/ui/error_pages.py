"""German (or English) HTML error pages for everything outside /api/v1 (which keeps problem+json).

A case of another organisation is a plain 404 here, exactly like a case that does not exist: the
page says nothing about what was asked for.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, EngineError, NotAllowed, NotFound, ValidationFailed


def _texts(status: int) -> tuple[str, str]:
    texts = {
        400: (_("Ungültige Anfrage"), _("Die Anfrage konnte nicht verarbeitet werden.")),
        401: (_("Nicht angemeldet"), _("Bitte melden Sie sich an.")),
        403: (_("Nicht erlaubt"), _("Sie haben für diese Seite oder Aktion keine Berechtigung.")),
        404: (
            _("Seite nicht gefunden"),
            _("Die Seite gibt es nicht, oder Sie haben keinen Zugriff darauf. Prüfen Sie die Adresse."),
        ),
        405: (_("Aktion nicht möglich"), _("Diese Aktion ist auf dieser Seite nicht vorgesehen.")),
        409: (
            _("Inzwischen geändert"),
            _("Der Vorgang wurde inzwischen geändert. Bitte laden Sie die Seite neu und prüfen Sie den Stand."),
        ),
        413: (_("Anfrage zu groß"), _("Die gesendeten Daten sind zu umfangreich.")),
        422: (_("Eingaben ungültig"), _("Bitte prüfen Sie Ihre Eingaben.")),
        500: (
            _("Ein Fehler ist aufgetreten"),
            _("Ein unerwarteter Fehler ist aufgetreten. Es wurde nichts gespeichert. Bitte versuchen Sie es erneut."),
        ),
    }
    return texts.get(status, (_("Fehler"), _("Die Anfrage konnte nicht verarbeitet werden.")))


def _status_of(exc: BaseException | None, status: int) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, ValidationFailed):
        return 422
    return status


def render_error(status: int, exc: BaseException | None = None) -> Response:
    status = _status_of(exc, status)
    title, message = _texts(status)
    detail = None
    if isinstance(exc, CSRFError):
        title = _("Formular abgelaufen")
        message = _(
            "Das Formular war zu lange geöffnet oder wurde schon gesendet. Bitte laden Sie die Seite neu "
            "und senden Sie es erneut."
        )
    elif isinstance(exc, NotAllowed | Conflict) and isinstance(exc, EngineError):
        detail = exc.detail  # the engine's reasons name rules, never personal data
    try:
        body = render_template("errors/error.html", status=status, title=title, message=message, detail=detail)
    except Exception:  # noqa: BLE001 - an error page must not fail in turn
        current_app.logger.exception("error page failed")
        body = f"<!doctype html><html lang='de'><title>{status}</title><h1>{status}</h1></html>"
    response = Response(body, status=status, mimetype="text/html")
    if isinstance(exc, HTTPException) and status == 405:
        allow = dict(exc.get_headers()).get("Allow")
        if allow:
            response.headers["Allow"] = allow
    return response


def register(app: Flask) -> None:
    app.extensions["schutzpfad.html_errors"] = render_error
