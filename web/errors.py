"""Domain errors → RFC 9457 problem+json, in one place (views never build error responses)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, DefinitionInvalid, EngineError, NotAllowed, NotFound, ValidationFailed

STATUS = {NotFound: 404, NotAllowed: 403, Conflict: 409, ValidationFailed: 422, DefinitionInvalid: 422}

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


class BadRequest(Exception):
    """The body is not JSON or not an object (400)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Unauthorized(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> Response:
    body = {
        "type": "about:blank",
        "title": title or HTTP_TITLES.get(status, "Fehler"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="schutzpfad"'
    return response


def _status_of(exc: EngineError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def engine_error_response(exc: EngineError) -> Response:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    if isinstance(exc, DefinitionInvalid):
        extra["problems"] = exc.problems
    return problem(_status_of(exc), exc.detail, title=exc.title, **extra)


def register_api_errors(app: Flask, prefix: str) -> None:
    """Errors under `prefix` become problem+json; a 500 never leaks internals (or personal data).

    Elsewhere (the UI) the renderer in `app.extensions["schutzpfad.html_errors"]` makes an HTML page."""
    from flask import request

    def html(status: int, exc: BaseException) -> Response | None:
        render = app.extensions.get("schutzpfad.html_errors")
        if render is None or request.path.startswith(prefix):
            return None
        page: Response = render(status, exc)
        return page

    @app.errorhandler(EngineError)
    def _engine(exc: EngineError) -> Response:
        return html(_status_of(exc), exc) or engine_error_response(exc)

    @app.errorhandler(BadRequest)
    def _bad(exc: BadRequest) -> Response:
        return html(400, exc) or problem(400, exc.detail)

    @app.errorhandler(Unauthorized)
    def _unauth(exc: Unauthorized) -> Response:
        return html(401, exc) or problem(401, exc.detail)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | HTTPException:
        if request.path.startswith(prefix):
            return problem(exc.code or 500, HTTP_TITLES.get(exc.code or 500, "Fehler"))
        if exc.code is not None and exc.code < 400:  # a RequestRedirect (trailing slash) stays one
            return exc
        return html(exc.code or 500, exc) or exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s", request.path)
        return html(500, exc) or problem(500, "Ein unerwarteter Fehler ist aufgetreten. Es wurde nichts gespeichert.")
