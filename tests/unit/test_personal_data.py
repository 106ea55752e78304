"""`ohne_personendaten`: a text prepared for the insoweit erfahrene Fachkraft is refused when it holds
the child's or a Sorgeberechtigter's name, street or birth date (engine/forms/personal_data.py), in the
spellings people write — and not when a name only looks like a part of a word."""

from __future__ import annotations

from typing import Any

import pytest

from engine.forms import check_definition, parse_definition
from engine.forms.personal_data import (
    CHILD_BIRTH_DATE,
    CHILD_FIRST_NAME,
    CHILD_STREET,
    CHILD_SURNAME,
    GUARDIAN_NAME,
    GUARDIAN_STREET,
    checks_personal_data,
    found_in,
    identifying_data,
    personal_data_errors,
)

CHILD: dict[str, Any] = {
    "vorname": "Ina",
    "nachname": "Müller-Lüdenscheidt",
    "geburtsdatum": "2020-05-17",
    "geschlecht": "weiblich",
    "anschrift": {"strasse": "Hauptstraße 12a", "plz": "47574", "ort": "Goch"},
    "sorgeberechtigte": [
        {"name": "Jörg Strauß", "beziehung": "Vater", "anschrift": "Am Markt 3, 47574 Goch", "sorgerecht": True},
        {"name": "Maria von der Au", "beziehung": "Mutter", "sorgerecht": True},
    ],
}


def _found(text: str, child: dict[str, Any] = CHILD) -> list[str]:
    return found_in(text, identifying_data(child))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Ina kommt oft ohne Frühstück.", CHILD_FIRST_NAME),
        ("Das Kind (INA) weint.", CHILD_FIRST_NAME),
        ("Frau Mueller holt ab.", CHILD_SURNAME),
        ("Familie Lüdenscheidt", CHILD_SURNAME),
        ("Familie Mueller-Ludenscheidt", CHILD_SURNAME),
        ("wohnt in der Hauptstraße.", CHILD_STREET),
        ("wohnt in der Hauptstrasse.", CHILD_STREET),
        ("wohnt in der Hauptstr. 12a", CHILD_STREET),
        ("wohnt in der Haupt-Straße", CHILD_STREET),
        ("geboren am 17.05.2020", CHILD_BIRTH_DATE),
        ("geboren am 17.5.2020", CHILD_BIRTH_DATE),
        ("geboren am 17.5.20", CHILD_BIRTH_DATE),
        ("geboren am 17. Mai 2020", CHILD_BIRTH_DATE),
        ("geboren 2020-05-17", CHILD_BIRTH_DATE),
        ("Der Vater, Herr Strauss, ruft an.", GUARDIAN_NAME),
        ("Jörg sagt", GUARDIAN_NAME),
        ("Frau Au", GUARDIAN_NAME),
        ("Treffen Am Markt", GUARDIAN_STREET),
    ],
)
def test_each_kind_of_datum_is_found_in_its_usual_spellings(text: str, kind: str) -> None:
    assert _found(text) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Kinaesthetik und Kinästhetik in der Gruppe",  # Ina inside a word
        "Die Mutter sagt, es gehe von der Arbeit zu spät los.",  # the particles of 'Maria von der Au'
        "Hauptsache, das Kind isst.",  # the street's stem alone is no street
        "Am 17.05.2021 und am 18.05.2020 fiel es auf; 2020 kam es in die Gruppe.",  # other dates
        "17.5. um 20 Uhr",  # day and month, then a time
        "Das Kind ist 5 Jahre alt und am Markttag dabei.",
    ],
)
def test_words_that_only_look_like_a_datum_are_not_found(text: str) -> None:
    assert _found(text) == []


def test_every_kind_found_is_named_once_in_the_order_of_the_data() -> None:
    text = "Ina Müller, geb. 17.05.2020, Hauptstr.; Ina; Vater Jörg"
    assert _found(text) == [CHILD_FIRST_NAME, CHILD_SURNAME, CHILD_STREET, CHILD_BIRTH_DATE, GUARDIAN_NAME]


def test_a_short_name_is_found_as_a_word_and_an_initial_is_not_searched() -> None:
    child = {"vorname": "Al", "nachname": "M.", "geburtsdatum": "2019-01-02"}
    assert _found("Al malt gern.", child) == [CHILD_FIRST_NAME]
    assert _found("Alles gut, M wie Montag.", child) == []
    assert _found("am 2. Januar 2019 geboren", child) == [CHILD_BIRTH_DATE]


def test_unknown_or_missing_data_find_nothing() -> None:
    assert identifying_data({"unbekannt": ["vorname", "geburtsdatum"], "nachname": "X"}) == []
    assert _found("irgendein Text", {}) == []


FORM = parse_definition(
    {
        "format": 1,
        "task": "fallschilderung",
        "title": "Fallschilderung",
        "fields": [
            {
                "name": "schilderung",
                "label": "Fallschilderung für die Beratung",
                "type": "textarea",
                "required": True,
                "ohne_personendaten": True,
            },
            {"name": "intern", "label": "Interner Vermerk", "type": "textarea", "required": False},
        ],
    }
)


def test_the_refusal_names_the_field_and_the_kind_never_the_datum() -> None:
    clean = {"schilderung": "Frau Müller-Lüdenscheidt berichtet, Ina sei am 17.5.2020 geboren.", "intern": "Ina"}
    errors = personal_data_errors(FORM, clean, CHILD)
    assert list(errors) == ["schilderung"]  # the unmarked field may name the child
    (message,) = errors["schilderung"]
    assert message.startswith(
        "„Fallschilderung für die Beratung“ enthält den Vornamen des Kindes, den Nachnamen des Kindes"
        " und das Geburtsdatum des Kindes."
    )
    for datum in ("Ina", "Müller", "Lüdenscheidt", "17.5.2020", "2020"):
        assert datum not in message


def test_a_text_without_personal_data_passes() -> None:
    clean = {"schilderung": "Ein Mädchen, 5 Jahre, kommt seit Wochen hungrig in die Kita."}
    assert personal_data_errors(FORM, clean, CHILD) == {}
    assert checks_personal_data(FORM)


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        (
            {"type": "date", "ohne_personendaten": True},
            "'ohne_personendaten' is only allowed for type text or textarea",
        ),
        ({"type": "text", "ohne_personendaten": "ja"}, "'ohne_personendaten' must be true or false"),
    ],
)
def test_deploy_validation_of_the_property(field: dict[str, Any], problem: str) -> None:
    raw = {"format": 1, "task": "t", "title": "T", "fields": [{"name": "f", "label": "F", "required": True, **field}]}
    assert any(problem in p for p in check_definition(raw))


def test_a_list_item_text_is_checked_too() -> None:
    item = {"name": "was", "label": "Was", "type": "text", "required": True, "ohne_personendaten": True}
    form = parse_definition(
        {
            "format": 1,
            "task": "t",
            "title": "T",
            "fields": [{"name": "schritte", "label": "Schritte", "type": "list", "required": False, "fields": [item]}],
        }
    )
    clean = {"schritte": [{"was": "Gespräch mit der Mutter"}, {"was": "Gespräch mit Herrn Strauß"}]}
    assert checks_personal_data(form)
    assert list(personal_data_errors(form, clean, CHILD)) == ["schritte.1.was"]
