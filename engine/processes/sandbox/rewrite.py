"""Compile a snippet so that its expensive operations cannot run unchecked (see `guards`).

The snippet is parsed, held to the allow-list and the static limits again (a bundle deployed
before a limit existed is held to it too), and its syntax tree rewritten:
- `a ** b`, `a * b`, `a << b`, `a + b`, `a % b` (and their augmented assignments to a variable)
  become `checked_binop("**", a, b)`, which estimates the result's size from the operands first;
- every loop's iterable (`for` statements and comprehension clauses) is wrapped in `checked_iter`,
  which counts the iterations against the step's budget;
- displays, comprehensions, calls and f-strings are wrapped in `checked_value`, which weighs what
  was built; `a[k] = v` becomes `checked_setitem(a, k, v)`; a format spec goes through
  `checked_format`.
The guard functions are passed under dunder names, which the allow-list refuses in a bundle's own
code: a snippet can neither call nor shadow them. Compiled code is cached by its source.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from types import CodeType
from typing import Any, Literal

from engine.errors import LimitExceeded
from engine.processes.sandbox import guards
from engine.processes.sandbox.static import SYMBOLS, limit_problems, text_problem

Mode = Literal["eval", "exec"]

BINOP, ITER, VALUE, SETITEM, FORMAT = "__sp_binop", "__sp_iter", "__sp_value", "__sp_setitem", "__sp_format"

#: What compiled snippets call: put into their globals by the script engine.
GUARD_GLOBALS: dict[str, Any] = {
    BINOP: guards.checked_binop,
    ITER: guards.checked_iter,
    VALUE: guards.checked_value,
    SETITEM: guards.checked_setitem,
    FORMAT: guards.checked_format,
}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class _Guarding(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        symbol = SYMBOLS.get(type(node.op))
        if symbol not in guards.GUARDED_OPERATORS:
            return node
        return _call(BINOP, ast.Constant(symbol), node.left, node.right)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        symbol = SYMBOLS.get(type(node.op))
        if symbol not in guards.GUARDED_OPERATORS:
            return node
        assert isinstance(node.target, ast.Name)  # static.limit_problems refuses anything else
        current = ast.Name(id=node.target.id, ctx=ast.Load())
        return ast.Assign(
            targets=[ast.Name(id=node.target.id, ctx=ast.Store())],
            value=_call(BINOP, ast.Constant(symbol), current, node.value),
        )

    def visit_Assign(self, node: ast.Assign) -> ast.stmt:
        self.generic_visit(node)
        target = node.targets[0]
        if not isinstance(target, ast.Subscript):
            return node
        assert len(node.targets) == 1 and not isinstance(target.slice, ast.Slice)  # see limit_problems
        return ast.Expr(_call(SETITEM, target.value, target.slice, node.value))

    def visit_For(self, node: ast.For) -> ast.stmt:
        self.generic_visit(node)
        node.iter = _call(ITER, node.iter)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.iter = _call(ITER, node.iter)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.FormattedValue:
        node.value = self.visit(node.value)
        if node.format_spec is None:
            return node
        spec = self.visit(node.format_spec)
        node.value = _call(FORMAT, node.value, spec, ast.Constant(node.conversion))
        node.conversion, node.format_spec = -1, None
        return node

    def _weighed(self, node: ast.expr) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node, ast.List | ast.Tuple) and not isinstance(node.ctx, ast.Load):
            return node  # an unpacking target
        return _call(VALUE, node)

    visit_List = visit_Tuple = visit_Set = visit_Dict = _weighed
    visit_ListComp = visit_SetComp = visit_DictComp = _weighed
    visit_Call = visit_JoinedStr = _weighed


@lru_cache(maxsize=2048)
def compile_guarded(text: str, mode: Mode) -> CodeType | str:
    """The guarded code of a snippet, or the (German) reason it may not run."""
    from engine.processes.validation.scripts import check_tree, source_for  # the allow-list

    too_long = text_problem(text)
    if too_long is not None:
        return too_long
    try:
        tree = ast.parse(source_for(text, mode), mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return f"nicht lesbar ({type(exc).__name__})"
    problems = check_tree(tree) + limit_problems(tree)
    if problems:
        return "; ".join(problems)
    guarded = ast.fix_missing_locations(_Guarding().visit(tree))
    return compile(guarded, "<string>", mode)


def guarded_code(text: str, mode: Mode) -> CodeType:
    """`compile_guarded`, raising LimitExceeded for a snippet that may not run."""
    code = compile_guarded(text, mode)
    if isinstance(code, str):
        raise LimitExceeded(f"Ausdruck nicht erlaubt: {code}")
    return code
