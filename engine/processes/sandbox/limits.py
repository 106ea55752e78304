"""The limits of process expressions and bundle files (docs/bundles.md, section "Grenzen/Limits").

One place for every number, so the deploy check, the runtime guards and the docs cannot drift apart.
They are far above anything a § 8a procedure needs (its expressions compare a form field with a value)
and far below what would keep a server thread busy for more than a few milliseconds per operation.
"""

from __future__ import annotations

# ---- static, at deploy (and again when a snippet is first compiled at run time) -----------------
#: Characters of one snippet (condition, script, timer expression, payload, DMN cell).
MAX_SNIPPET_CHARS = 10_000
#: Characters of a string constant.
MAX_STRING_CONSTANT = 2_000
#: Decimal digits of an integer constant.
MAX_INT_CONSTANT_DIGITS = 18
#: Elements of a list, tuple, set or dict display.
MAX_DISPLAY_ELEMENTS = 1_000
#: Characters of a variable name.
MAX_NAME_CHARS = 100
#: Loops nested in one another (`for` statements and the `for` clauses of comprehensions together).
MAX_LOOP_NESTING = 2
#: Syntax tree nodes of one snippet.
MAX_NODES = 2_000

# ---- at run time, per step (a completion, a delivered message, a fired timer, an opening) -------
#: Guarded operations per step: every loop iteration and every guarded operator or call counts one.
MAX_STEP_OPERATIONS = 200_000
#: CPU seconds of the step's thread, checked at every guarded operation.
MAX_STEP_CPU_SECONDS = 1.0
#: Size of one value: characters of a text, elements of a collection (counted along every path,
#: so a list holding the same list twice counts it twice), 64-bit words of an integer.
MAX_VALUE_WEIGHT = 500_000
#: Bits of an integer result (`**`, `*`, `<<`).
MAX_INT_BITS = 10_000
#: Width and precision in a format (`f"{x:>9}"`, `"%9d" % x`).
MAX_FORMAT_WIDTH = 1_000

# ---- BPMN/DMN files -------------------------------------------------------------------------------
#: Characters of an `id` attribute.
MAX_ID_CHARS = 200
#: Characters of a `name` attribute (the title shown to caseworkers and in the diagram).
MAX_ELEMENT_NAME_CHARS = 500
#: Characters of any other attribute.
MAX_ATTRIBUTE_CHARS = 2_000
#: Characters of an element's text (documentation; snippets have MAX_SNIPPET_CHARS).
MAX_ELEMENT_TEXT_CHARS = 50_000


def number(value: int) -> str:
    """German thousands separators for the messages: 1.000.000."""
    return f"{value:,}".replace(",", ".")
