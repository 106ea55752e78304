"""The case list, the case page with its guided stepper and diagram, a step's form, taking a case over.

A step the engine refuses is not caught here: the view names the page to show instead
(`show_instead`), and the error table gives its status — invalid input → the form again with the
values and the messages (422), not allowed → the case page with the German reason (403), changed
meanwhile → the form again with the reason (409) or, when the step is done, the case page with
"bereits erledigt".
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from engine.actor import Actor
from engine.api import CASEWORK_ROLES
from engine.errors import Conflict, LimitExceeded, NotAllowed, NotFound, NotYourTurn, ValidationFailed
from web.diagram import DiagramError, render_process_svg
from web.frist_words import form_with_fristen_named
from web.ui import bundle_texts, form_widgets, transmission_pages
from web.ui.access import current_actor, engine, no_store
from web.ui.bundle_texts import joined_messages
from web.ui.case_pages import JUGENDAMT_ROLES, cases_bp, lane_label
from web.ui.error_pages import show_instead
from web.ui.list_pages import ListSection, filter_context, section
from web.ui.sessions import restore_draft


def _is_jugendamt_worker(actor: Actor, organisation_key: str) -> bool:
    return any(ms.organisation_key == organisation_key and ms.role in JUGENDAMT_ROLES for ms in actor.memberships)


def _works_case(actor: Actor, organisation_key: str) -> bool:
    """A case worker of the case's organisation: who may export the Akte (the engine decides again)."""
    return any(ms.organisation_key == organisation_key and ms.role in CASEWORK_ROLES for ms in actor.memberships)


def _diagram(case_map: dict[str, Any], title: str) -> str | None:
    if not case_map.get("bpmn"):
        return None
    try:
        return render_process_svg(case_map["bpmn"], done=case_map["done"], current=case_map["current"], title=title)
    except DiagramError:
        return None


def render_case(
    case_id: int,
    *,
    refusal: str | None = None,
    refused_task: str | None = None,
    turn: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    """The case page; `refusal` (the engine's reason) or `refused_task` (an open task the user may not
    complete: its reason) is shown at the top — as a note, not an error, when it is somebody else's
    turn (`turn`, a refused task): nothing went wrong, there is just nothing to do."""
    actor = current_actor()
    case, case_file = engine().case_page(actor, case_id)
    case_map = engine().case_map(actor, case_id)
    lanes = case_map["lanes"]
    steps = [{**s, "role": lane_label(lanes, s["lane"])} for s in case_map["steps"]]
    open_tasks = [
        {
            **t,
            "role": lane_label(lanes, t["lane"]),
            "refusal": t.get("refusal"),
        }
        for t in case["open_tasks"]
    ]
    if refused_task is not None:
        refusal = next((t["refusal"] for t in open_tasks if t["id"] == refused_task), None) or refusal
        turn = True
    may_take_over = (
        case["status"] == "offen"
        and case.get("responsible") != actor.username
        and _is_jugendamt_worker(actor, case["organisation"]["key"])
    )
    body = render_template(
        "cases/show.html",
        case=case,
        case_file=case_file,
        steps=steps,
        open_tasks=open_tasks,
        diagram=_diagram(case_map, case["process"]["title"]),
        refusal=refusal,
        turn=turn,
        may_take_over=may_take_over,
        may_transfer=case["status"] == "offen" and _is_jugendamt_worker(actor, case["organisation"]["key"]),
        # the engine decides again (engine/cases/child_details.py): the Jugendamt holding an open case
        may_complete_details=case["status"] == "offen" and _is_jugendamt_worker(actor, case["organisation"]["key"]),
        may_export=_works_case(actor, case["organisation"]["key"]),
        # read under a break-glass access (R35): reading only, none of the case workers' sections
        hold=None if case["notfallzugriff_bis"] else engine().case_hold(actor, case_id),
        review_release=None if case["notfallzugriff_bis"] else engine().review_release(actor, case_id),
    )
    return body, status


def _render_step(
    case_id: int,
    task: dict[str, Any],
    values: MultiDict[str, str],
    errors: dict[str, list[str]],
    problem: str | None = None,
) -> str:
    # Frist keys in words (issue 16 item 3), then one language per page (item 6)
    form = bundle_texts.in_page_language(form_with_fristen_named(task["form"]))
    fields = form["fields"]
    case = engine().case_map(current_actor(), case_id)
    return render_template(
        "cases/step.html",
        case_id=case_id,
        task=task,
        form=form,
        values=values,
        errors=errors,
        labels=form_widgets.error_labels(fields, errors),
        role=lane_label(case["lanes"], task["lane"]),
        problem=problem,
    )


def _still_open(task_id: str) -> bool:
    """Whether the task is open (for anyone) in a case the user sees — asked, never probed by a command."""
    try:
        return engine().task_status(current_actor(), task_id).state != "done"
    except NotFound:
        return False


def _changed_meanwhile(case_id: int, task: dict[str, Any], values: MultiDict[str, str], exc: Conflict) -> Any:
    if _still_open(task["id"]):  # somebody changed the case meanwhile: the input is kept, the basis is new
        return _render_step(case_id, engine().task(current_actor(), task["id"]), values, {}, problem=exc.detail)
    flash(_("Dieser Schritt wurde bereits erledigt."), "warning")
    return redirect(url_for("cases.show", case_id=case_id))


#: The buttons of the check page (`transmission_pages`).
SEND, BACK = "senden", "zurueck"


#: The filters of the case list (the API's).
CASE_FILTERS = ("q", "status", "urgency", "process", "overdue", "assigned")


def _case_list(cases: ListSection, errors: dict[str, list[str]] | None = None) -> str:
    return render_template("cases/list.html", cases=cases, filters=filter_context(CASE_FILTERS, errors))


@cases_bp.get("/faelle")
@no_store
def index() -> str:
    """The cases of the organisation, urgent first, a page at a time; filtered as the address says
    (a wrong filter: the page with the engine's message, 422)."""
    actor = current_actor()
    show_instead(ValidationFailed, lambda exc: _case_list(ListSection(), exc.errors))
    return _case_list(section(lambda params: engine().cases(actor, params), "cursor"))


@cases_bp.get("/faelle/<int:case_id>")
@no_store
def show(case_id: int) -> tuple[str, int]:
    return render_case(case_id)


@cases_bp.route("/faelle/<int:case_id>/schritte/<task_id>", methods=["GET", "POST"])
@no_store
def step(case_id: int, task_id: str) -> Any:
    actor = current_actor()
    try:
        task = engine().task(actor, task_id)
    except NotFound as refused:
        if refused.denial is not None:  # a step of a case the user may not see: the plain 404 (recorded)
            raise
        engine().case_map(actor, case_id)  # a case the user may not see: the plain 404
        if request.method == "POST":  # a double submit, if the engine knows the step as done
            if engine().task_status(actor, task_id).state != "done":
                abort(404)  # pragma: no cover - a task the engine could not show cannot be completed
            flash(_("Dieser Schritt wurde bereits erledigt."), "warning")
        else:
            flash(_("Dieser Schritt ist bereits erledigt oder nicht mehr offen."), "info")
        return redirect(url_for("cases.show", case_id=case_id))
    if task["case_id"] != case_id:
        abort(404)
    form = task["form"]
    if request.method == "GET":
        if not task["may_complete"]:  # no form to fill in vain; a POST goes to the engine, which says why
            return render_case(case_id, refused_task=task_id, status=403)
        restored = restore_draft()
        values = restored if restored is not None else form_widgets.values_from_data(form["fields"], task["data"])
        return _render_step(case_id, task, values, {})
    action = request.form.get("sp_aktion")
    posted: MultiDict[str, str] = request.form
    checked: transmission_pages.Checked | None = None
    if action in (SEND, BACK):  # from the check page: the form as it was checked
        try:
            posted, checked = transmission_pages.unseal(request.form.get("sp_pruefung", ""), task_id)
        except transmission_pages.CheckExpired:
            values = form_widgets.values_from_data(form["fields"], task["data"])
            expired = _("Die Prüfung ist abgelaufen oder ungültig; es wurde nichts gesendet.")
            return _render_step(case_id, task, values, {}, problem=expired), 400
    values = form_widgets.form_values(form, posted)
    if action in ("eintrag", BACK):  # more empty items of a list, or back from the check: the form, unsaved
        return _render_step(case_id, task, values, {})
    show_instead(ValidationFailed, lambda exc: _render_step(case_id, task, values, exc.errors))
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail, turn=isinstance(exc, NotYourTurn)))
    show_instead(LimitExceeded, lambda exc: render_case(case_id, refusal=exc.detail))
    show_instead(Conflict, lambda exc: _changed_meanwhile(case_id, task, values, exc))
    submission = form_widgets.submission_from_form(form, posted)
    if task["sends"] and checked is None:  # a step that sends: first what, to whom (nothing saved yet)
        check = engine().check_transmission(actor, task_id, submission)
        if check is not None:
            return transmission_pages.render_check(
                case_id, task, check, transmission_pages.seal(task_id, check, posted)
            )
    result = engine().complete_task(
        actor,
        task_id,
        submission,
        grundlage_sha256=posted.get("grundlage_sha256") or None,  # what the confirmation showed
        case_version=checked.case_version if checked is not None else None,
    )
    if checked is not None:
        flash(transmission_pages.sent_notice(checked.recipients, engine().clock.now()), "success")
    flash(_("Erledigt: „%(title)s“.", title=task["title"]), "success")
    following = [t for t in result.open_tasks if t.may_complete]
    if following:
        flash(_("Ihr nächster Schritt: „%(title)s“.", title=following[0].title), "info")
    elif result.open_tasks:  # the case goes on with somebody else: say with whom
        lanes = engine().case_map(actor, case_id)["lanes"]
        others = "; ".join(
            _("„%(title)s“ – zuständig: %(role)s", title=t.title, role=lane_label(lanes, t.lane))
            for t in result.open_tasks
        )
        flash(_("Als Nächstes: %(steps)s.", steps=others), "info")
    elif result.status == "abgeschlossen":
        flash(_("Der Fall ist abgeschlossen."), "info")
    return redirect(url_for("cases.show", case_id=case_id))


@cases_bp.post("/faelle/<int:case_id>/fruehere-faelle/<int:match_id>")
def decide_earlier(case_id: int, match_id: int) -> Any:
    """Dasselbe Kind (the cases are linked) or ein anderes Kind: the decision on an earlier case."""
    decision = request.form.get("entscheidung", "")
    show_instead(ValidationFailed, lambda exc: render_case(case_id, refusal=joined_messages(exc.errors)))
    show_instead(NotAllowed, lambda exc: render_case(case_id, refusal=exc.detail))
    show_instead(Conflict, lambda exc: render_case(case_id, refusal=exc.detail))
    engine().decide_earlier_case(current_actor(), case_id, match_id, decision)
    if decision == "bestaetigt":
        flash(_("Verknüpft: Der frühere Fall betrifft dasselbe Kind."), "success")
    else:
        flash(_("Vermerkt: Der frühere Fall betrifft ein anderes Kind."), "info")
    return redirect(url_for("cases.show", case_id=case_id))


@cases_bp.post("/faelle/<int:case_id>/uebernehmen")
def take_over(case_id: int) -> BaseResponse:
    """A Jugendamt caseworker takes the case over, and goes on with the intake if it waits for them."""
    actor = current_actor()
    engine().take_over(actor, case_id)
    flash(_("Sie haben den Fall übernommen und sind jetzt zuständig."), "success")
    case = engine().case(actor, case_id)
    intake = next((t for t in case["open_tasks"] if t["task"] == "eingang_erfassen" and t["may_complete"]), None)
    if intake is not None:
        return redirect(url_for("cases.step", case_id=case_id, task_id=intake["id"]))
    return redirect(url_for("cases.show", case_id=case_id))
