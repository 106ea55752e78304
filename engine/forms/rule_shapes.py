"""The shape of a field's conditions, checked when a bundle is deployed: `required_if` against its
sibling fields, and `nur_wenn` (R30).

`nur_wenn`'s condition names a sibling field or a case variable (an earlier step's `ergebnis`), so, unlike
`required_if`, its names and values cannot be checked against the form; only their shape is. The rule
comes with `nur_wenn_grund`, the clause the refusal gives as its reason
(engine/forms/plausibility.py).
"""

from __future__ import annotations

from typing import Any


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, bool))


def nur_wenn_problems(condition: object, grund: object) -> list[str]:
    """What is wrong with a `nur_wenn` (`{name: value or [values]}`) and its `nur_wenn_grund`."""
    problems = []
    if not isinstance(condition, dict) or not condition:
        problems.append("'nur_wenn' must be a non-empty object {name: value or [values]}")
    elif not all(
        isinstance(name, str)
        and (_scalar(value) or (isinstance(value, list) and value and all(_scalar(v) for v in value)))
        for name, value in condition.items()
    ):
        problems.append("'nur_wenn' must map names to a value or a non-empty list of values")
    if not isinstance(grund, str) or not grund.strip():
        problems.append("'nur_wenn' needs 'nur_wenn_grund', the reason as a German clause")
    return problems


def required_if_problems(
    raw: dict[str, Any],
    path: str,
    siblings: dict[str, dict[str, Any]],
    condition_types: tuple[str, ...],
    types: tuple[str, ...],
) -> list[str]:
    """`required_if` must name sibling fields of a condition type and values those fields can hold."""
    problems: list[str] = []
    label = f"field '{path}'"
    condition = raw["required_if"]
    if not isinstance(condition, dict) or not condition:
        problems.append(f"{label}: 'required_if' must be a non-empty object {{field: value}}")
        return problems
    if raw.get("required") is True:
        problems.append(f"{label}: 'required_if' makes no sense when 'required' is true")
    for other, expected in condition.items():
        target = siblings.get(other)
        if other == raw.get("name"):
            problems.append(f"{label}: 'required_if' cannot depend on the field itself")
            continue
        if target is None:
            problems.append(f"{label}: 'required_if' names unknown field '{other}'")
            continue
        target_type = target.get("type")
        if target_type not in condition_types:
            if target_type in types:  # an unknown type is reported on the target already
                problems.append(
                    f"{label}: 'required_if' on field '{other}' of type '{target_type}'"
                    f" (only {', '.join(condition_types)} can be conditions)"
                )
            continue
        values = expected if isinstance(expected, list) else [expected]
        if not values:
            problems.append(f"{label}: 'required_if' value for '{other}' is an empty list")
        if target_type == "boolean":
            if not all(isinstance(v, bool) for v in values):
                problems.append(f"{label}: 'required_if' value for boolean field '{other}' must be true or false")
            continue
        options = target.get("options")
        known = [o.get("value") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
        for value in values:
            if not isinstance(value, str) or value not in known:
                problems.append(f"{label}: 'required_if' value {value!r} is not an option of field '{other}'")
    return problems
