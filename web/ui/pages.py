"""Pages for everybody: the start page redirect, the accessibility statement, the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from web.ui.access import current_user, safe_next
from web.ui.i18n import LOCALES

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> BaseResponse:
    """Signed out: the sign-in page; signed in: Meine Aufgaben."""
    if current_user() is None:
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("tasks.my_tasks"))


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    settings = current_app.extensions["schutzpfad.settings"]
    return render_template("pages/barrierefreiheit.html", accessibility_contact=settings.accessibility_contact)


@bp.post("/sprache")
def set_language() -> BaseResponse:
    lang = request.form.get("lang", "")
    if lang in LOCALES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("pages.index"))
