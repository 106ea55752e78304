"""Meine Aufgaben: the steps the user may take now, urgent first, a page at a time, with filters."""

from __future__ import annotations

from flask import Blueprint, render_template

from engine.errors import ValidationFailed
from web.ui.access import current_actor, engine, login_required, no_store
from web.ui.error_pages import show_instead
from web.ui.list_pages import ListSection, filter_context, section

bp = Blueprint("tasks", __name__)

#: The filters of the form (the API's, without `status`: an open task's case is open).
TASK_FILTERS = ("urgency", "overdue", "assigned")


def _my_tasks(tasks: ListSection, errors: dict[str, list[str]] | None = None) -> str:
    return render_template("pages/meine_aufgaben.html", tasks=tasks, filters=filter_context(TASK_FILTERS, errors))


@bp.get("/aufgaben")
@login_required
@no_store
def my_tasks() -> str:
    actor = current_actor()
    show_instead(ValidationFailed, lambda exc: _my_tasks(ListSection(), exc.errors))
    return _my_tasks(section(lambda params: engine().tasks(actor, params), "cursor"))
