"""Administration (role `admin`): organisations and users, process versions, Fristen profiles.

Administrators never see case content: these pages call only the engine's administrative methods
(organisations, users, processes, compare_versions, deploy, fristen), none of which returns a case.

Uploading a process version: the ZIP of a bundle folder is read in memory with limits (entries,
sizes, no absolute paths, no `..`, no links; a single top-level folder is stripped, hidden files and
`__pycache__` are skipped like `load_bundle_dir` does, so the same folder gives the same sha256),
validated, and the validation report is shown. A valid upload is kept in the instance folder
(`<instance>/uploads/<random>.zip`, mode 0600, at most an hour, its name remembered in the signed
session of the uploader only); "Bereitstellen" deploys exactly those bytes, checked against the
sha256 the report showed. Cookies are too small for a bundle, and re-uploading the file for the
second step would not guarantee that what is deployed is what was reviewed.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import stat
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.accounts.registry import ORGANISATION_KINDS, ROLES_BY_KIND
from engine.errors import DefinitionInvalid, NotFound, ValidationFailed
from engine.permissions import ROLE_LABELS
from engine.processes.bundles import Bundle, bundle_from_files
from engine.processes.validation.bundle import validate_bundle
from web.ui.access import current_actor, engine, role_required
from web.ui.navigation import add_nav_item

bp = Blueprint("admin", __name__)

ADMIN = "admin"

KIND_LABELS: dict[str, Any] = {
    "traeger": _l("Freier Träger der Jugendhilfe"),
    "kindertagespflege": _l("Kindertagespflege"),
    "einrichtung_kkg": _l("Einrichtung mit Berufsgeheimnisträgern (§ 4 KKG)"),
    "beratungsstelle": _l("Beratungsstelle"),
    "jugendamt": _l("Jugendamt"),
}

ROLE_NAMES: dict[str, Any] = {
    "fachkraft": _l("Fachkraft"),
    "leitung": _l("Leitung"),
    "berufsgeheimnistraeger": _l("Berufsgeheimnisträger/in (§ 4 KKG)"),
    "insofa": _l("insoweit erfahrene Fachkraft"),
    "ja_fachkraft": _l("Fachkraft im Jugendamt (ASD)"),
    "ja_leitung": _l("Leitung im Jugendamt (ASD)"),
    "auditor": _l("Revision / Datenschutz"),
    "admin": _l("Administration"),
}

#: The aspects `compare_versions` names (German words from the engine).
ASPECTS: dict[str, Any] = {
    "Titel": _l("Titel"),
    "Rolle (Lane)": _l("Rolle (Lane)"),
    "Mehraugenprinzip mit": _l("Mehraugenprinzip mit"),
    "Frist": _l("Frist"),
    "Fristbeginn": _l("Fristbeginn"),
    "Formularfelder": _l("Formularfelder"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind) or ORGANISATION_KINDS.get(kind, kind))


def role_label(role: str) -> str:
    return str(ROLE_NAMES.get(role) or ROLE_LABELS.get(role, role))


def aspect_label(aspect: str) -> str:
    return str(ASPECTS.get(aspect, aspect))


def _operator() -> str:
    return current_actor().username


def _allow_no_mfa() -> bool:
    return bool(current_app.extensions["schutzpfad.settings"].allow_no_mfa)


@bp.app_template_global()
def admin_labels() -> dict[str, Any]:
    return {"kind": kind_label, "role": role_label, "aspect": aspect_label}


# ---- overview ---------------------------------------------------------------------------------------


@bp.get("/verwaltung")
@role_required(ADMIN)
def index() -> str:
    return render_template(
        "admin/index.html",
        counts={
            "organisations": len(engine().organisations()),
            "users": len(engine().users()),
            "processes": len(engine().processes()),
            "networks": len(engine().networks()),
        },
    )


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
            jugendaemter=[(o["key"], f"{o['name']} ({o['key']})") for o in organisations if o["kind"] == "jugendamt"],
            networks=[(n["key"], f"{n['name']} ({n['key']})") for n in engine().networks()],
            **context,
        ),
        status,
    )


@bp.route("/verwaltung/organisationen", methods=["GET", "POST"])
@role_required(ADMIN)
def organisations() -> Any:
    if request.method == "GET":
        return _render_organisations()
    values = {name: request.form.get(name, "").strip() for name in ("key", "name", "kind", "jugendamt", "netzwerk")}
    try:
        key = engine().create_organisation(
            operator=_operator(),
            key=values["key"],
            name=values["name"],
            kind=values["kind"],
            jugendamt_key=values["jugendamt"] or None,
            network_key=values["netzwerk"] or None,
        )
    except ValidationFailed as exc:
        return _render_organisations(422, errors=exc.errors, values=values)
    flash(_("Die Organisation „%(key)s“ ist angelegt.", key=key), "success")
    return redirect(url_for("admin.organisations"))


# ---- users -----------------------------------------------------------------------------------------


def _render_users(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    organisations = engine().organisations()
    return (
        render_template(
            "admin/benutzer.html",
            users=engine().users(),
            organisations=[(o["key"], f"{o['name']} ({o['key']})") for o in organisations],
            roles=[(r, role_label(r)) for r in ROLE_LABELS],
            roles_by_kind=[(kind_label(k), [role_label(r) for r in sorted(ROLES_BY_KIND[k])]) for k in ROLES_BY_KIND],
            allow_no_mfa=_allow_no_mfa(),
            **context,
        ),
        status,
    )


@bp.route("/verwaltung/benutzer", methods=["GET", "POST"])
@role_required(ADMIN)
def users() -> Any:
    if request.method == "GET":
        return _render_users()
    form = request.form
    values = {name: form.get(name, "").strip() for name in ("username", "display_name", "organisation", "role")}
    # The checkbox is only offered where the installation allows it; anything else keeps the secure default.
    without_mfa = _allow_no_mfa() and form.get("ohne_mfa") == "true"
    if without_mfa:
        values["ohne_mfa"] = "true"
    known = {o["key"] for o in engine().organisations()}
    if values["organisation"] not in known:
        errors = {"organisation": [_("Bitte wählen Sie eine Organisation aus.")]}
        return _render_users(422, errors=errors, values=values)
    try:
        username = engine().create_user(
            operator=_operator(),
            username=values["username"],
            organisation_key=values["organisation"],
            role=values["role"],
            password=form.get("password", ""),
            display_name=values["display_name"] or None,
            mfa_required=not without_mfa,
        )
    except ValidationFailed as exc:
        return _render_users(422, errors=exc.errors, values=values)
    except NotFound as exc:  # the organisation vanished in between
        return _render_users(422, errors={"organisation": [exc.detail]}, values=values)
    flash(_("Der Benutzer „%(username)s“ ist angelegt.", username=username), "success")
    return redirect(url_for("admin.users"))


# ---- process versions: list, upload, report, deploy, compare -------------------------------------------

MAX_ENTRIES = 500
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
PENDING_SECONDS = 3600
_SESSION_KEY = "admin_bundle_uploads"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class UploadRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _skipped(parts: list[str]) -> bool:
    """What a folder deploy leaves out too: hidden files and folders, __pycache__ (and macOS's __MACOSX)."""
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts) or "__pycache__" in parts[:-1]


def files_from_zip(data: bytes) -> dict[str, bytes]:
    """The files of a bundle folder packed as a ZIP: relative POSIX path → bytes, or UploadRefused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise UploadRefused([_("Die Datei ist kein gültiges ZIP-Archiv.")]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise UploadRefused([_("Das Archiv enthält mehr als %(n)s Einträge.", n=MAX_ENTRIES)])
        problems: list[str] = []
        entries: list[tuple[list[str], zipfile.ZipInfo]] = []
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            parts = name.split("/")
            if (
                "\\" in name
                or name.startswith("/")
                or re.match(r"^[A-Za-z]:", name)
                or any(p in ("", ".", "..") for p in parts)
            ):
                problems.append(_("%(name)s: unzulässiger Pfad (absolut oder mit ..).", name=name))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append(_("%(name)s: symbolische Links sind nicht erlaubt.", name=name))
                continue
            if info.flag_bits & 0x1:
                problems.append(_("%(name)s: verschlüsselte Einträge sind nicht erlaubt.", name=name))
                continue
            if not _skipped(parts):
                entries.append((parts, info))
        if problems:
            raise UploadRefused(problems)
        # A ZIP of the folder itself (`1/manifest.json` …): strip that single top-level folder.
        if entries and all(len(p) > 1 for p, _info in entries) and len({p[0] for p, _info in entries}) == 1:
            entries = [(p[1:], info) for p, info in entries]
        files: dict[str, bytes] = {}
        total = 0
        for parts, info in entries:
            path = "/".join(parts)
            if path in files:
                problems.append(_("%(name)s: kommt mehrfach vor.", name=path))
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError):
                problems.append(_("%(name)s: lässt sich nicht entpacken.", name=path))
                continue
            if len(content) > MAX_FILE_BYTES:
                problems.append(_("%(name)s: größer als %(mib)s MiB.", name=path, mib=MAX_FILE_BYTES // 2**20))
                continue
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise UploadRefused([_("Entpackt größer als %(mib)s MiB.", mib=MAX_TOTAL_BYTES // 2**20)])
            files[path] = content
        if problems:
            raise UploadRefused(problems)
        if not files:
            raise UploadRefused([_("Das Archiv ist leer.")])
        return files


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


def _kept(token: str) -> bytes | None:
    if not _TOKEN.match(token) or token not in session.get(_SESSION_KEY, []):
        return None
    path = _uploads() / f"{token}.zip"
    try:
        if path.stat().st_mtime < time.time() - PENDING_SECONDS:
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _forget(token: str) -> None:
    session[_SESSION_KEY] = [t for t in session.get(_SESSION_KEY, []) if t != token]
    if _TOKEN.match(token):
        (_uploads() / f"{token}.zip").unlink(missing_ok=True)


def _deploy_notes(bundle: Bundle) -> tuple[list[str], bool]:
    """Problems the deployment would meet (besides validation), and whether it is already deployed."""
    versions = [p for p in engine().processes() if p["key"] == bundle.key]
    same = next((p for p in versions if p["version"] == bundle.version), None)
    if same is not None:
        if same["sha256"] == bundle.sha256:
            return [], True
        return [
            _(
                "%(key)s Version %(version)s ist schon mit anderem Inhalt bereitgestellt (sha256 %(sha)s…). "
                "Bereitgestellte Versionen bleiben unverändert: Erhöhen Sie die Versionsnummer im manifest.json.",
                key=bundle.key,
                version=bundle.version,
                sha=same["sha256"][:12],
            )
        ], False
    newest = max((p["version"] for p in versions), default=None)
    if newest is not None and bundle.version < newest:
        return [
            _(
                "%(key)s Version %(version)s ist älter als die bereitgestellte Version %(newest)s.",
                key=bundle.key,
                version=bundle.version,
                newest=newest,
            )
        ], False
    return [], False


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
    filename = Path(upload.filename).name
    data = upload.read()
    bundle: Bundle | None = None
    deployed = False
    try:
        bundle = bundle_from_files(files_from_zip(data))
        problems = validate_bundle(bundle)
        if not problems:
            problems, deployed = _deploy_notes(bundle)
    except UploadRefused as exc:
        problems = exc.problems
    except DefinitionInvalid as exc:
        problems = exc.problems
    token = _keep(data) if bundle is not None and not problems and not deployed else None
    return _render_report(
        422 if problems else 200, filename=filename, bundle=bundle, problems=problems, token=token, deployed=deployed
    )


@bp.post("/verwaltung/prozesse/bereitstellen")
@role_required(ADMIN)
def deploy() -> Any:
    token = request.form.get("upload", "")
    data = _kept(token)
    bundle = None
    if data is not None:
        try:
            bundle = bundle_from_files(files_from_zip(data))
        except (UploadRefused, DefinitionInvalid):
            bundle = None
    if bundle is None or bundle.sha256 != request.form.get("sha256"):
        _forget(token)
        flash(_("Die geprüfte Datei liegt nicht mehr vor. Bitte laden Sie sie erneut hoch."), "error")
        return redirect(url_for("admin.processes"))
    try:
        result = engine().deploy(bundle, deployed_by=_operator())
    except DefinitionInvalid as exc:
        _forget(token)
        return _render_report(422, filename="", bundle=bundle, problems=exc.problems, token=None, deployed=False)
    _forget(token)
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


# ---- Fristen profiles ------------------------------------------------------------------------------


def _render_fristen(network: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    profile = None
    if network:
        try:
            profile = engine().fristen(network)
        except ValidationFailed as exc:
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


@bp.post("/verwaltung/fristen/<network>")
@role_required(ADMIN)
def set_frist(network: str) -> Any:
    key = request.form.get("key", "")
    field = f"wert.{key}"
    value = request.form.get(field, "")
    try:
        profile = engine().set_frist(network, key, value, operator=_operator())
    except ValidationFailed as exc:
        messages = [message for messages in exc.errors.values() for message in messages] or [exc.detail]
        errors = {"netzwerk": messages} if "netzwerk" in exc.errors else {field: messages}
        return _render_fristen(network, 422, errors=errors, values={field: value})
    flash(_("Frist „%(key)s“ ist jetzt „%(value)s“.", key=key, value=profile.get(key, value)), "success")
    return redirect(url_for("admin.fristen", netzwerk=network))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav_item(app, "admin.index", _l("Verwaltung"), roles={ADMIN}, order=90)
