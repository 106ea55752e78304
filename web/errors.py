"""Errors → responses, in one place: one table, two renderers; views never build error responses.

`ERRORS` maps each exception class to its HTTP status, its German title and its problem type. Under
/api/v1 an error becomes RFC 9457 problem+json (`problem`); everywhere else the UI's renderer in
`app.extensions["schutzpfad.html_errors"]` (web/ui/error_pages.py) makes an HTML page with the same
status. Both look the status up here, so the API and the UI never disagree about what an error is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from engine.errors import (
    Conflict,
    DefinitionInvalid,
    EngineError,
    LimitExceeded,
    NotAllowed,
    NotFound,
    NotYourTurn,
    ValidationFailed,
)


class BadRequest(Exception):
    """The body is not JSON or not an object (400)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Unauthorized(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class ErrorKind:
    """How one kind of error is answered: status, German title, RFC 9457 problem type."""

    status: int
    title: str
    type: str = "about:blank"


#: Exception class → answer; a subclass (StaleCase) is answered like its nearest listed base (Conflict).
ERRORS: dict[type[Exception], ErrorKind] = {
    BadRequest: ErrorKind(400, "Ungültige Anfrage"),
    Unauthorized: ErrorKind(401, "Nicht angemeldet"),
    NotAllowed: ErrorKind(403, "Nicht erlaubt"),
    NotYourTurn: ErrorKind(403, "Nicht Ihr Schritt"),
    NotFound: ErrorKind(404, "Nicht gefunden"),
    Conflict: ErrorKind(409, "Konflikt"),
    ValidationFailed: ErrorKind(422, "Eingaben ungültig"),
    DefinitionInvalid: ErrorKind(422, "Prozessdefinition ungültig"),
    LimitExceeded: ErrorKind(422, "Rechengrenze überschritten"),
}

#: Titles of plain HTTP statuses (werkzeug's errors, and what no class above covers).
HTTP_TITLES = {
    400: "Ungültige Anfrage",
    401: "Nicht angemeldet",
    403: "Nicht erlaubt",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    409: "Konflikt",
    413: "Anfrage zu groß",
    415: "Falscher Inhaltstyp",
    422: "Eingaben ungültig",
    500: "Interner Fehler",
}

UNEXPECTED = "Ein unerwarteter Fehler ist aufgetreten. Es wurde nichts gespeichert."


def error_kind(exc: BaseException) -> ErrorKind:
    """The answer to `exc`: its table entry, a werkzeug error's own code, or 500."""
    for cls in type(exc).__mro__:
        if cls in ERRORS:
            return ERRORS[cls]
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        return ErrorKind(code, HTTP_TITLES.get(code, "Fehler"))
    return ErrorKind(500, HTTP_TITLES[500])


def problem(status: int, detail: str, *, title: str | None = None, type: str = "about:blank", **extra: Any) -> Response:
    body = {
        "type": type,
        "title": title or HTTP_TITLES.get(status, "Fehler"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="schutzpfad"'
    return response


def problem_for(exc: BaseException) -> Response:
    """problem+json for any exception; a 500 never leaks internals (or personal data)."""
    kind = error_kind(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    if isinstance(exc, DefinitionInvalid):
        extra["problems"] = exc.problems
    if isinstance(exc, EngineError | BadRequest | Unauthorized):
        detail = exc.detail
    elif isinstance(exc, HTTPException):
        detail = kind.title
    else:
        detail = UNEXPECTED
    return problem(kind.status, detail, title=kind.title, type=kind.type, **extra)


def register_api_errors(app: Flask, prefix: str) -> None:
    """Errors under `prefix` become problem+json; elsewhere the UI's renderer makes an HTML page."""

    def answer(exc: Exception) -> Response | HTTPException:
        api = request.path.startswith(prefix)
        if isinstance(exc, HTTPException) and not api and (exc.code or 500) < 400:
            return exc  # a RequestRedirect (trailing slash) stays one
        render = app.extensions.get("schutzpfad.html_errors")
        if api or render is None:
            return exc if isinstance(exc, HTTPException) and not api else problem_for(exc)
        page: Response = render(error_kind(exc).status, exc)
        return page

    @app.errorhandler(Exception)
    def _any(exc: Exception) -> Response | HTTPException:
        if not isinstance(exc, HTTPException | EngineError | BadRequest | Unauthorized):  # a bug, not a refusal
            app.logger.exception("unhandled error on %s", request.path)
        return answer(exc)
