"""German (or English) HTML error pages for everything outside /api/v1 (which keeps problem+json).

The status of an error comes from the one table in web/errors.py; this module only words the page.
A case of another organisation is a plain 404 here, exactly like a case that does not exist: the
page says nothing about what was asked for.

A view whose form the engine may refuse does not catch the refusal itself: it names, before calling
the engine, the page to show instead (`show_instead(ValidationFailed, lambda exc: form again…)`) —
typically its form again with the values and the engine's messages at the fields. That page gets the
error's status from the table too (422 for invalid input), unless it is a redirect. On an English page
the engine's German messages reach either page marked lang="de" (web/ui/bundle_texts.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, g, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, EngineError, LimitExceeded, NotAllowed
from web.ui.bundle_texts import in_page_language_error

E = TypeVar("E", bound=EngineError)


def show_instead(kind: type[E], page: Callable[[E], ResponseReturnValue]) -> None:
    """For the rest of this request: an engine error of `kind` shows `page(error)`, not the error page."""
    g.setdefault("sp_error_pages", []).insert(0, (kind, page))


def _page_of_view(status: int, exc: BaseException | None) -> Response | None:
    for kind, page in g.get("sp_error_pages", []):
        if isinstance(exc, kind):
            response = make_response(page(in_page_language_error(exc)))
            if not 300 <= response.status_code < 400:  # a redirect stays one
                response.status_code = status
            return response
    return None


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


def render_error(status: int, exc: BaseException | None = None) -> Response:
    """The page for an error whose status web/errors.py determined: the view's own, or the error page."""
    own = _page_of_view(status, exc)
    if own is not None:
        return own
    title, message = _texts(status)
    detail = None
    if isinstance(exc, CSRFError):
        title = _("Formular abgelaufen")
        message = _(
            "Das Formular war zu lange geöffnet oder wurde schon gesendet. Bitte laden Sie die Seite neu "
            "und senden Sie es erneut."
        )
    elif isinstance(exc, NotAllowed | Conflict):
        detail = in_page_language_error(exc).detail  # the engine's reasons name rules, never personal data
    elif isinstance(exc, LimitExceeded):  # a process expression overran: nothing was saved
        title = _("Rechengrenze überschritten")
        detail = in_page_language_error(exc).detail
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
