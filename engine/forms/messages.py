"""The validator's messages as sentences that say what to type (issue 16 item 3).

A caseworker reads these next to the field and in the summary above the form; an API client's
developer reads them in a problem+json `detail`. Either way a message is a German sentence (capital
letter, full stop) that names the field by its label — never its key — and says what to enter:
„Geben Sie „Geburtsdatum“ als Datum TT.MM.JJJJ an, zum Beispiel 02.03.2026.“, not „Pflichtfeld“.
Option values are named by their labels too. Messages never echo the submitted value (it may be
personal data, engine/errors.py). tests/unit/test_form_messages.py walks every branch.
"""

from __future__ import annotations

from engine.forms.definition import FormField

#: The whole submission is not a JSON object (API only: the UI always sends one).
NOT_AN_OBJECT = "Senden Sie ein JSON-Objekt mit den Feldern des Formulars."
ITEM_NOT_AN_OBJECT = "Senden Sie jeden Eintrag als JSON-Objekt mit den Feldern des Eintrags."
UNKNOWN = "Dieses Feld gibt es im Formular nicht. Lassen Sie es weg."

_DAY_EXAMPLE = "als Datum TT.MM.JJJJ an, zum Beispiel 02.03.2026"
_MINUTE_EXAMPLE = "mit Datum und Uhrzeit an, zum Beispiel 02.03.2026 14:30"


def _quoted(field: FormField) -> str:
    return f"„{field.label}“"


def _request(field: FormField) -> str:
    """What to enter in `field`, as the body of an imperative sentence (without its full stop)."""
    label = _quoted(field)
    match field.type:
        case "boolean":
            return f"Beantworten Sie {label} mit Ja oder Nein"
        case "integer":
            return f"Geben Sie {label} als ganze Zahl an"
        case "date":
            return f"Geben Sie {label} {_DAY_EXAMPLE}"
        case "datetime":
            return f"Geben Sie {label} {_MINUTE_EXAMPLE}"
        case "enum":
            return f"Wählen Sie bei {label} eine Antwort aus"
        case "multi":
            return f"Wählen Sie bei {label} mindestens eine Antwort aus"
        case "user":
            return f"Wählen Sie bei {label} eine Person aus"
        case "list":
            return f"Geben Sie bei {label} mindestens einen Eintrag an"
        case "kinder":
            return f"Geben Sie bei {label} mindestens ein Kind an"
        case _:
            return f"Geben Sie {label} an"


def required(field: FormField) -> str:
    """The field is required and was left empty."""
    return f"{_request(field)}."


def required_because(field: FormField, reasons: list[str]) -> str:
    """The field is required because of answers given elsewhere (`required_if`), named by label."""
    return f"{_request(field)}, weil {' und '.join(reasons)}."


def invalid(field: FormField) -> str:
    """A value of the wrong type (a number for a text, `"ja"` for a boolean, a malformed date)."""
    label = _quoted(field)
    match field.type:
        case "text" | "textarea":
            return f"Geben Sie {label} als Text an."
        case "user":
            return f"Geben Sie bei {label} den Benutzernamen einer Person an."
        case "integer":
            return f"Geben Sie {label} als ganze Zahl an, zum Beispiel 3."
        case "multi":
            return f"Wählen Sie bei {label} eine oder mehrere Antworten aus der Liste aus."
        case "list" | "kinder":
            return f"Geben Sie {label} als Liste von Einträgen an."
        case _:
            return required(field)


def choice(field: FormField) -> str:
    """A value that is not one of the field's options: the options by their labels."""
    labels = [f"„{option.label}“" for option in field.options]
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} oder {labels[-1]}"
    amount = "eine oder mehrere" if field.type == "multi" else "eine"
    return f"Wählen Sie bei {_quoted(field)} {amount} der Antworten {listed}."


def duplicate(field: FormField) -> str:
    return f"Wählen Sie bei {_quoted(field)} jede Antwort nur einmal."


def too_few(field: FormField, minimum: int) -> str:
    entries = "einen Eintrag" if minimum == 1 else f"{minimum} Einträge"
    return f"Geben Sie bei {_quoted(field)} mindestens {entries} an."


def in_future(field: FormField) -> str:
    """A `nicht_in_zukunft` value after the engine's clock."""
    if field.type == "datetime":
        return f"{_quoted(field)} darf nicht in der Zukunft liegen. Geben Sie Datum und Uhrzeit bis jetzt an."
    return f"{_quoted(field)} darf nicht in der Zukunft liegen. Geben Sie ein Datum bis heute an."


def contains_personal_data(field: FormField, kinds: list[str]) -> str:
    """An `ohne_personendaten` text that contains identifying data: the kinds found (never the data)."""
    found = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} und {kinds[-1]}"
    return (
        f"{_quoted(field)} enthält {found}. Schreiben Sie den Text ohne Namen, Straße und Geburtsdatum: "
        "Er wird ohne Angaben weitergegeben, die das Kind oder seine Familie erkennbar machen."
    )


def implausible(field: FormField, grund: str) -> str:
    """A Yes that the case's own findings rule out (`nur_wenn`, R30): the answer to give and why."""
    return f"Beantworten Sie {_quoted(field)} mit Nein: Ja ist nur möglich, wenn {grund}."


def not_a_colleague(field: FormField) -> str:
    """A `kollegium` field naming someone outside the case's organisation, or the person completing."""
    return f"Wählen Sie bei {_quoted(field)} eine andere Person Ihrer Organisation aus der Liste, nicht sich selbst."
