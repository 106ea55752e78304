"""The checks a rewritten snippet calls before it computes (see `rewrite`), and the step's budget.

Why before: a single operation like `3 ** 31000000` or `'x' * 10**12` is one C call that holds the
GIL until it is done — no timer or trace hook can stop it halfway. So the size of the result is
estimated from the operands first (bits of an integer, length times weight of a sequence) and the
operation refused if it would be too large. Everything that could repeat work (loop iterations,
the guarded operators, calls) counts against a budget per step, and every guard also looks at the
thread's CPU time; the budget cannot be talked around because the checks are compiled into the code
itself and look at the values as they are at run time, whatever a form submitted.

Every value a snippet builds (a display, a comprehension, a call's result, a subscript assignment)
is weighed, counting shared parts once per path: so a value never grows beyond MAX_VALUE_WEIGHT, not
even as a list that holds the same list twice in each of 100 levels, and whatever a snippet does
with a value (print it, compare it, sort it, store it in the task data) costs at most that much.
"""

from __future__ import annotations

import math
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from engine.errors import LimitExceeded
from engine.processes.sandbox.limits import (
    MAX_FORMAT_WIDTH,
    MAX_INT_BITS,
    MAX_STEP_CPU_SECONDS,
    MAX_STEP_OPERATIONS,
    MAX_VALUE_WEIGHT,
    number,
)


class Budget:
    """Operations and CPU time of one step (all its expressions together)."""

    __slots__ = ("operations", "started")

    def __init__(self) -> None:
        self.operations = 0
        self.started = time.thread_time()

    def tick(self) -> None:
        self.operations += 1
        if self.operations > MAX_STEP_OPERATIONS:
            raise LimitExceeded(f"mehr als {number(MAX_STEP_OPERATIONS)} Rechenschritte")
        if self.operations % 64 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.thread_time() - self.started > MAX_STEP_CPU_SECONDS:
            raise LimitExceeded(f"mehr als {MAX_STEP_CPU_SECONDS:g} s Rechenzeit".replace(".", ","))


_BUDGET: ContextVar[Budget | None] = ContextVar("schutzpfad_step_budget", default=None)


@contextmanager
def step_budget() -> Iterator[Budget]:
    """The budget of the step running now; opens one if none is open (a nested call shares it)."""
    current = _BUDGET.get()
    if current is not None:
        yield current
        return
    budget = Budget()
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _budget() -> Budget:
    budget = _BUDGET.get()
    if budget is None:  # compiled code runs only inside the script engine, which opens one
        raise LimitExceeded("Ausdruck außerhalb eines Schritts ausgewertet")
    return budget


# ---- weighing ------------------------------------------------------------------------------------


#: What a collection itself weighs beyond its elements (its printed brackets, its memory): it also
#: ends a walk through a value that contains itself, or nests deeply, after few steps.
CONTAINER_WEIGHT = 16
_LIGHT = frozenset({bool, int, float, type(None)})


def weight(value: object, cap: int = MAX_VALUE_WEIGHT) -> int:
    """The size of `value` (limits.MAX_VALUE_WEIGHT), counted only until it exceeds `cap`.

    Iterative and stopped early, so it costs at most about `cap` steps whatever the value; a value
    that contains itself never ends below the cap, so it counts as too large. Elements are counted
    by their collection's length; only those that weigh more than one (texts, collections, integers
    beyond 64 bits) are visited one by one.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 64
        elif isinstance(item, dict):
            total += CONTAINER_WEIGHT + 2 * len(item)
            if total <= cap:
                stack += _heavy(item.keys())
                stack += _heavy(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += CONTAINER_WEIGHT + len(item)
            if total <= cap:
                stack += _heavy(item)
        if total > cap:
            return total
    return total


def _heavy(items: Iterable[object]) -> list[object]:
    return [x for x in items if type(x) not in _LIGHT or (type(x) is int and x.bit_length() > 64)]  # noqa: E721


def _too_large(what: str) -> LimitExceeded:
    return LimitExceeded(f"{what} (höchstens {number(MAX_VALUE_WEIGHT)} Zeichen oder Elemente)")


def checked_value(value: Any) -> Any:
    """A value a snippet built (display, comprehension, call result, f-string), if not too large."""
    budget = _budget()
    budget.tick()
    if weight(value) > MAX_VALUE_WEIGHT:
        raise _too_large("ein Wert wird zu groß")
    budget.check_time()
    return value


def checked_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    """Every loop iteration counts against the step's budget."""
    budget = _budget()
    for item in iterable:
        budget.tick()
        yield item


def checked_setitem(container: Any, key: Any, value: Any) -> None:
    """`container[key] = value`, if the container cannot grow too large by it."""
    budget = _budget()
    budget.tick()
    if weight(container) + weight(value) > MAX_VALUE_WEIGHT:
        raise _too_large("ein Wert wird zu groß")
    budget.check_time()
    container[key] = value


# ---- operators -----------------------------------------------------------------------------------


def _integer(value: object) -> bool:
    return isinstance(value, int)  # bool included: True ** 10**9 is as cheap as 1 ** 10**9


def _sequence(value: object) -> bool:
    return isinstance(value, str | bytes | bytearray | list | tuple)


def _check_bits(bits: float, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise LimitExceeded(
            f"{what} ergäbe eine Zahl mit etwa {number(int(bits))} Bit (höchstens {number(MAX_INT_BITS)})"
        )


def _check_pow(base: Any, exponent: Any) -> None:
    if _integer(base) and _integer(exponent) and exponent > 0 and abs(base) > 1:
        _check_bits(exponent * math.log2(abs(base)), "die Potenz")


def _check_mul(left: Any, right: Any) -> None:
    if _integer(left) and _integer(right):
        _check_bits(left.bit_length() + right.bit_length(), "das Produkt")
        return
    for sequence, times in ((left, right), (right, left)):
        too_often = _sequence(sequence) and _integer(times) and times > 1
        if too_often and weight(sequence, MAX_VALUE_WEIGHT // times + 1) * times > MAX_VALUE_WEIGHT:
            raise _too_large("die Wiederholung ergäbe einen zu großen Wert")


def _check_lshift(left: Any, right: Any) -> None:
    if _integer(left) and _integer(right) and left != 0 and right > 0:
        _check_bits(left.bit_length() + right, "die Verschiebung")


def _check_add(left: Any, right: Any) -> None:
    if _sequence(left) and _sequence(right) and weight(left) + weight(right) > MAX_VALUE_WEIGHT:
        raise _too_large("die Verkettung ergäbe einen zu großen Wert")


# `%(name)-*.*d`: the width and precision of a printf-style conversion.
_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_mod(left: Any, right: Any) -> None:
    if isinstance(left, bytes | bytearray):
        left = left.decode("latin-1")
    if isinstance(left, str):
        for match in _PRINTF_SPEC.finditer(left):
            _check_widths([g for g in match.groups() if g is not None])


def _check_widths(numbers: list[str]) -> None:
    for text in numbers:
        if text == "*" or len(text) > 6 or int(text) > MAX_FORMAT_WIDTH:
            raise LimitExceeded(f"Formatbreite {text} (höchstens {number(MAX_FORMAT_WIDTH)}, kein *)")


_OPERATORS: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], None]]] = {
    "**": (operator.pow, _check_pow),
    "*": (operator.mul, _check_mul),
    "<<": (operator.lshift, _check_lshift),
    "+": (operator.add, _check_add),
    "%": (operator.mod, _check_mod),
}
GUARDED_OPERATORS = frozenset(_OPERATORS)


def checked_binop(symbol: str, left: Any, right: Any) -> Any:
    """`left <symbol> right`, after checking that the result stays within the limits."""
    budget = _budget()
    budget.tick()
    compute, check = _OPERATORS[symbol]
    check(left, right)
    return compute(left, right)


def checked_format(value: Any, spec: str, conversion: int) -> str:
    """An f-string replacement field with a format spec (`f"{x!r:>{n}}"`): widths checked first."""
    _budget().tick()
    _check_widths(re.findall(r"\d+", spec))
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("a"):
        value = ascii(value)
    elif conversion == ord("s"):
        value = str(value)
    return format(value, spec)


def checked_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """`sum` of numbers only: summing lists or texts copies the growing total each time (quadratic)."""
    if isinstance(start, bool) or not isinstance(start, int | float):
        raise LimitExceeded("sum() addiert nur Zahlen")
    return sum(checked_iter(iterable), start)


def fold(symbol: str, left: Any, right: Any) -> Any:
    """A constant subexpression at deploy: the same checks, in a budget of its own."""
    with step_budget():
        return checked_binop(symbol, left, right)
