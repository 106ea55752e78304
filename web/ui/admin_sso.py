"""Verwaltung: link a user to their account at the OpenID provider (single sign-on), or undo it.

An administrator links each user once, by the provider's subject (`sub`, e.g. the user's id in
Keycloak, or the Kennung the sign-in page shows a user who is not linked yet). Shown only when single
sign-on is configured; the engine checks and audits (`auth.sso_linked`, `auth.sso_unlinked`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from engine.errors import ValidationFailed
from web.config import OidcSettings
from web.ui.access import engine, role_required
from web.ui.admin_organisations import render_users
from web.ui.admin_pages import ADMIN, bp, operator
from web.ui.error_pages import show_instead

#: The link form's fields, apart from the user form's on the same page.
_FIELDS = {"username": "sso_username", "subject": "sso_subject"}


def _oidc() -> OidcSettings:
    oidc: OidcSettings | None = current_app.extensions["schutzpfad.settings"].oidc
    if oidc is None:
        abort(404)
    return oidc


@bp.app_template_global()
def sso_links() -> dict[str, str] | None:
    """Username → linked subject, for the user list; None without single sign-on."""
    oidc: OidcSettings | None = current_app.extensions["schutzpfad.settings"].oidc
    return None if oidc is None else engine().sso_subjects(oidc.issuer)


def _form_again(exc: ValidationFailed, values: dict[str, str]) -> tuple[str, int]:
    errors = {_FIELDS.get(name, name): messages for name, messages in exc.errors.items()}
    return render_users(errors=errors, values=values)


@bp.post("/verwaltung/benutzer/sso")
@role_required(ADMIN)
def link_sso() -> Any:
    oidc = _oidc()
    values = {field: request.form.get(field, "").strip() for field in _FIELDS.values()}
    show_instead(ValidationFailed, lambda exc: _form_again(exc, values))
    engine().link_sso(values["sso_username"], oidc.issuer, values["sso_subject"], operator=operator())
    flash(_("„%(username)s“ meldet sich jetzt über den Anmeldedienst an.", username=values["sso_username"]), "success")
    return redirect(url_for("admin.users"))


@bp.post("/verwaltung/benutzer/sso/loesen")
@role_required(ADMIN)
def unlink_sso() -> Any:
    oidc = _oidc()
    username = request.form.get("sso_username", "").strip()
    show_instead(ValidationFailed, lambda exc: _form_again(exc, {"sso_username": username}))
    engine().unlink_sso(username, oidc.issuer, operator=operator())
    flash(_("Die Verknüpfung von „%(username)s“ mit dem Anmeldedienst ist gelöst.", username=username), "success")
    return redirect(url_for("admin.users"))
