"""Administration (role `admin`): the overview, and what the pages of the area share.

Administrators never see case content: these pages call only the engine's administrative methods
(organisations, users, processes, compare_versions, deploy, fristen, migrate_cases), none of which
returns case content (a migration names cases by reference only).
The pages live by area — `admin_organisations` (organisations and users), `admin_processes` (process
versions: upload, report, deploy, compare), `admin_migration` (running cases onto a newer version),
`admin_fristen` (Fristen profiles) — all on the one
blueprint `admin`, so their endpoints are `admin.<view>`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template
from flask_babel import lazy_gettext as _l

from web.labels import kind_label, role_label
from web.ui.access import current_actor, engine, role_required
from web.ui.navigation import add_nav_item

bp = Blueprint("admin", __name__)

ADMIN = "admin"

#: The aspects `compare_versions` names (German words from the engine).
ASPECTS: dict[str, Any] = {
    "Titel": _l("Titel"),
    "Rolle (Lane)": _l("Rolle (Lane)"),
    "Mehraugenprinzip mit": _l("Mehraugenprinzip mit"),
    "Frist": _l("Frist"),
    "Fristbeginn": _l("Fristbeginn"),
    "Formularfelder": _l("Formularfelder"),
}


def aspect_label(aspect: str) -> str:
    return str(ASPECTS.get(aspect, aspect))


def operator() -> str:
    """The administrator acting, as the engine records them."""
    return current_actor().username


@bp.app_template_global()
def admin_labels() -> dict[str, Any]:
    return {"kind": kind_label, "role": role_label, "aspect": aspect_label}


@bp.get("/verwaltung")
@role_required(ADMIN)
def index() -> str:
    return render_template(
        "admin/index.html",
        counts={
            "organisations": len(engine().organisations()),
            "users": len(engine().users()),
            "processes": len(engine().processes()),
            "networks": len(engine().networks()),
        },
    )


def register(app: Flask) -> None:
    from web.ui import (  # noqa: F401 - their views join `bp`
        admin_fristen,
        admin_migration,
        admin_organisations,
        admin_processes,
        admin_sso,
    )

    app.register_blueprint(bp)
    add_nav_item(app, "admin.index", _l("Verwaltung"), roles={ADMIN}, order=90)
