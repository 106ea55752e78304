"""The WSGI entry for production servers: `gunicorn web.wsgi:app` (docs/operations.md).

Built when a worker imports it, after the same checks as every CLI command (database at the newest
schema, fitting key material): a node that cannot serve refuses to start instead of answering
errors. It runs no deadline scheduler — that is the `worker` command's job (or one `serve`'s).
"""

from __future__ import annotations

from web import create_app
from web.cli.base import ready_engine
from web.operations.request_log import configure_logging

_settings, _engine = ready_engine()
configure_logging()
app = create_app(_settings, case_engine=_engine)
