"""Verwaltung: the Fristen profile of a network (role `admin`), one Frist changed at a time."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import ValidationFailed
from web.ui.access import engine, role_required
from web.ui.admin_pages import ADMIN, bp, operator
from web.ui.error_pages import show_instead


def _render_fristen(network: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    profile = None
    if network:
        try:
            profile = engine().fristen(network)
        except ValidationFailed as exc:  # an unknown network: the choice again, with the reason
            context["errors"] = {**context["errors"], "netzwerk": exc.errors.get("netzwerk", [exc.detail])}
            status = 422
    return (
        render_template(
            "admin/fristen.html",
            networks=[(n["key"], f"{n['name']} ({n['key']})") for n in engine().networks()],
            network=network,
            profile=profile,
            field_labels={"netzwerk": _("Netzwerk"), **{f"wert.{key}": key for key in profile or {}}},
            **context,
        ),
        status,
    )


@bp.get("/verwaltung/fristen")
@role_required(ADMIN)
def fristen() -> Any:
    return _render_fristen(request.args.get("netzwerk", "").strip())


def _refused(network: str, field: str, value: str, exc: ValidationFailed) -> tuple[str, int]:
    messages = [message for messages in exc.errors.values() for message in messages] or [exc.detail]
    errors = {"netzwerk": messages} if "netzwerk" in exc.errors else {field: messages}
    return _render_fristen(network, errors=errors, values={field: value})


@bp.post("/verwaltung/fristen/<network>")
@role_required(ADMIN)
def set_frist(network: str) -> Any:
    key = request.form.get("key", "")
    field = f"wert.{key}"
    value = request.form.get(field, "")
    show_instead(ValidationFailed, lambda exc: _refused(network, field, value, exc))
    profile = engine().set_frist(network, key, value, operator=operator())
    flash(_("Frist „%(key)s“ ist jetzt „%(value)s“.", key=key, value=profile.get(key, value)), "success")
    return redirect(url_for("admin.fristen", netzwerk=network))
