"""One folding of the spellings people use for the same name: shared by the blind index (finding a
child, earlier reports, subject access) and the check that a text prepared for the insoweit erfahrene
Fachkraft holds no personal data (engine/forms/personal_data.py). Both must meet the same variants —
a name the index finds as `Mueller` must also be found in a text that writes `Müller`.

Normalisation: Unicode compatibility forms, case, umlauts (`ä` = `ae`), ß/ss, accents; everything
that is not a letter or a digit separates words (hyphens and spaces of double names, punctuation).
"""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def tokens(text: str) -> list[str]:
    """`" Müller-Lüdenscheidt "` → `["mueller", "luedenscheidt"]`; `Strauß` → `["strauss"]`."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    plain = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return [t for t in _SEPARATORS.split(plain) if t]
