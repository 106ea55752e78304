"""Whether a closed case found something: it decides the record type of its retention period.

The processes record their result in the field `ergebnis` (traeger_8a's Abschluss, jugendamt_8a's
Gefährdungseinschätzung/Abschluss, kkg4's Gespräch). Only the results that say nothing was found
count as "without findings"; any other or a missing result counts as "with findings", the longer
period — a case is never deleted early because its result was unclear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Results that mean: no gewichtige Anhaltspunkte, no danger and no need for help.
WITHOUT_FINDINGS = frozenset({"keine_gewichtigen_anhaltspunkte", "keine_kwg", "keine_kwg_kein_hilfebedarf"})


def has_findings(variables: Mapping[str, Any]) -> bool:
    return variables.get("ergebnis") not in WITHOUT_FINDINGS
