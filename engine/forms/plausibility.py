"""Plausibility of an answer against the case's findings (`nur_wenn` of a boolean field, R30).

A form's own rules (`required_if`) see only the fields of one step. Whether a Yes makes sense often
depends on what an earlier step established: an Inobhutnahme or a court referral needs a finding of
danger (§ 8a Abs. 2, § 42 SGB VIII), so a Yes after „keine Kindeswohlgefährdung“ is refused, with a
sentence that says why, before anything changes. The condition names a sibling field (its submitted
value counts) or a case variable (the value the case holds when the step is completed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.forms import messages
from engine.forms.definition import FormDefinition
from engine.forms.validation import condition_met


def implausible(form: FormDefinition, clean: Mapping[str, Any], case_data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The fields answered Yes although a condition of their `nur_wenn` does not hold: field → message."""
    known = {**case_data, **clean}
    errors: dict[str, list[str]] = {}
    for field in form.fields:
        if field.nur_wenn is None or clean.get(field.name) is not True:
            continue
        if not all(name in known and condition_met(known[name], want) for name, want in field.nur_wenn.items()):
            assert field.nur_wenn_grund is not None  # check_definition requires it with nur_wenn
            errors[field.name] = [messages.implausible(field, field.nur_wenn_grund)]
    return errors
