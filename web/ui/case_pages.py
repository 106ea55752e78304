"""The case pages: the case list, Neue Meldung, the case page with its guided stepper, the step forms,
the Jugendamt's Eingang and the consultations of the insoweit erfahrene Fachkraft.

Views parse the form, call the engine and render; who may see or do what is the engine's decision
(a case of another organisation is the engine's NotFound → the plain 404 page). The pages live by
area: `case_view` (the case list, the case page and its steps), `case_new` (Neue Meldung), and here
the Eingang, the Beratungen and what the areas share.

Blueprints (separate, so that the navigation marks one entry per area): `cases` (/faelle…),
`new_case` (/faelle/neu…), `inbox` (/eingang), `consultations` (/beratungen).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.actor import Actor
from engine.api import CASEWORK_ROLES, POOL_ROLES, ListScope
from engine.errors import ValidationFailed
from web.labels import roles_label
from web.ui import bundle_texts, form_widgets
from web.ui.access import current_actor, engine, no_store, require_login_for, role_required
from web.ui.error_pages import show_instead
from web.ui.list_pages import ListSection, filter_context, section
from web.ui.navigation import add_nav_item

cases_bp = require_login_for(Blueprint("cases", __name__))
new_case_bp = require_login_for(Blueprint("new_case", __name__))
inbox_bp = require_login_for(Blueprint("inbox", __name__))
consultations_bp = require_login_for(Blueprint("consultations", __name__))

JUGENDAMT_ROLES = frozenset({"ja_fachkraft", "ja_leitung"})
#: The Jugendamt's intake and triage: what its Eingang lists.
INTAKE_TASKS = ("eingang_erfassen", "ersteinschaetzung", "ersteinschaetzung_bestaetigen")

STATUS_NAMES = {"offen": _l("offen"), "abgeschlossen": _l("abgeschlossen"), "abgebrochen": _l("abgebrochen")}
STEP_STATES = {"erledigt": _l("erledigt"), "aktuell": _l("aktuell"), "offen": _l("offen"), "entfaellt": _l("entfällt")}
AMPEL = {
    "rot": ("danger", _l("Rot – akut, sofort handeln")),
    "gelb": ("warning", _l("Gelb – dringlich")),
    "gruen": ("success", _l("Grün – nicht akut")),
}
#: The lists' urgency (issue 10): a Sofortmeldung before its triage, then the Ampel; colour and word.
URGENCY = {"akut": ("danger", _l("Sofortmeldung – akut")), **AMPEL}
RELATIONS = {
    "meldung_an": _l("Meldung an das Jugendamt"),
    "meldung_von": _l("Meldung von"),
    "gleiches_kind": _l("Dasselbe Kind"),
    "gleicher_haushalt": _l("Geschwister / gleicher Haushalt"),
    "geschwisterfall_zu": _l("Geschwisterfall zu"),
    "geschwisterfall": _l("Geschwisterfall"),
}
EARLIER_STATES = {
    "offen": _l("noch offen"),
    "bestaetigt": _l("dasselbe Kind (verknüpft)"),
    "verworfen": _l("ein anderes Kind"),
}


def lane_label(lanes: dict[str, list[str]], lane: str) -> str:
    """Who does a step: the roles of its lane, „Fachkraft oder Leitung“."""
    return roles_label(lanes.get(lane) or ([lane] if lane else []))


def startable(actor: Actor) -> list[dict[str, Any]]:
    return engine().startable_processes(actor)


# ---- Eingang (Jugendamt) and Beratungen (insoweit erfahrene Fachkraft) -----------------------------------------


#: The filters of the Eingang's form (both lists take them; its cases are the open ones) and its search
#: for a child, which only the case list takes (a task is found through its case).
INBOX_FILTERS = ("q", "urgency", "overdue", "assigned")
CASES_ONLY = ("q",)
#: A page with two lists: each has its own position.
TASKS_CURSOR, CASES_CURSOR = "tasks_cursor", "cases_cursor"


def _two_lists(
    template: str, tasks: ListSection, cases: ListSection, fields: tuple[str, ...], errors: dict[str, list[str]]
) -> str:
    return render_template(template, tasks=tasks, cases=cases, filters=filter_context(fields, errors))


@inbox_bp.get("/eingang", endpoint="index")
@role_required(*JUGENDAMT_ROLES)
@no_store
def inbox() -> str:
    actor = current_actor()
    offices = frozenset(ms.organisation_key for ms in actor.memberships if ms.role in JUGENDAMT_ROLES)
    page, none = "cases/inbox.html", ListSection()
    show_instead(ValidationFailed, lambda exc: _two_lists(page, none, none, INBOX_FILTERS, exc.errors))
    intake = ListScope(steps=frozenset(INTAKE_TASKS))
    tasks = section(
        lambda params: engine().tasks(actor, params, scope=intake), TASKS_CURSOR, (CASES_CURSOR, *CASES_ONLY)
    )
    own = ListScope(organisations=offices)
    cases = section(
        lambda params: engine().cases(actor, {**params, "status": "offen"}, scope=own), CASES_CURSOR, (TASKS_CURSOR,)
    )
    return _two_lists(page, tasks, cases, INBOX_FILTERS, {})


@consultations_bp.get("/beratungen", endpoint="index")
@role_required(*POOL_ROLES)
@no_store
def consultations() -> str:
    actor = current_actor()
    page = "cases/consultations.html"
    show_instead(ValidationFailed, lambda exc: _two_lists(page, ListSection(), ListSection(), (), exc.errors))
    # a pool role's lane carries its name: the insofa's consultation, the Fachberatung's assessment
    pool = ListScope(lanes=POOL_ROLES)
    tasks = section(lambda params: engine().tasks(actor, params, scope=pool), TASKS_CURSOR, (CASES_CURSOR,))
    cases = section(lambda params: engine().cases(actor, params), CASES_CURSOR, (TASKS_CURSOR,))
    return _two_lists(page, tasks, cases, (), {})


# ---- registration -----------------------------------------------------------------------------------------


def _may_start_cases() -> bool:
    return bool(startable(current_actor()))


def _cases_home() -> tuple[str, str]:
    """Where the breadcrumbs of a case start: the case list, or the consultations of a pool member."""
    actor = current_actor()
    if not any(actor.has_role(r) for r in CASEWORK_ROLES) and any(actor.has_role(r) for r in POOL_ROLES):
        return "consultations.index", _("Beratungen")
    return "cases.index", _("Fälle")


def register(app: Flask) -> None:
    """Called once from `web.ui.register_ui`: blueprints, navigation entries and template helpers."""
    from web.ui import akte_pages, case_hold, case_new, case_view, details_pages, transfer_pages  # noqa: F401 - their views join the blueprints above

    for blueprint in (cases_bp, new_case_bp, inbox_bp, consultations_bp):
        app.register_blueprint(blueprint)
    # Each area's first page is its `.index`: the navigation marks the entry on all pages of the area.
    add_nav_item(app, "inbox.index", _l("Eingang"), roles=set(JUGENDAMT_ROLES), order=12)
    add_nav_item(app, "consultations.index", _l("Beratungen"), roles=set(POOL_ROLES), order=14)
    add_nav_item(app, "cases.index", _l("Fälle"), roles=set(CASEWORK_ROLES), order=20)
    add_nav_item(app, "new_case.index", _l("Neue Meldung"), roles=set(CASEWORK_ROLES), order=30)
    app.jinja_env.filters.update(german_text=bundle_texts.german_text, german_options=bundle_texts.german_options)
    app.jinja_env.globals.update(
        fw=form_widgets,
        bundle_text=bundle_texts.bundle_text,
        german_text=bundle_texts.german_text,
        engine_text=bundle_texts.engine_text,
        german_message=bundle_texts.german_message,
        german_lang=bundle_texts.german_lang,
        status_names=STATUS_NAMES,
        step_states=STEP_STATES,
        ampel_styles=AMPEL,
        urgency_styles=URGENCY,
        relation_names=RELATIONS,
        earlier_states=EARLIER_STATES,
        may_start_cases=_may_start_cases,
        cases_home=_cases_home,
    )
