"""What deploy refuses by looking at a snippet's code: the static half of the limits (`limits`).

A snippet that would overrun its budget on every run should never be deployed: `3 ** 31000000`,
`9 ** 9 ** 9` and `'x' * 10**12` are refused here, because their constant subexpressions are
folded through the very guards the runtime uses (`guards.fold`), so deploy and run time apply one
rule. Sizes of constants, displays and names, the node count and the nesting of loops are bounded
too, and nested loops over constants whose lengths multiply beyond the step budget are refused.
The same check runs again when the runtime first compiles a snippet (`rewrite`), so a bundle
deployed before a limit existed is held to it as well.

The rewrite needs two restrictions of its own: an element is assigned only in a plain `a[k] = v`
(it becomes one guarded call), and `+=`, `*=`, `**=`, `<<=`, `%=` only to a variable.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from engine.errors import LimitExceeded
from engine.processes.sandbox.guards import GUARDED_OPERATORS, fold
from engine.processes.sandbox.limits import (
    MAX_DISPLAY_ELEMENTS,
    MAX_FORMAT_WIDTH,
    MAX_INT_CONSTANT_DIGITS,
    MAX_LOOP_NESTING,
    MAX_NAME_CHARS,
    MAX_NODES,
    MAX_SNIPPET_CHARS,
    MAX_STEP_OPERATIONS,
    MAX_STRING_CONSTANT,
    number,
)

#: The operator symbols of the AST's operator nodes (the guarded ones go through `guards.fold`).
SYMBOLS: dict[type[ast.operator], str] = {
    ast.Pow: "**",
    ast.Mult: "*",
    ast.LShift: "<<",
    ast.Add: "+",
    ast.Mod: "%",
    ast.Sub: "-",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
}
_PLAIN: dict[str, Callable[[Any, Any], Any]] = {
    "-": operator.sub,
    "/": operator.truediv,
    "//": operator.floordiv,
    ">>": operator.rshift,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
    ast.Not: operator.not_,
}
_DISPLAYS = (ast.List, ast.Tuple, ast.Set, ast.Dict)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


_ELEMENT_ASSIGNMENT = (
    "ein Element wird nur mit einer einfachen Zuweisung a[k] = … gesetzt (ohne Slice, ohne Mehrfachziel)"
)


def text_problem(text: str) -> str | None:
    """Checked before parsing: parsing a megabyte of source is work already."""
    if len(text) > MAX_SNIPPET_CHARS:
        return f"der Ausdruck ist {number(len(text))} Zeichen lang (höchstens {number(MAX_SNIPPET_CHARS)})"
    return None


def limit_problems(tree: ast.AST) -> list[str]:
    """Every static limit the snippet breaks (German), each message once."""
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        return [f"der Ausdruck hat {number(len(nodes))} Syntaxknoten (höchstens {number(MAX_NODES)})"]
    problems: list[str] = []
    for node in nodes:
        problems += _node_problems(node)
    values, folding = _fold(nodes)
    problems += folding
    problems += _loop_problems(tree, values)
    return list(dict.fromkeys(problems))


def _node_problems(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str | bytes) and len(value) > MAX_STRING_CONSTANT:
            return [
                f"eine Textkonstante ist {number(len(value))} Zeichen lang (höchstens {number(MAX_STRING_CONSTANT)})"
            ]
        if isinstance(value, int) and abs(value) >= 10**MAX_INT_CONSTANT_DIGITS:
            return [f"eine Zahlkonstante hat mehr als {MAX_INT_CONSTANT_DIGITS} Stellen"]
    elif isinstance(node, _DISPLAYS):
        size = len(node.keys) if isinstance(node, ast.Dict) else len(node.elts)
        if size > MAX_DISPLAY_ELEMENTS:
            return [f"eine Aufzählung hat {number(size)} Elemente (höchstens {number(MAX_DISPLAY_ELEMENTS)})"]
    elif isinstance(node, ast.Name | ast.keyword):
        name = (node.id if isinstance(node, ast.Name) else node.arg) or ""
        if len(name) > MAX_NAME_CHARS:
            return [f"der Name {name[:20]}… ist {number(len(name))} Zeichen lang (höchstens {MAX_NAME_CHARS})"]
    elif isinstance(node, ast.Assign):
        stored = _stored_elements(node.targets)
        plain = len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript) and len(stored) == 1
        if stored and not (plain and not isinstance(stored[0].slice, ast.Slice)):
            return [_ELEMENT_ASSIGNMENT]
    elif isinstance(node, ast.AugAssign):
        if SYMBOLS.get(type(node.op)) in GUARDED_OPERATORS and not isinstance(node.target, ast.Name):
            return ["+=, *=, **=, <<= und %= sind nur an eine Variable erlaubt"]
    elif isinstance(node, ast.For | ast.comprehension) and _stored_elements([node.target]):
        return ["eine Schleifenvariable muss ein Name sein, kein Element"]
    elif isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
        spec = "".join(str(p.value) for p in node.format_spec.values if isinstance(p, ast.Constant))
        widths = [w for w in _digit_runs(spec) if len(w) > 6 or int(w) > MAX_FORMAT_WIDTH]
        if widths:
            return [f"Formatbreite {widths[0]} (höchstens {number(MAX_FORMAT_WIDTH)})"]
    return []


def _stored_elements(targets: list[ast.expr]) -> list[ast.Subscript]:
    """The `a[k]` an assignment or a loop stores into."""
    found = [n for target in targets for n in ast.walk(target) if isinstance(n, ast.Subscript)]
    return [n for n in found if isinstance(n.ctx, ast.Store)]


def _digit_runs(text: str) -> list[str]:
    runs, current = [], ""
    for char in text + " ":
        if char.isdigit():
            current += char
        elif current:
            runs.append(current)
            current = ""
    return runs


def _loop_problems(tree: ast.AST, values: dict[int, Any]) -> list[str]:
    """Loops nested too deep, or nested over constants whose lengths multiply beyond the budget."""
    problems = []
    stack: list[tuple[ast.AST, int, int]] = [(tree, 0, 1)]
    while stack:
        node, depth, product = stack.pop()
        inner_depth, inner_product = depth, product
        if isinstance(node, ast.For):
            inner_depth, inner_product = depth + 1, product * _literal_length(node.iter, values)
        elif isinstance(node, _COMPREHENSIONS):
            inner_depth = depth + len(node.generators)
            for generator in node.generators:
                inner_product *= _literal_length(generator.iter, values)
        if inner_depth > MAX_LOOP_NESTING:
            problems.append(f"Schleifen sind {inner_depth}-fach verschachtelt (höchstens {MAX_LOOP_NESTING})")
            continue
        if inner_product > MAX_STEP_OPERATIONS:
            problems.append(
                f"verschachtelte Schleifen über Konstanten ergäben {number(inner_product)} Durchläufe "
                f"(höchstens {number(MAX_STEP_OPERATIONS)} Rechenschritte je Schritt)"
            )
            continue
        stack.extend((child, inner_depth, inner_product) for child in ast.iter_child_nodes(node))
    return problems


def _literal_length(node: ast.AST, values: dict[int, Any]) -> int:
    """How often a loop over `node` runs, if it is a constant (folded: `'x' * 2000` too); else 1."""
    value = values.get(id(node))
    if isinstance(value, str | bytes | tuple | list):
        return max(len(value), 1)
    if isinstance(node, ast.Set | ast.Dict):
        return max(len(node.keys if isinstance(node, ast.Dict) else node.elts), 1)
    return 1


def _fold(nodes: list[ast.AST]) -> tuple[dict[int, Any], list[str]]:
    """Constant subexpressions computed bottom-up through the runtime's guards (a breadth-first list
    reversed has every child before its parent): their values by node id, and what overran."""
    problems = []
    values: dict[int, Any] = {}
    for node in reversed(nodes):
        try:
            if isinstance(node, ast.Constant):
                values[id(node)] = node.value
            elif isinstance(node, ast.BinOp) and id(node.left) in values and id(node.right) in values:
                symbol = SYMBOLS.get(type(node.op))
                left, right = values[id(node.left)], values[id(node.right)]
                if symbol in GUARDED_OPERATORS:
                    values[id(node)] = fold(symbol, left, right)
                elif symbol in _PLAIN:
                    values[id(node)] = _PLAIN[symbol](left, right)
            elif isinstance(node, ast.UnaryOp) and id(node.operand) in values:
                values[id(node)] = _UNARY[type(node.op)](values[id(node.operand)])
            elif isinstance(node, ast.Tuple | ast.List) and all(id(e) in values for e in node.elts):
                items = [values[id(e)] for e in node.elts]
                values[id(node)] = tuple(items) if isinstance(node, ast.Tuple) else items
        except LimitExceeded as exc:
            problems.append(f"{_clip(node)}: {exc.detail}")
        except Exception:  # noqa: BLE001, S112 - e.g. 1 / 0: an error at run time, not a limit
            continue
    return values, problems


def _clip(node: ast.AST, limit: int = 60) -> str:
    try:
        text = ast.unparse(node)
    except RecursionError:
        return "ein Ausdruck"
    return text if len(text) <= limit else text[: limit - 1] + "…"
