"""Thin Flask layer: the app factory wires settings, the engine and the blueprints."""

from __future__ import annotations

from typing import Any

from flask import Flask

from engine.api import CaseEngine, build_engine
from engine.clock import Clock, SystemClock
from web import ids
from web.config import Settings, load_settings
from web.errors import register_api_errors
from web.ui import register_ui


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    case_engine: CaseEngine | None = None,
    **overrides: Any,
) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key, JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=settings.max_content_length
    )
    ids.install(app)
    app.extensions["schutzpfad.settings"] = settings
    app.extensions["schutzpfad.engine"] = case_engine or build_engine(
        settings.database_url, clock or SystemClock(), settings.instance_path
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from web.api.views import PREFIX, bp

    app.register_blueprint(bp)
    register_api_errors(app, PREFIX)
    register_ui(app)
    from web import operations

    operations.register(app)  # probes, /metrics, the request log
    app.config.update(overrides)
    return app
