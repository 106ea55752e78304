"""One JSON line per request, and JSON lines for every other log record of the process.

A request's line holds what an operator needs to follow it and nothing a log collector may not
keep: the request id (also sent back as `X-Request-Id`, and taken over from a proxy that set a
well-formed one), method, route *template* (`/faelle/<int:case_id>`, never the filled-in path or the
query string), status, duration and the numeric user id. Never names, case references, form values
or case content: logs leave the protected system (a test posts marker values and greps for them).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

log = logging.getLogger("schutzpfad.requests")

HEADER = "X-Request-Id"
#: A request id from the proxy is kept only in this shape (no room for smuggled text in the log).
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


class JsonLines(logging.Formatter):
    """Each record as one JSON object: time, level, logger, message, and a request's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


#: Loggers of our own code, logged from INFO; every other library from WARNING (SpiffWorkflow logs
#: each task state change at INFO, with task data in its extras; WeasyPrint each rendering step).
OWN_LOGGERS = ("schutzpfad", "engine", "web", "audit")


def configure_logging() -> None:
    """JSON lines on stderr for the whole process (`serve`, `worker`, `web.wsgi`); systemd's journal or
    a container runtime collects them. Replaces the root logger's handlers, so it is called once by
    each entry point, never by the app factory (tests keep their own handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def _start() -> None:
    offered = request.headers.get(HEADER, "")
    g.request_id = offered if _WELL_FORMED.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _user_id() -> int | None:
    actor = g.get("actor")
    if actor is None and g.get("user") is not None:
        actor = g.user.actor
    return None if actor is None else int(actor.user_id)


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # a request that failed before its first before_request handler ran
        return response
    response.headers[HEADER] = request_id
    duration = time.perf_counter() - g.request_started
    log.info(
        "request",
        extra={
            "fields": {
                "request_id": request_id,
                "method": request.method,
                "route": route_template(),
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "user_id": _user_id(),
            }
        },
    )
    return response


def route_template() -> str:
    """The matched URL rule (`/faelle/<int:case_id>`); unmatched paths are one value, not the path."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def register(app: Flask) -> None:
    # First in line, so the id exists for every other before_request handler and their refusals.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
