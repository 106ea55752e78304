"""`/healthz` and `/readyz` for load balancers, orchestrators and systemd watchdogs.

- `/healthz`: the process answers (it touches nothing else, so a database outage does not make an
  orchestrator restart every web node);
- `/readyz`: this node can serve — database, schema, key material and a live deadline scheduler
  somewhere in the deployment; 503 with the failing check(s) otherwise.

Both are public (a probe carries no credentials) and say nothing about cases or people.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

bp = Blueprint("probes", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    checks = current_app.extensions["schutzpfad.engine"].readiness()
    failing = sorted(name for name, result in checks.items() if result != "ok")
    response = jsonify({"status": "ok" if not failing else "nicht bereit", "failing": failing, "checks": checks})
    response.status_code = 200 if not failing else 503
    return response
