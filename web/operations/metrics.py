"""`GET /metrics` in the Prometheus text format, for the operator's monitoring — and nobody else.

Deny by default: a scrape needs the metrics token (`Authorization: Bearer …`,
`SCHUTZPFAD_METRICS_TOKEN`) or must come from a configured address or network
(`SCHUTZPFAD_METRICS_FROM`, e.g. `10.0.5.7,127.0.0.1/32`); with neither configured every scrape is
refused. Behind a reverse proxy the address is the client's as ProxyFix reads it
(`SCHUTZPFAD_TRUSTED_PROXIES`).

This node's own: request latency histograms by route template (never a filled-in path). The
deployment's, read from the database at scrape time (engine/operations/figures.py): steps completed
by process, deadlines pending and overdue, scheduler lag and heartbeat age, seconds since the last
audit checkpoint, the mail outbox backlog. No label carries a name, a case reference or content.

Each app has its own registry, so the latency histograms count the requests of one process: run one
gunicorn worker per node with threads (docs/operations.md) and let Prometheus sum over the nodes.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Iterator

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from engine.api import CaseEngine
from web.config import Settings
from web.operations.request_log import route_template

ROUTE = "/metrics"


class DeploymentFigures(Collector):
    """The database's figures, read once per scrape."""

    def __init__(self, case_engine: CaseEngine) -> None:
        self.engine = case_engine

    def collect(self) -> Iterator[Metric]:
        figures = self.engine.operations_figures()
        steps = CounterMetricFamily(
            "schutzpfad_steps_completed", "Abgeschlossene Prozessschritte je Prozess", labels=["process"]
        )
        for process, count in sorted(figures.steps_completed.items()):
            steps.add_metric([process], count)
        yield steps
        yield GaugeMetricFamily(
            "schutzpfad_deadlines_pending", "Gestellte, noch nicht fällige Fristen", value=figures.deadlines_pending
        )
        yield GaugeMetricFamily(
            "schutzpfad_deadlines_overdue", "Überschrittene Fristen offener Aufgaben", value=figures.deadlines_overdue
        )
        yield GaugeMetricFamily(
            "schutzpfad_scheduler_lag_seconds",
            "Wie lange die älteste fällige Frist schon auf den Scheduler wartet",
            value=figures.scheduler_lag_seconds,
        )
        yield GaugeMetricFamily("schutzpfad_outbox_backlog", "Noch nicht versandte Mails", value=figures.outbox_backlog)
        if figures.heartbeat_age_seconds is not None:
            yield GaugeMetricFamily(
                "schutzpfad_scheduler_heartbeat_age_seconds",
                "Alter des letzten Lebenszeichens des Fristen-Schedulers",
                value=figures.heartbeat_age_seconds,
            )
        if figures.checkpoint_age_seconds is not None:
            yield GaugeMetricFamily(
                "schutzpfad_audit_checkpoint_age_seconds",
                "Sekunden seit dem letzten signierten Prüfpunkt des Audit-Protokolls",
                value=figures.checkpoint_age_seconds,
            )


def _allowed(settings: Settings) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if settings.metrics_token and scheme.lower() == "bearer":
        return hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode())
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.metrics_from)


def register(app: Flask) -> None:
    registry = CollectorRegistry()
    latency = Histogram(
        "schutzpfad_http_request_duration_seconds",
        "Antwortzeit je Route (Vorlage, nicht der ausgefüllte Pfad)",
        ["method", "route", "status"],
        registry=registry,
    )
    registry.register(DeploymentFigures(app.extensions["schutzpfad.engine"]))

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None and request.url_rule is not None and request.url_rule.rule != ROUTE:
            latency.labels(request.method, route_template(), str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response

    def metrics() -> Response:
        if not _allowed(current_app.extensions["schutzpfad.settings"]):
            abort(403)
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

    app.add_url_rule(ROUTE, "metrics", metrics, methods=["GET"])
