"""Deploy-time validation of a process bundle: every problem at once, or nothing.

A broken definition must be refused when an admin deploys it, never discovered by a caseworker in
the middle of a Gefährdungseinschätzung. `validate_bundle` therefore collects *every* problem (in
English, for the admin who wrote the bundle; each names its file and, where known, line and element
id) and never raises for bad input: an internal error becomes a problem too, so a checker bug refuses
the bundle instead of letting it through. The rules come from docs/bundles.md and
spiffworkflow-notes.md; the XML, model and script checks live in the `validation_*` modules.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from lxml import etree

from engine.errors import DefinitionInvalid
from engine.forms import FormDefinition, check_definition, parse_definition
from engine.forms.definition import FormField
from engine.labels import KIND_LABELS
from engine.processes.bundles import MANIFEST, Bundle, parse_json
from engine.processes.file_rules import basis_problems, redaction_problems, visibility_problems
from engine.processes.form_defaults import amended_form, amendment_problems
from engine.processes.manifest import ampel_problems
from engine.processes.migration_map import MIGRATION, migration_problems
from engine.processes.validation.bpmn_rules import (
    check_flows,
    check_lanes,
    check_processes,
    check_properties,
    check_unsupported,
    user_tasks,
)
from engine.processes.validation.payloads import payload_problems
from engine.processes.validation.snippets import check_snippets, dmn_outputs, message_variables
from engine.processes.validation.xml import (
    Doc,
    bpmn,
    parse_xml,
    size_problems,
    spiff,
    spiff_problems,
    xsd_problems,
)

FORMAT = 1
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ROLES = frozenset(
    {
        "fachkraft",
        "leitung",
        "berufsgeheimnistraeger",
        "insofa",
        "ja_fachkraft",
        "ja_leitung",
        "ja_fachberatung_ktp",
        "auditor",
        "admin",
    }
)
ORGANISATION_KINDS = frozenset(KIND_LABELS)
_REQUIRED = ("format", "key", "version", "title", "bpmn", "lanes", "organisation_kinds", "starter_roles")
_OPTIONAL = ("dmn", "started_by_messages", "ampel", "sichtbarkeit", "grundlage", "schwaerzung")


def validate_or_raise(bundle: Bundle) -> None:
    """Raise `DefinitionInvalid` with every problem of the bundle, if it has any."""
    problems = validate_bundle(bundle)
    if problems:
        raise DefinitionInvalid(problems)


def validate_bundle(bundle: Bundle) -> list[str]:
    """Every problem of the bundle (English, located), [] if it may be deployed."""
    try:
        return _validate(bundle)
    except Exception as exc:  # deny by default: a checker bug must refuse, never admit
        return [f"validation stopped by an internal error ({type(exc).__name__}: {exc}); bundle refused"]


def _validate(bundle: Bundle) -> list[str]:
    manifest: Mapping[str, Any] = bundle.manifest if isinstance(bundle.manifest, Mapping) else {}
    files = bundle.files
    problems = _check_paths(files) + check_manifest(manifest, files)
    raw_key = manifest.get("key")
    key = raw_key if isinstance(raw_key, str) and KEY_PATTERN.match(raw_key) else None

    docs, dmn_docs, clean = [], [], True
    for path in _listed(manifest, "bpmn", files):
        doc, found = _parse_within_limits(path, files[path])
        schema = xsd_problems(path, files[path]) if doc is not None else []
        problems += found + schema
        clean = clean and doc is not None and not schema
        if doc is not None:
            docs.append(doc)
    for path in _listed(manifest, "dmn", files):
        doc, found = _parse_within_limits(path, files[path])
        problems += found
        clean = clean and doc is not None
        if doc is not None:
            dmn_docs.append(doc)
    if not docs:
        return problems

    lanes = manifest.get("lanes")
    problems += check_processes(docs, key)
    unsupported = check_unsupported(docs)
    problems += unsupported
    problems += check_flows(docs)
    problems += check_lanes(docs, lanes if isinstance(lanes, Mapping) else {})
    form_problems, form_fields = check_forms(bundle, docs)
    problems += form_problems
    task_ids = {t.get("id") or "" for _, t in user_tasks(docs)}
    problems += check_properties(docs, task_ids)
    if "sichtbarkeit" in manifest:
        problems += visibility_problems(manifest["sichtbarkeit"], task_ids, form_fields)
    if "grundlage" in manifest:
        problems += basis_problems(manifest["grundlage"], task_ids)
    if "schwaerzung" in manifest:
        problems += redaction_problems(manifest["schwaerzung"], task_ids, form_fields)
    problems += payload_problems(docs)
    if MIGRATION in files and not form_problems:
        problems += migration_problems(bundle, _positions(docs, task_ids), _fields_by_name(bundle, docs))
    variables, found = message_variables(docs)
    problems += found
    problems += check_snippets(docs, dmn_docs, form_fields, variables | dmn_outputs(dmn_docs))

    keyed = [p for d in docs for p in d.root.iter(bpmn("process")) if p.get("id") == key]
    # SpiffWorkflow's own parse, for what only it knows (e.g. a non-default flow without condition);
    # skipped where it would only stumble over a problem already reported.
    if clean and not unsupported and key is not None and len(keyed) == 1 and keyed[0].get("isExecutable") == "true":
        problems += spiff_problems(
            key, {d.path: files[d.path] for d in docs}, {d.path: files[d.path] for d in dmn_docs}
        )
    return problems


def _parse_within_limits(path: str, content: bytes) -> tuple[Doc | None, list[str]]:
    """A BPMN/DMN file parsed; one with an oversized name, id or text is reported and checked no
    further (every later check would carry the oversized value along)."""
    doc, found = parse_xml(path, content)
    if doc is None:
        return None, found
    oversized = size_problems(doc)
    return (None, oversized) if oversized else (doc, [])


def _positions(docs: list[Doc], task_ids: set[str]) -> set[str]:
    """The nodes a running case can stand at: its user tasks and intermediate catch events."""
    catches = {e.get("id") or "" for d in docs for e in d.root.iter(bpmn("intermediateCatchEvent"))}
    return task_ids | catches


def _fields_by_name(bundle: Bundle, docs: list[Doc]) -> dict[str, FormField]:
    """The top-level fields of the user tasks' forms by name, as the engine loads them (called once
    the forms passed `check_forms`)."""
    fields: dict[str, FormField] = {}
    for _doc, task in user_tasks(docs):
        element = task.find(f"{bpmn('extensionElements')}/{spiff('formJsonSchemaFilename')}")
        path = (element.text or "").strip() if element is not None else ""
        form = parse_definition(amended_form(bundle.key, bundle.version, bundle.form_raw(path)))
        fields.update((f.name, f) for f in form.fields)
    return fields


def _check_paths(files: Mapping[str, bytes]) -> list[str]:
    problems = []
    for path in files:
        parts = path.split("/")
        if "\\" in path or any(part in ("", ".", "..") for part in parts):
            problems.append(f"{path}: not a relative POSIX path inside the bundle")
    return problems


def _listed(manifest: Mapping[str, Any], name: str, files: Mapping[str, bytes]) -> list[str]:
    listed = manifest.get(name)
    if not isinstance(listed, list):
        return []
    return [p for p in dict.fromkeys(listed) if isinstance(p, str) and p in files]


def check_manifest(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> list[str]:
    """The shape of manifest.json (docs/bundles.md), every listed file present, every model file listed."""
    problems = []

    def problem(message: str) -> None:
        problems.append(f"{MANIFEST}: {message}")

    for name in _REQUIRED:
        if name not in manifest:
            problem(f"'{name}' is missing")
    for name in sorted(set(manifest) - set(_REQUIRED) - set(_OPTIONAL)):
        problem(f"unknown key '{name}'")
    if "format" in manifest and (manifest["format"] != FORMAT or isinstance(manifest["format"], bool)):
        problem(f"'format' must be {FORMAT}")
    key = manifest.get("key")
    if "key" in manifest and not (isinstance(key, str) and KEY_PATTERN.match(key)):
        problem(f"'key' {key!r} must match {KEY_PATTERN.pattern}")
    version = manifest.get("version")
    if "version" in manifest and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        problem("'version' must be an integer >= 1")
    title = manifest.get("title")
    if "title" in manifest and not (isinstance(title, str) and title.strip()):
        problem("'title' must be a non-empty string")
    for name, suffix, required in (("bpmn", ".bpmn", True), ("dmn", ".dmn", False)):
        listed = manifest.get(name, None if required else [])
        if not _str_list(listed) or (required and not listed):
            if name in manifest:
                problem(f"'{name}' must be a{' non-empty' if required else ''} list of file names")
            continue
        problems += [f"{MANIFEST}: lists {p}, which is not in the bundle" for p in listed if p not in files]
        problems += [
            f"{p}: not listed in {MANIFEST} '{name}'" for p in sorted(files) if p.endswith(suffix) and p not in listed
        ]
    lanes = manifest.get("lanes")
    if "lanes" in manifest:
        if not isinstance(lanes, Mapping) or not lanes:
            problem("'lanes' must be an object mapping lane names to lists of roles")
        else:
            for lane, roles in lanes.items():
                if not _str_list(roles) or not roles:
                    problem(f"lane '{lane}' must map to a non-empty list of roles")
                else:
                    problems += [f"{MANIFEST}: lane '{lane}': unknown role '{r}'" for r in roles if r not in ROLES]
    kinds = manifest.get("organisation_kinds")
    if "organisation_kinds" in manifest:
        if not _str_list(kinds) or not kinds:
            problem("'organisation_kinds' must be a non-empty list")
        else:
            problems += [f"{MANIFEST}: unknown organisation kind '{k}'" for k in kinds if k not in ORGANISATION_KINDS]
    starters = manifest.get("starter_roles")
    if "starter_roles" in manifest:
        if not _str_list(starters):
            problem("'starter_roles' must be a list of roles")
        else:
            problems += [f"{MANIFEST}: unknown starter role '{r}'" for r in starters if r not in ROLES]
    if "ampel" in manifest:
        problems += ampel_problems(manifest["ampel"])
    messages = manifest.get("started_by_messages", [])
    if not _str_list(messages) or any(not m.strip() for m in messages):
        problem("'started_by_messages' must be a list of message names")
    elif _str_list(starters) and not starters and not messages:
        problem("nobody can start this process: 'starter_roles' and 'started_by_messages' are both empty")
    return problems


def _str_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_forms(bundle: Bundle, docs: list[Doc]) -> tuple[list[str], set[str] | None]:
    """Each user task names a form file of the bundle that is a valid definition for that very task —
    as the engine will load it, with the options `bpmn/manifest_defaults.json` adds to this version.

    Returns the problems and the names of all form fields (the variables conditions may read), or
    None if some user task's form could not be read: the names are then unknown, and a condition
    check would only add false alarms to the real problem.
    """
    problems: list[str] = []
    fields: set[str] | None = set()
    loaded: dict[str, object] = {}
    fields_by_task: dict[str, set[str] | None] = {}
    for doc, task in user_tasks(docs):
        element = task.find(f"{bpmn('extensionElements')}/{spiff('formJsonSchemaFilename')}")
        path = (element.text or "").strip() if element is not None else ""
        if element is None or not path:
            problems.append(doc.at(task, "names no form (spiffworkflow:formJsonSchemaFilename)"))
            fields = None
            continue
        if path not in bundle.files:
            problems.append(doc.at(element, f"its form {path} is not in the bundle"))
            fields = None
            continue
        if path not in loaded:
            loaded[path], found, names = _load_form(path, bundle.files[path], bundle)
            problems += found
            fields = None if fields is None or names is None else fields | names
            fields_by_task[str(task.get("id"))] = names
        raw = loaded[path]
        if isinstance(raw, dict) and raw.get("task") != task.get("id"):
            problems.append(
                f"{path}: 'task' is {raw.get('task')!r}, but it is the form of "
                f"{etree.QName(task).localname} '{task.get('id')}'"
            )
    problems += amendment_problems(bundle.key, bundle.version, fields_by_task)
    problems += sibling_problems(bundle.manifest, loaded)
    return problems, fields


def sibling_problems(manifest: object, forms: Mapping[str, object]) -> list[str]:
    """A `kinder` field opens cases at the case's Jugendamt (engine/cases/siblings.py): only a process
    of Jugendämter may carry one — a Träger or an insoweit erfahrene Fachkraft opens no Jugendamt case."""
    kinds = manifest.get("organisation_kinds") if isinstance(manifest, Mapping) else None
    if kinds == ["jugendamt"]:
        return []
    return [
        f"{path}: field '{field['name']}' of type 'kinder' opens cases at the Jugendamt; only a process whose"
        " 'organisation_kinds' is [\"jugendamt\"] may use it"
        for path, raw in forms.items()
        if isinstance(raw, dict) and isinstance(raw.get("fields"), list)
        for field in raw["fields"]
        if isinstance(field, dict) and field.get("type") == "kinder"
    ]


def _load_form(path: str, content: bytes, bundle: Bundle) -> tuple[object, list[str], set[str] | None]:
    raw, problem = parse_json(path, content)
    if problem is not None:
        return None, [problem], None
    # Malformed amendments of this version are reported once, by `amendment_problems`.
    with contextlib.suppress(DefinitionInvalid):
        raw = amended_form(bundle.key, bundle.version, raw)
    found = [f"{path}: {p}" for p in check_definition(raw)]
    if not found:
        form = parse_definition(raw)
        return raw, [f"{path}: {p}" for p in purpose_problems(form)], {f.name for f in form.fields}
    raw_fields = raw.get("fields") if isinstance(raw, dict) else None
    if not isinstance(raw_fields, list):
        return raw, found, None
    return raw, found, {f["name"] for f in raw_fields if isinstance(f, dict) and isinstance(f.get("name"), str)}


def purpose_problems(form: FormDefinition) -> list[str]:
    """Every field of a deployed form states its purpose (R31, DP-01: no data collected without one).

    Checked here, at deploy, not in `check_definition`: a form on its own (a test's, a draft's) may
    leave it out, a process version may not. A list's purpose covers its items (they may state their
    own). A v1 version gets its purposes from `bpmn/manifest_defaults.json` (its bytes are immutable).
    """
    return [
        f"field '{field.name}' states no purpose: give it a 'zweck', a short German sentence saying what"
        " the data item is collected for (R31, docs/bundles.md)"
        for field in form.fields
        if not (field.zweck and field.zweck.strip())
    ]
