"""The AST check of every Python snippet in a bundle: scripts, conditions, timers, payloads, DMN cells.

SpiffWorkflow runs these with plain `eval`/`exec` on the task data, and a restricted `__builtins__` is
not a sandbox (spiffworkflow-notes.md §3: `().__class__.__base__.__subclasses__()` reaches
`subprocess.Popen`). So deployment only admits a small, reviewable subset of Python: no imports, no
attribute access at all (no helper needs one, and dunder attributes are the classic escape), no
function or class definitions, and calls only to bare names from `APPROVED_HELPERS` and the callable
`SAFE_BUILTINS`. Comprehensions, f-strings, subscripts and arithmetic stay allowed.

Functions here return problems *without* a location; `engine.validation_snippets` adds file and line.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from engine.processes.sandbox.static import limit_problems, text_problem
from engine.processes.script_helpers import APPROVED_HELPERS, SAFE_BUILTINS

Mode = Literal["eval", "exec"]

#: Names an expression may call: the approved helpers and the builtins that are functions.
CALLABLE_NAMES = frozenset(APPROVED_HELPERS) | frozenset(n for n, v in SAFE_BUILTINS.items() if callable(v))
#: Variables the engine puts into a case: the Meldung that opened it, a Rückmeldung received, the kind
#: of the organisation whose case it is (`organisation_art`, engine/labels.py KIND_LABELS).
ENGINE_VARIABLES = frozenset({"meldung", "rueckmeldung", "organisation_art"})
#: Names that are always defined for an expression (helpers, builtins, engine variables).
PREDEFINED_NAMES = frozenset(APPROVED_HELPERS) | frozenset(SAFE_BUILTINS) | ENGINE_VARIABLES

_FORBIDDEN_NODES: dict[type[ast.AST], str] = {
    ast.FunctionDef: "defining a function",
    ast.AsyncFunctionDef: "defining a function",
    ast.Lambda: "a lambda",
    ast.ClassDef: "defining a class",
    ast.Global: "'global'",
    ast.Nonlocal: "'nonlocal'",
    ast.With: "'with'",
    ast.AsyncWith: "'async with'",
    ast.AsyncFor: "'async for'",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield from'",
    ast.While: "a while loop (it can run forever inside a request)",
}

# An ISO 8601 duration, date/time or repeating interval written without quotes: Python reads `PT72H`
# as a variable name and `2026-01-01T00:00` not at all; SpiffWorkflow only fails when the timer is armed.
_UNQUOTED_ISO = re.compile(r"^(R\d*/)?(P(?=[\dT.,YMWDHS]*\d)[\dT.,YMWDHS]+|\d{4}-\d{2}-\d{2}\S*)(/\S+)?$")
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$")
_CYCLE = re.compile(r"^R(\d*)/(.+)$")
_DMN_PLACEHOLDER = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # SpiffWorkflow's DMNEngine regex


def source_for(text: str, mode: Mode) -> str:
    # `eval` of a str skips leading spaces and tabs (not newlines); `exec` skips nothing.
    return text.lstrip(" \t") if mode == "eval" else text


def parse(text: str, mode: Mode) -> tuple[ast.AST | None, list[str]]:
    """Parse like SpiffWorkflow will, then apply the allow-list and the static limits (German,
    `engine.processes.sandbox.static`). Returns (tree or None, problems)."""
    too_long = text_problem(text)
    if too_long is not None:
        return None, [f"Grenze überschritten: {too_long}"]
    try:
        tree = ast.parse(source_for(text, mode), mode=mode)
    except SyntaxError as exc:
        where = f" (line {exc.lineno} of the snippet)" if exc.lineno and "\n" in text.strip() else ""
        return None, [f"syntax error: {exc.msg}{where}"]
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, too deeply nested
        return None, [f"cannot be parsed: {exc}"]
    return tree, check_tree(tree) + [f"Grenze überschritten: {p}" for p in limit_problems(tree)]


def check_tree(tree: ast.AST) -> list[str]:
    """Every construct outside the allow-list, each message once."""
    problems: list[str] = []
    inner_attributes: set[int] = set()
    for node in ast.walk(tree):
        message = None
        if isinstance(node, ast.Import | ast.ImportFrom):
            message = f"imports are not allowed ({_snippet(node)})"
        elif type(node) in _FORBIDDEN_NODES:
            message = f"{_FORBIDDEN_NODES[type(node)]} is not allowed"
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Attribute):
                inner_attributes.add(id(node.value))
            if id(node) not in inner_attributes:
                message = f"attribute access {_snippet(node)} is not allowed (no helper needs one)"
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in CALLABLE_NAMES):
                message = (
                    f"calls {_snippet(node.func)}: only the approved helpers "
                    f"({', '.join(sorted(APPROVED_HELPERS))}) and the safe builtins may be called"
                )
        elif isinstance(node, ast.Name):
            if node.id.startswith("__"):
                message = f"the name {node.id} is not allowed (dunder names reach the interpreter)"
            elif isinstance(node.ctx, ast.Store | ast.Del) and node.id in PREDEFINED_NAMES:
                message = f"assigns to {node.id}, which is a predefined helper, builtin or engine variable"
        if message and message not in problems:
            problems.append(message)
    return problems


def _snippet(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def free_names(tree: ast.AST) -> set[str]:
    """Names an expression reads that it does not bind itself (comprehension variables, walrus)."""
    loads: set[str] = set()
    stores: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
    return loads - stores


def assigned_names(tree: ast.AST) -> set[str]:
    """Variables a script assigns: they join the task data and later conditions may read them."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def unknown_names(tree: ast.AST, known: Iterable[str]) -> list[str]:
    """Problems for every free name that is not known, with a did-you-mean where one is close."""
    known_set = set(known) | PREDEFINED_NAMES
    problems = []
    for name in sorted(free_names(tree) - known_set):
        close = difflib.get_close_matches(name, sorted(known_set), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        problems.append(f"reads '{name}', which is no form field, helper, message or engine variable{hint}")
    return problems


def check_timer(text: str | None, kind: str, *, has_frist: bool, form_fields: set[str] | None) -> list[str]:
    """A timer expression: a quoted ISO literal, an approved helper call or a variable — with a Frist.

    A deadline belongs to the network's Fristen profile (the `frist` property), so a literal or a
    variable needs one; a helper applied to a form field (a review date the user chose) is the one
    deadline that stands on its own. `form_fields` None: unknown (a form is unreadable), not checked.
    """
    stripped = (text or "").strip()
    if not stripped:
        return ["timer has no expression"]
    if _UNQUOTED_ISO.match(stripped):
        return [f'timer expression {stripped} is not quoted: write "{stripped}"']
    tree, problems = parse(text or "", "eval")  # as SpiffWorkflow evaluates it: a leading newline fails
    if tree is None or problems:
        return problems
    assert isinstance(tree, ast.Expression)
    body = tree.body
    if isinstance(body, ast.Constant) and isinstance(body.value, str):
        problems = _check_literal(body.value, kind)
        if not has_frist:
            problems.append(
                f'timer with the literal "{body.value}" has no frist property: add '
                '<spiffworkflow:property name="frist" value="…"/> to the timer event'
            )
        return problems
    if isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id in APPROVED_HELPERS:
        names = [a.id for a in body.args if isinstance(a, ast.Name)]
        others = [a for a in body.args if not isinstance(a, ast.Name | ast.Constant)]
        on_form_field = bool(names) and not others and (form_fields is None or set(names) <= form_fields)
        if not on_form_field and not has_frist:
            return [f"timer {stripped} does not apply {body.func.id} to a form field and has no frist property"]
        return []
    if isinstance(body, ast.Name):
        return [] if has_frist else [f"timer reads the variable {body.id} but has no frist property"]
    return [
        f"timer expression {_snippet(body)} must be a quoted ISO 8601 literal, a call of an approved "
        "helper or a variable name"
    ]


def _check_literal(value: str, kind: str) -> list[str]:
    if kind == "timeDuration":
        return [] if _DURATION.match(value) else [f'"{value}" is not an ISO 8601 duration like "PT72H"']
    if kind == "timeDate":
        return _check_instant(value)
    match = _CYCLE.match(value)
    if not match:
        return [f'"{value}" is not an ISO 8601 repeating interval like "R3/PT1H"']
    parts = match.group(2).split("/")
    if len(parts) == 1 and _DURATION.match(parts[0]):
        return []
    if len(parts) == 2 and _DURATION.match(parts[1]) and not _check_instant(parts[0]):
        return []
    return [f'"{value}" is not an ISO 8601 repeating interval like "R3/PT1H"']


def _check_instant(value: str) -> list[str]:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return [f'"{value}" is not an ISO 8601 date-time']
    if instant.tzinfo is None:
        return [f'"{value}" has no UTC offset (SpiffWorkflow would use the server zone, which is DST-unsafe)']
    return []


def dmn_match_source(entry: str) -> str | None:
    """The Python SpiffWorkflow's DMN engine evaluates for an input entry, None for "any" (`-`/empty).

    Entries may be a value (`"company"`), start with an operator (`< 1000`) or use `?` for the input
    (`1000 <= ? < 10000`); the engine turns them into one comparison with the input expression.
    """
    entry = entry.strip()
    if entry in ("", "-"):
        return None
    if _DMN_PLACEHOLDER.search(entry):
        return _DMN_PLACEHOLDER.sub("dmninputexpr", entry)
    try:
        ast.parse(entry, mode="eval")
    except SyntaxError:
        return f"dmninputexpr {entry}"
    return f"dmninputexpr == ({entry})"
