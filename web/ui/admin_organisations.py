"""Verwaltung: organisations and users (role `admin`); a refused entry shows the form again with the
engine's message at each field. Users are invited (a one-time link), never given a password, and can
be deactivated and reactivated; pending roles show who asked for them and when."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.api import CONTACT_FIELDS, ORGANISATION_KINDS, ROLES_BY_KIND
from engine.errors import ValidationFailed
from engine.labels import REPORTER_LABELS, ROLE_LABELS
from web.labels import by_name, kind_label, role_label
from web.ui.access import current_actor, engine, role_required
from web.ui.admin_pages import ADMIN, bp, operator
from web.ui.error_pages import show_instead


def _allow_no_mfa() -> bool:
    return bool(current_app.extensions["schutzpfad.settings"].allow_no_mfa)


# ---- organisations ----------------------------------------------------------------------------------


def _render_organisations(status: int = 200, **context: Any) -> tuple[str, int]:
    organisations = engine().organisations()
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return (
        render_template(
            "admin/organisationen.html",
            organisations=organisations,
            kinds=[(k, kind_label(k)) for k in ORGANISATION_KINDS],
            reporters=list(REPORTER_LABELS.items()),
            jugendaemter=by_name((o["key"], o["name"]) for o in organisations if o["kind"] == "jugendamt"),
            networks=by_name((n["key"], n["name"]) for n in engine().networks()),
            **context,
        ),
        status,
    )


@bp.route("/verwaltung/organisationen", methods=["GET", "POST"])
@role_required(ADMIN)
def organisations() -> Any:
    if request.method == "GET":
        return _render_organisations()
    fields = ("key", "name", "kind", "jugendamt", "netzwerk", "meldende_stelle")
    values = {name: request.form.get(name, "").strip() for name in fields}
    show_instead(ValidationFailed, lambda exc: _render_organisations(errors=exc.errors, values=values))
    key = engine().create_organisation(
        operator=operator(),
        key=values["key"],
        name=values["name"],
        kind=values["kind"],
        jugendamt_key=values["jugendamt"] or None,
        network_key=values["netzwerk"] or None,
        meldende_stelle=values["meldende_stelle"] or None,
    )
    flash(_("Die Organisation „%(key)s“ ist angelegt.", key=key), "success")
    return redirect(url_for("admin.organisations"))


def _render_contact(organisation: dict[str, Any], status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", organisation["contact"])
    return render_template("admin/organisation_kontakt.html", organisation=organisation, **context), status


def _organisation(key: str) -> dict[str, Any]:
    found = next((o for o in engine().organisations() if o["key"] == key), None)
    if found is None:
        abort(404)
    return found


@bp.route("/verwaltung/organisationen/<key>/kontakt", methods=["GET", "POST"])
@role_required(ADMIN)
def organisation_contact(key: str) -> Any:
    """The directory's contact fields; a Jugendamt's Bereitschaft is what an acute report shows."""
    organisation = _organisation(key)
    if request.method == "GET":
        return _render_contact(organisation)
    values = {name: request.form.get(name, "").strip() for name in CONTACT_FIELDS}
    show_instead(ValidationFailed, lambda exc: _render_contact(organisation, 422, errors=exc.errors, values=values))
    engine().set_organisation_contact(key, values, operator=operator())
    flash(_("Die Kontaktdaten von „%(name)s“ sind gespeichert.", name=organisation["name"]), "success")
    return redirect(url_for("admin.organisations"))


# ---- users -----------------------------------------------------------------------------------------


def render_users(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    organisations = engine().organisations()
    return (
        render_template(
            "admin/benutzer.html",
            users=engine().users(),
            confirmable={grant["id"] for grant in engine().roles_to_confirm(current_actor())},
            organisations=[(o["key"], f"{o['name']} ({o['key']})") for o in organisations],
            roles=[(r, role_label(r)) for r in ROLE_LABELS],
            roles_by_kind=[(kind_label(k), [role_label(r) for r in sorted(ROLES_BY_KIND[k])]) for k in ROLES_BY_KIND],
            allow_no_mfa=_allow_no_mfa(),
            **context,
        ),
        status,
    )


def _invitation_link(token: str) -> str:
    return url_for("invitation.accept", token=token, _external=True)


@bp.route("/verwaltung/benutzer", methods=["GET", "POST"])
@role_required(ADMIN)
def users() -> Any:
    """A new user gets an invitation link (shown once, on this response), never a password chosen
    by the administrator; a role opening case content waits for its confirmation."""
    if request.method == "GET":
        return render_users()
    form = request.form
    fields = ("username", "display_name", "telefon", "organisation", "role")
    values = {name: form.get(name, "").strip() for name in fields}
    # The checkbox is only offered where the installation allows it; anything else keeps the secure default.
    without_mfa = _allow_no_mfa() and form.get("ohne_mfa") == "true"
    if without_mfa:
        values["ohne_mfa"] = "true"
    known = {o["key"] for o in engine().organisations()}
    if values["organisation"] not in known:
        errors = {"organisation": [_("Bitte wählen Sie eine Organisation aus.")]}
        return render_users(422, errors=errors, values=values)
    show_instead(ValidationFailed, lambda exc: render_users(422, errors=exc.errors, values=values))
    token = engine().invite_user(
        operator=operator(),
        username=values["username"],
        organisation_key=values["organisation"],
        role=values["role"],
        display_name=values["display_name"] or None,
        mfa_required=not without_mfa,
        telefon=values["telefon"] or None,
    )
    return render_users(invited=values["username"], invitation_link=_invitation_link(token))


@bp.post("/verwaltung/benutzer/<username>/einladung")
@role_required(ADMIN)
def reinvite(username: str) -> Any:
    """A new invitation (forgotten password, lost phone): earlier unused links stop working."""
    show_instead(ValidationFailed, lambda exc: render_users(422, errors=exc.errors))
    token = engine().invite(username, operator=operator())
    return render_users(invited=username, invitation_link=_invitation_link(token))


def _switch(username: str, active: bool) -> Any:
    """Deactivating ends the user's sessions and refuses their tokens at once (the engine does both)."""
    show_instead(ValidationFailed, lambda exc: render_users(422, errors=exc.errors))
    engine().set_user_active(username, active, operator=operator())
    if active:
        flash(_("Der Benutzer „%(username)s“ ist wieder aktiv.", username=username), "success")
    else:
        message = _("Der Benutzer „%(username)s“ ist deaktiviert; seine Sitzungen sind beendet.", username=username)
        flash(message, "success")
    return redirect(url_for("admin.users"))


@bp.post("/verwaltung/benutzer/<username>/deaktivieren")
@role_required(ADMIN)
def deactivate_user(username: str) -> Any:
    return _switch(username, False)


@bp.post("/verwaltung/benutzer/<username>/aktivieren")
@role_required(ADMIN)
def activate_user(username: str) -> Any:
    return _switch(username, True)
