"""What the advising insoweit erfahrene Fachkraft learns about the child itself (R09, issue 12).

Besides the texts a version declares for the consultation (`sichtbarkeit`, e.g. the Leitung's
Fallschilderung that the engine checked for names), she sees the child's age in years, its gender and
the organisation that asks for advice: enough to judge the risk for a child of that age, not enough to
know who the child is (§ 64 Abs. 2a SGB VIII). Never the name, birth date, address or the parents.
The age is computed here, from the sealed birth date, so the date itself never leaves the engine.
"""

from __future__ import annotations

from typing import Any

from audit import Shredded
from engine.cases.child import age_years
from engine.clock import BERLIN
from engine.forms.builtin import child_form
from engine.persistence import models as m
from engine.persistence.sealed import open_child
from engine.transactions import Work


def consultation_facts(work: Work, case: m.Case) -> dict[str, Any]:
    """`alter_jahre`, `geschlecht` (its German label) and `einrichtung` (the asking organisation's
    name); age and gender None where unknown or shredded at the end of retention."""
    organisation = work.session.get(m.Organisation, case.organisation_id)
    assert organisation is not None
    facts: dict[str, Any] = {"alter_jahre": None, "geschlecht": None, "einrichtung": organisation.name}
    try:
        child = open_child(work, case)
    except Shredded:
        return facts
    facts["alter_jahre"] = age_years(child, work.now.astimezone(BERLIN).date())
    gender = child_form().field("geschlecht")
    assert gender is not None
    labels = {option.value: option.label for option in gender.options}
    facts["geschlecht"] = labels.get(child.get("geschlecht") or "")
    return facts
