"""Verwaltung: process versions (role `admin`) — the list, uploading a version, its report, deploying
it, and comparing two deployed versions.

Uploading: the engine reads the ZIP of a bundle folder with its limits and reports on it
(`engine.processes.preview`). A valid upload is kept in the instance folder (`<instance>/uploads/
<random>.zip`, mode 0600, at most an hour, its name remembered in the signed session of the uploader
only); "Bereitstellen" deploys exactly those bytes, checked against the sha256 the report showed.
Cookies are too small for a bundle, and re-uploading the file for the second step would not guarantee
that what is deployed is what was reviewed.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine.api import Bundle, bundle_from_zip, preview_deploy
from engine.errors import DefinitionInvalid, NotFound
from web.ui.access import engine, role_required
from web.ui.admin_pages import ADMIN, bp, operator
from web.ui.error_pages import show_instead

PENDING_SECONDS = 3600
_SESSION_KEY = "admin_bundle_uploads"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


# ---- uploads kept between the report and the deployment ---------------------------------------------


def _uploads() -> Path:
    folder = Path(current_app.extensions["schutzpfad.settings"].instance_path) / "uploads"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _prune(folder: Path) -> None:
    limit = time.time() - PENDING_SECONDS
    for path in folder.glob("*.zip"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def _keep(data: bytes) -> str:
    folder = _uploads()
    _prune(folder)
    token = secrets.token_urlsafe(24)
    fd = os.open(folder / f"{token}.zip", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    session[_SESSION_KEY] = [*session.get(_SESSION_KEY, [])[-4:], token]
    return token


def _kept(token: str) -> Bundle | None:
    """The upload the report was about, if it is still there, this session's and readable."""
    if not _TOKEN.match(token) or token not in session.get(_SESSION_KEY, []):
        return None
    path = _uploads() / f"{token}.zip"
    try:
        if path.stat().st_mtime < time.time() - PENDING_SECONDS:
            return None
        return bundle_from_zip(path.read_bytes())
    except (FileNotFoundError, DefinitionInvalid):
        return None


def _forget(token: str) -> None:
    session[_SESSION_KEY] = [t for t in session.get(_SESSION_KEY, []) if t != token]
    if _TOKEN.match(token):
        (_uploads() / f"{token}.zip").unlink(missing_ok=True)


# ---- the pages --------------------------------------------------------------------------------------


def _versions_by_key() -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for process in sorted(engine().processes(), key=lambda p: (p["key"], p["version"])):
        grouped.setdefault(process["key"], []).append(process)
    return grouped


def _render_processes(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    return render_template("admin/prozesse.html", grouped=_versions_by_key(), **context), status


@bp.get("/verwaltung/prozesse")
@role_required(ADMIN)
def processes() -> Any:
    return _render_processes()


def _render_report(
    status: int, *, filename: str, bundle: Bundle | None, problems: list[str], token: str | None, deployed: bool
) -> tuple[str, int]:
    return (
        render_template(
            "admin/pruefbericht.html",
            filename=filename,
            bundle=bundle,
            problems=problems,
            token=token,
            already_deployed=deployed,
        ),
        status,
    )


@bp.post("/verwaltung/prozesse/pruefen")
@role_required(ADMIN)
def upload() -> Any:
    upload = request.files.get("bundle")
    if upload is None or not upload.filename:
        return _render_processes(422, errors={"bundle": [_("Bitte wählen Sie die ZIP-Datei eines Prozesspakets aus.")]})
    data = upload.read()
    preview = preview_deploy(data, engine().processes())
    return _render_report(
        422 if preview.problems else 200,
        filename=Path(upload.filename).name,
        bundle=preview.bundle,
        problems=preview.problems,
        token=_keep(data) if preview.deployable else None,
        deployed=preview.already_deployed,
    )


@bp.post("/verwaltung/prozesse/bereitstellen")
@role_required(ADMIN)
def deploy() -> Any:
    token = request.form.get("upload", "")
    bundle = _kept(token)
    _forget(token)  # used up, whatever happens next
    if bundle is None or bundle.sha256 != request.form.get("sha256"):
        flash(_("Die geprüfte Datei liegt nicht mehr vor. Bitte laden Sie sie erneut hoch."), "error")
        return redirect(url_for("admin.processes"))
    checked = bundle  # not None from here on (a name the closure below can rely on)
    show_instead(
        DefinitionInvalid,
        lambda exc: _render_report(422, filename="", bundle=checked, problems=exc.problems, token=None, deployed=False),
    )
    result = engine().deploy(bundle, deployed_by=operator())
    names = {"title": bundle.title, "version": bundle.version}
    if result.created:
        flash(_("„%(title)s“ Version %(version)s ist bereitgestellt.", **names), "success")
    else:
        flash(_("„%(title)s“ Version %(version)s war schon bereitgestellt.", **names))
    return redirect(url_for("admin.processes"))


def _version_arg(name: str, versions: list[int], default: int, errors: dict[str, list[str]]) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if raw.isdigit() and int(raw) in versions:
        return int(raw)
    errors[name] = [_("Bitte wählen Sie eine bereitgestellte Version aus.")]
    return default


@bp.get("/verwaltung/prozesse/<key>/vergleich")
@role_required(ADMIN)
def compare(key: str) -> Any:
    versions = [p["version"] for p in _versions_by_key().get(key, [])]
    if not versions:
        raise NotFound("Prozess nicht gefunden.")
    errors: dict[str, list[str]] = {}
    old = _version_arg("alt", versions, versions[-2] if len(versions) > 1 else versions[-1], errors)
    new = _version_arg("neu", versions, versions[-1], errors)
    result = None if errors else engine().compare_versions(key, old, new)
    return (
        render_template(
            "admin/vergleich.html",
            key=key,
            options=[(v, str(v)) for v in versions],
            values={"alt": old, "neu": new},
            errors=errors,
            result=result,
        ),
        422 if errors else 200,
    )
