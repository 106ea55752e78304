"""The review form of the LKSG § 8 quality review: five criteria, each a coded answer and a comment.

Coded answers make the reviews of a period countable (the results page counts answers per criterion);
the comment says why. The criteria follow what the Qualitätsentwicklungsverfahren asks of a closed
§ 8a case: were the Fristen kept, were parents and child involved (§ 8a Abs. 1 S. 2), are the facts
documented so that the assessment can be followed, was the Mehraugenprinzip kept (§ 8a Abs. 1 S. 1:
"im Zusammenwirken mehrerer Fachkräfte"), and does the outcome fit what was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.errors import ValidationFailed

#: the longest comment per criterion (a reasoned note, not a second case file)
MAX_COMMENT = 4000
NOT_ASSESSABLE = ("nicht_beurteilbar", "Nicht beurteilbar")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    question: str
    #: (code, German label), in the order the form offers them
    answers: tuple[tuple[str, str], ...]

    def answer_label(self, code: str) -> str:
        return dict(self.answers).get(code, code)


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "fristen",
        "Fristen eingehalten",
        "Wurden die Fristen des Verfahrens eingehalten?",
        (
            ("eingehalten", "Eingehalten"),
            ("teilweise", "Teilweise eingehalten"),
            ("nicht_eingehalten", "Nicht eingehalten"),
            NOT_ASSESSABLE,
        ),
    ),
    Criterion(
        "beteiligung",
        "Beteiligung (Eltern/Kind)",
        "Wurden Eltern und Kind beteiligt (§ 8a Abs. 1 Satz 2 SGB VIII)?",
        (
            ("erfolgt", "Beteiligt"),
            ("begruendet_unterblieben", "Begründet unterblieben"),
            ("unbegruendet_unterblieben", "Ohne Begründung unterblieben"),
            NOT_ASSESSABLE,
        ),
    ),
    Criterion(
        "dokumentation",
        "Dokumentation der Tatsachen",
        "Sind die Tatsachen so dokumentiert, dass die Einschätzung nachvollziehbar ist?",
        (
            ("nachvollziehbar", "Nachvollziehbar"),
            ("lueckenhaft", "Lückenhaft"),
            ("unzureichend", "Unzureichend"),
            NOT_ASSESSABLE,
        ),
    ),
    Criterion(
        "mehraugen",
        "Mehraugenprinzip",
        "Wurde das Gefährdungsrisiko im Zusammenwirken mehrerer Fachkräfte eingeschätzt?",
        (("eingehalten", "Eingehalten"), ("nicht_eingehalten", "Nicht eingehalten"), NOT_ASSESSABLE),
    ),
    Criterion(
        "ergebnis",
        "Ergebnis",
        "Passt das Ergebnis des Verfahrens zu dem, was festgestellt wurde?",
        (
            ("angemessen", "Angemessen"),
            ("teilweise_angemessen", "Teilweise angemessen"),
            ("nicht_angemessen", "Nicht angemessen"),
            NOT_ASSESSABLE,
        ),
    ),
)
BY_KEY = {c.key: c for c in CRITERIA}


def comment_field(key: str) -> str:
    return f"{key}_kommentar"


def checked_review(raw: object) -> tuple[dict[str, str], dict[str, str]]:
    """(answers, comments) of a submitted review: every criterion answered with one of its codes;
    comments optional and bounded. Every problem is reported at its field, in German."""
    if not isinstance(raw, Mapping):
        raise ValidationFailed({"_schema": ["Die Bewertung fehlt."]})
    answers: dict[str, str] = {}
    comments: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for criterion in CRITERIA:
        code = raw.get(criterion.key)
        if not isinstance(code, str) or code not in dict(criterion.answers):
            errors[criterion.key] = [f"Bitte eine Antwort zu „{criterion.label}“ wählen."]
        else:
            answers[criterion.key] = str(code)
        comment = raw.get(comment_field(criterion.key)) or ""
        if not isinstance(comment, str):
            errors[comment_field(criterion.key)] = ["Der Kommentar ist ein Text."]
        elif len(comment) > MAX_COMMENT:
            errors[comment_field(criterion.key)] = [f"Höchstens {MAX_COMMENT} Zeichen."]
        elif comment.strip():
            comments[criterion.key] = comment.strip()
    if errors:
        raise ValidationFailed(errors)
    return answers, comments
