"""The case pages: the case list, Neue Meldung, the case page with its guided stepper, the step forms,
the Jugendamt's Eingang and the consultations of the insoweit erfahrene Fachkraft.

Views parse the form, call the engine and render; who may see or do what is the engine's decision
(a case of another organisation is the engine's NotFound → the plain 404 page). Engine errors of a
step are mapped here: ValidationFailed → the form again with the values and the messages (422),
NotAllowed → the case page with the German reason (403), a step already done → the case page with
"bereits erledigt".

Blueprints (separate, so that the navigation marks one entry per area): `cases` (/faelle…),
`new_case` (/faelle/neu…), `inbox` (/eingang), `consultations` (/beratungen).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from engine.actor import Actor
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.permissions import CASEWORK_ROLES, ROLE_LABELS
from web.diagram import DiagramError, render_process_svg
from web.ui import form_widgets
from web.ui.access import current_actor, engine, no_store, require_login_for, role_required
from web.ui.navigation import add_nav_item
from web.ui.sessions import restore_draft

cases_bp = require_login_for(Blueprint("cases", __name__))
new_case_bp = require_login_for(Blueprint("new_case", __name__))
inbox_bp = require_login_for(Blueprint("inbox", __name__))
consultations_bp = require_login_for(Blueprint("consultations", __name__))

JUGENDAMT_ROLES = frozenset({"ja_fachkraft", "ja_leitung"})
#: The Jugendamt's intake and triage: what its Eingang lists.
INTAKE_TASKS = ("eingang_erfassen", "ersteinschaetzung", "ersteinschaetzung_bestaetigen")

#: Role names in the user's language (the engine's ROLE_LABELS are the German originals).
ROLE_NAMES = {
    "fachkraft": _l("Fachkraft"),
    "leitung": _l("Leitung"),
    "berufsgeheimnistraeger": _l("Berufsgeheimnisträger/in (§ 4 KKG)"),
    "insofa": _l("insoweit erfahrene Fachkraft"),
    "ja_fachkraft": _l("Fachkraft im Jugendamt (ASD)"),
    "ja_leitung": _l("Leitung im Jugendamt (ASD)"),
    "auditor": _l("Revision / Datenschutz"),
    "admin": _l("Administration"),
}
STATUS_NAMES = {"offen": _l("offen"), "abgeschlossen": _l("abgeschlossen"), "abgebrochen": _l("abgebrochen")}
STEP_STATES = {"erledigt": _l("erledigt"), "aktuell": _l("aktuell"), "offen": _l("offen")}
AMPEL = {
    "rot": ("danger", _l("Rot – akut, sofort handeln")),
    "gelb": ("warning", _l("Gelb – dringlich")),
    "gruen": ("success", _l("Grün – nicht akut")),
}
RELATIONS = {"meldung_an": _l("Meldung an das Jugendamt"), "meldung_von": _l("Meldung von")}
MESSAGE_NAMES = {
    "rueckmeldung_8a": _l("Rückmeldung des Jugendamts"),
    "meldebogen_8a": _l("Schriftlicher Meldebogen"),
}
#: Labels of the facts a message carries (the Rückmeldung's two, the Meldebogen's fields).
MESSAGE_FIELDS = {
    "anhaltspunkte_bestaetigt": _l("Gewichtige Anhaltspunkte bestätigt"),
    "ja_taetig": _l("Das Jugendamt wird tätig"),
    "gefaehrdungsbereiche": _l("Gefährdungsbereiche"),
    "ergaenzungen": _l("Ergänzungen"),
    "zusammenfassung": _l("Zusammenfassung"),
    "bezug": _l("Bezug"),
}

# ---- Neue Meldung: the child's data (procedures.md section 2) ---------------------------------------------

GESCHLECHT = [
    {"value": "weiblich", "label": _l("weiblich")},
    {"value": "maennlich", "label": _l("männlich")},
    {"value": "divers", "label": _l("divers")},
    {"value": "ohne_angabe", "label": _l("ohne Angabe")},
]
CHILD_FIELDS: list[dict[str, Any]] = [
    {
        "name": "vorname",
        "label": _l("Vorname"),
        "type": "text",
        "required": True,
        "help": _l(
            "Vorname, Nachname, Geburtsdatum und Wohnort bezeichnen das Kind eindeutig. Sie werden "
            "verschlüsselt gespeichert und der insoweit erfahrenen Fachkraft nie gezeigt (§ 64 Abs. 2a SGB VIII)."
        ),
    },
    {"name": "nachname", "label": _l("Nachname"), "type": "text", "required": True},
    {
        "name": "geburtsdatum",
        "label": _l("Geburtsdatum"),
        "type": "date",
        "required": True,
        "help": _l("§ 8a SGB VIII schützt Kinder und Jugendliche: das Kind ist jünger als 18 Jahre."),
    },
    {
        "name": "wohnort_gemeinde",
        "label": _l("Wohnort (Gemeinde)"),
        "type": "text",
        "required": True,
        "help": _l(
            "Die Gemeinde, in der das Kind lebt. Aus ihr ergibt sich das zuständige Jugendamt, an das eine "
            "Meldung geht (§ 8a Abs. 6 SGB VIII). Beim Tippen erscheinen Vorschläge aus dem Verzeichnis."
        ),
    },
]
CHILD_OPTIONAL_FIELDS: list[dict[str, Any]] = [
    {
        "name": "geschlecht",
        "label": _l("Geschlecht"),
        "type": "enum",
        "required": False,
        "options": GESCHLECHT,
        "help": _l("Freiwillig; wird für die Statistik nach § 99 SGB VIII gebraucht."),
    },
    {
        "name": "sorgeberechtigte",
        "label": _l("Sorgeberechtigte"),
        "type": "list",
        "required": False,
        "help": _l("Freiwillig: Eltern oder andere Personen mit Sorgerecht. Leere Einträge werden nicht gespeichert."),
        "fields": [
            {"name": "name", "label": _l("Name"), "type": "text", "required": True},
            {
                "name": "beziehung",
                "label": _l("Beziehung zum Kind"),
                "type": "text",
                "required": True,
                "help": _l("Zum Beispiel Mutter, Vater, Vormund."),
            },
            {"name": "anschrift", "label": _l("Anschrift"), "type": "text", "required": False},
            {
                "name": "sorgerecht",
                "label": _l("Hat diese Person das Sorgerecht?"),
                "type": "boolean",
                "required": True,
            },
        ],
    },
]
ANSCHRIFT_FIELDS: list[dict[str, Any]] = [
    {"name": "anschrift.strasse", "label": _l("Straße und Hausnummer"), "type": "text", "required": False},
    {"name": "anschrift.plz", "label": _l("Postleitzahl"), "type": "text", "required": False},
    {"name": "anschrift.ort", "label": _l("Ort"), "type": "text", "required": False},
]
CHILD_FORM = {"fields": CHILD_FIELDS + CHILD_OPTIONAL_FIELDS}


def child_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The child's data as the engine takes it (conversions only, like `submission_from_form`)."""
    child = form_widgets.submission_from_form(CHILD_FORM, form)
    address = {
        f["name"].partition(".")[2]: form.get(f["name"], "").strip()
        for f in ANSCHRIFT_FIELDS
        if form.get(f["name"], "").strip()
    }
    if address:
        child["anschrift"] = address
    return child


def child_form_values(form: MultiDict[str, str]) -> MultiDict[str, str]:
    values = form_widgets.form_values(CHILD_FORM, form)
    for key in [f["name"] for f in ANSCHRIFT_FIELDS] + ["organisation", "jugendamt"]:
        if form.get(key):
            values.add(key, form[key])
    return values


# ---- helpers -----------------------------------------------------------------------------------------------


def role_label(roles: list[str] | tuple[str, ...]) -> str:
    either = " " + _("oder") + " "
    return either.join(str(ROLE_NAMES.get(r, ROLE_LABELS.get(r, r))) for r in roles)


def lane_label(lanes: dict[str, list[str]], lane: str) -> str:
    return role_label(lanes.get(lane) or ([lane] if lane else []))


def _is_jugendamt_worker(actor: Actor, organisation_key: str) -> bool:
    return any(ms.organisation_key == organisation_key and ms.role in JUGENDAMT_ROLES for ms in actor.memberships)


def _diagram(case_map: dict[str, Any], title: str) -> str | None:
    if not case_map.get("bpmn"):
        return None
    try:
        return render_process_svg(case_map["bpmn"], done=case_map["done"], current=case_map["current"], title=title)
    except DiagramError:
        return None


def _render_case(
    case_id: int, *, refusal: str | None = None, refused_task: str | None = None, status: int = 200
) -> tuple[str, int]:
    """The case page; `refusal` (the engine's reason) or `refused_task` (an open task the user may not
    complete: its reason) is shown at the top."""
    actor = current_actor()
    case = engine().case(actor, case_id)
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
    may_take_over = (
        case["status"] == "offen"
        and case.get("responsible") != actor.username
        and _is_jugendamt_worker(actor, case["organisation"]["key"])
    )
    body = render_template(
        "cases/show.html",
        case=case,
        steps=steps,
        open_tasks=open_tasks,
        diagram=_diagram(case_map, case["process"]["title"]),
        refusal=refusal,
        may_take_over=may_take_over,
    )
    return body, status


def _render_step(
    case_id: int,
    task: dict[str, Any],
    values: MultiDict[str, str],
    errors: dict[str, list[str]],
    status: int = 200,
    problem: str | None = None,
) -> tuple[str, int]:
    fields = task["form"]["fields"]
    case = engine().case_map(current_actor(), case_id)
    body = render_template(
        "cases/step.html",
        case_id=case_id,
        task=task,
        form=task["form"],
        values=values,
        errors=errors,
        labels=form_widgets.error_labels(fields, errors),
        role=lane_label(case["lanes"], task["lane"]),
        problem=problem,
    )
    return body, status


def _still_open(task_id: str) -> bool:
    """Whether the task is open (for anyone) in a case the user sees — asked, never probed by a command."""
    try:
        return engine().task_status(current_actor(), task_id).state != "done"
    except NotFound:
        return False


# ---- the case list and the case page ---------------------------------------------------------------------


@cases_bp.get("/faelle")
@no_store
def index() -> str:
    status = request.args.get("status", "")
    if status not in STATUS_NAMES:
        status = ""
    cases = engine().cases(current_actor(), status or None)
    return render_template("cases/list.html", cases=cases, status=status)


@cases_bp.get("/faelle/<int:case_id>")
@no_store
def show(case_id: int) -> tuple[str, int]:
    return _render_case(case_id)


@cases_bp.route("/faelle/<int:case_id>/schritte/<task_id>", methods=["GET", "POST"])
@no_store
def step(case_id: int, task_id: str) -> Any:
    actor = current_actor()
    try:
        task = engine().task(actor, task_id)
    except NotFound:
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
            return _render_case(case_id, refused_task=task_id, status=403)
        restored = restore_draft()
        values = restored if restored is not None else form_widgets.values_from_data(form["fields"], task["data"])
        return _render_step(case_id, task, values, {})
    values = form_widgets.form_values(form, request.form)
    if request.form.get("sp_aktion") == "eintrag":  # more empty items of a list: the form again, unsaved
        return _render_step(case_id, task, values, {})
    try:
        result = engine().complete_task(actor, task_id, form_widgets.submission_from_form(form, request.form))
    except ValidationFailed as exc:
        return _render_step(case_id, task, values, exc.errors, 422)
    except NotAllowed as exc:
        return _render_case(case_id, refusal=exc.detail, status=403)
    except Conflict as exc:
        if _still_open(task_id):  # somebody changed the case meanwhile: the input is kept
            return _render_step(case_id, task, values, {}, 409, problem=exc.detail)
        flash(_("Dieser Schritt wurde bereits erledigt."), "warning")
        return redirect(url_for("cases.show", case_id=case_id))
    flash(_("Erledigt: „%(title)s“.", title=task["title"]), "success")
    following = [t for t in result.open_tasks if t.may_complete]
    if following:
        flash(_("Ihr nächster Schritt: „%(title)s“.", title=following[0].title), "info")
    elif result.status == "abgeschlossen":
        flash(_("Der Fall ist abgeschlossen."), "info")
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


# ---- Neue Meldung -------------------------------------------------------------------------------------------


def _startable(actor: Actor) -> list[dict[str, Any]]:
    return engine().startable_processes(actor)


@new_case_bp.get("/faelle/neu", endpoint="index")
@no_store
def choose() -> Any:
    processes = _startable(current_actor())
    if not processes:
        raise NotAllowed(_("Mit Ihrer Rolle können Sie keine Fälle anlegen."))
    if len(processes) == 1:
        return redirect(url_for("new_case.form", process_key=processes[0]["key"]))
    return render_template("cases/new_choice.html", processes=processes)


@new_case_bp.route("/faelle/neu/<process_key>", methods=["GET", "POST"])
@no_store
def form(process_key: str) -> Any:
    actor = current_actor()
    process = next((p for p in _startable(actor) if p["key"] == process_key), None)
    if process is None:
        abort(404)
    if request.method == "GET":
        restored = restore_draft()
        values = restored if restored is not None else MultiDict()
        return _render_new(process, values, {}, choose_jugendamt=bool(values.get("jugendamt")))
    if request.form.get("sp_aktion") == "eintrag":  # more empty items of a list: the form again, unsaved
        return _render_new(process, child_form_values(request.form), {}, bool(request.form.get("jugendamt")))
    organisation = request.form.get("organisation") or None
    jugendamt = request.form.get("jugendamt") or None
    try:
        case = engine().open_case(
            actor,
            process_key=process_key,
            child=child_from_form(request.form),
            jugendamt_key=jugendamt,
            organisation_key=organisation if len(process["organisations"]) > 1 else None,
        )
    except ValidationFailed as exc:
        # An unknown municipality (not a missing one): the engine names close ones; or choose the office.
        unknown = "wohnort_gemeinde" in exc.errors and bool(request.form.get("wohnort_gemeinde", "").strip())
        choose_jugendamt = bool(jugendamt) or unknown or "jugendamt" in exc.errors
        return _render_new(process, child_form_values(request.form), exc.errors, choose_jugendamt, 422)
    flash(_("Der Fall %(reference)s ist angelegt.", reference=case.reference), "success")
    following = [t for t in case.open_tasks if t.may_complete]
    if following:
        return redirect(url_for("cases.step", case_id=case.case_id, task_id=following[0].id))
    return redirect(url_for("cases.show", case_id=case.case_id))


def _render_new(
    process: dict[str, Any],
    values: MultiDict[str, str],
    errors: dict[str, list[str]],
    choose_jugendamt: bool,
    status: int = 200,
) -> tuple[str, int]:
    organisation_field = jugendamt_field = None
    if len(process["organisations"]) > 1:
        organisation_field = {
            "name": "organisation",
            "label": _("Organisation"),
            "type": "enum",
            "required": True,
            "options": [{"value": key, "label": key} for key in process["organisations"]],
            "help": _("Sie gehören mehreren Organisationen an: Für welche legen Sie den Fall an?"),
        }
    if choose_jugendamt:
        jugendamt_field = {
            "name": "jugendamt",
            "label": _("Zuständiges Jugendamt ausdrücklich wählen"),
            "type": "enum",
            "required": False,
            "options": [{"value": j["key"], "label": j["name"]} for j in engine().jugendaemter()],
            "help": _(
                "Nur nötig, wenn die Gemeinde nicht im Verzeichnis steht oder ein anderes Jugendamt zuständig ist "
                "(§ 8a Abs. 6 SGB VIII). Die ausdrückliche Wahl wird protokolliert."
            ),
        }
    labels = form_widgets.error_labels(CHILD_FIELDS + CHILD_OPTIONAL_FIELDS, errors)
    labels.update({"organisation": _("Organisation"), "jugendamt": _("Zuständiges Jugendamt")})
    labels.update({f["name"]: str(f["label"]) for f in ANSCHRIFT_FIELDS})
    optional = {"geschlecht", "sorgeberechtigte", "anschrift"}
    show_optional = any(key.partition(".")[0] in optional for key in errors) or any(
        value.strip() for key, value in values.items(multi=True) if key.partition(".")[0] in optional
    )
    body = render_template(
        "cases/new.html",
        process=process,
        child_fields=CHILD_FIELDS,
        optional_fields=CHILD_OPTIONAL_FIELDS,
        address_fields=ANSCHRIFT_FIELDS,
        organisation_field=organisation_field,
        jugendamt_field=jugendamt_field,
        values=values,
        errors=errors,
        labels=labels,
        municipalities=engine().municipalities(),
        show_optional=show_optional,
    )
    return body, status


# ---- Eingang (Jugendamt) and Beratungen (insoweit erfahrene Fachkraft) -----------------------------------------


@inbox_bp.get("/eingang", endpoint="index")
@role_required(*JUGENDAMT_ROLES)
@no_store
def inbox() -> str:
    actor = current_actor()
    offices = {ms.organisation_key for ms in actor.memberships if ms.role in JUGENDAMT_ROLES}
    tasks = [t for t in engine().tasks(actor) if t["task"] in INTAKE_TASKS]
    cases = [c for c in engine().cases(actor, "offen") if c["organisation"]["key"] in offices]
    return render_template("cases/inbox.html", tasks=tasks, cases=cases)


@consultations_bp.get("/beratungen", endpoint="index")
@role_required("insofa")
@no_store
def consultations() -> str:
    actor = current_actor()
    tasks = [t for t in engine().tasks(actor) if t["lane"] == "insofa"]
    cases = engine().cases(actor)
    return render_template("cases/consultations.html", tasks=tasks, cases=cases)


# ---- registration -----------------------------------------------------------------------------------------


def _may_start_cases() -> bool:
    return bool(_startable(current_actor()))


def _cases_home() -> tuple[str, str]:
    """Where the breadcrumbs of a case start: the case list, or the consultations of an insofa."""
    actor = current_actor()
    if not any(actor.has_role(r) for r in CASEWORK_ROLES) and actor.has_role("insofa"):
        return "consultations.index", _("Beratungen")
    return "cases.index", _("Fälle")


def register(app: Flask) -> None:
    """Called once from `web.ui.register_ui`: blueprints, navigation entries and template helpers."""
    for blueprint in (cases_bp, new_case_bp, inbox_bp, consultations_bp):
        app.register_blueprint(blueprint)
    # Each area's first page is its `.index`: the navigation marks the entry on all pages of the area.
    add_nav_item(app, "inbox.index", _l("Eingang"), roles=set(JUGENDAMT_ROLES), order=12)
    add_nav_item(app, "consultations.index", _l("Beratungen"), roles={"insofa"}, order=14)
    add_nav_item(app, "cases.index", _l("Fälle"), roles=set(CASEWORK_ROLES), order=20)
    add_nav_item(app, "new_case.index", _l("Neue Meldung"), roles=set(CASEWORK_ROLES), order=30)
    app.jinja_env.globals.update(
        fw=form_widgets,
        role_names=ROLE_NAMES,
        status_names=STATUS_NAMES,
        step_states=STEP_STATES,
        ampel_styles=AMPEL,
        relation_names=RELATIONS,
        message_names=MESSAGE_NAMES,
        message_fields=MESSAGE_FIELDS,
        may_start_cases=_may_start_cases,
        cases_home=_cases_home,
    )
