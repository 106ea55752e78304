"""The network's pages: the Ablaufplan (issue 15 item 4), a page and a printable PDF for every
member of the network, and the indicators (issue 15 item 3) for its Netzwerkkoordination only.
Which network is the engine's decision (another one is its NotFound → the plain 404)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l

from engine.api import COORDINATION_ROLE
from web import indicator_view
from web.ablaufplan_pdf import plan_pdf
from web.labels import roles_label
from web.ui.access import current_actor, engine, require_login_for
from web.ui.navigation import add_nav_item

bp = require_login_for(Blueprint("network", __name__))


def _plan() -> Any:
    return engine().ablaufplan(current_actor(), request.args.get("netzwerk") or None)


@bp.get("/netzwerk/ablaufplan", endpoint="index")
def plan() -> str:
    return render_template("netzwerk/ablaufplan.html", plan=_plan(), roles_label=roles_label)


@bp.get("/netzwerk/ablaufplan.pdf")
def plan_pdf_download() -> Response:
    found = _plan()
    return Response(
        plan_pdf(found),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="Ablaufplan-{found.network_key}.pdf"'},
    )


@bp.get("/netzwerk/kennzahlen")
def indicators() -> str:
    """Aggregates only, small counts suppressed (R34); the quarter is chosen by a GET form (no script)."""
    args = request.args
    found = engine().indicators(current_actor(), args.get("netzwerk") or None, args.get("quartal") or None)
    return render_template("netzwerk/kennzahlen.html", found=found, sections=indicator_view.sections(found))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "network.index", _l("Ablaufplan"), order=60)
    add_nav_item(app, "network.indicators", _l("Kennzahlen"), roles={COORDINATION_ROLE}, order=61)
