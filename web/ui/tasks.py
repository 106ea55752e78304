"""Meine Aufgaben — a simple list for now (the task pages replace this module and its template)."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.ui.access import current_actor, engine, login_required, no_store

bp = Blueprint("tasks", __name__)


@bp.get("/aufgaben")
@login_required
@no_store
def my_tasks() -> str:
    return render_template("pages/meine_aufgaben.html", tasks=engine().tasks(current_actor()))
