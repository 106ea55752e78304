"""What operators and their tools see of a node: liveness and readiness probes, Prometheus metrics,
and one JSON log line per request. `register(app)` is called once by `web.create_app`."""

from __future__ import annotations

from flask import Flask

from web.operations import metrics, probes, request_log


def register(app: Flask) -> None:
    request_log.register(app)
    metrics.register(app)
    app.register_blueprint(probes.bp)
