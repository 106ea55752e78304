"""The texts around a step form's field (web/ui/form_widgets.py): the „Pflicht, wenn …“ hint said once."""

from __future__ import annotations

from web.ui.form_widgets import condition_hint

_SIBLINGS = [
    {"name": "eltern_einbezogen", "label": "Eltern einbezogen?", "type": "boolean"},
    {
        "name": "grund",
        "label": "Grund",
        "type": "enum",
        "options": [{"value": "sonstiges", "label": "Sonstiger Grund"}],
    },
]


def test_a_condition_is_said_in_words():
    field = {"name": "x", "type": "text", "required_if": {"eltern_einbezogen": False, "grund": "sonstiges"}}
    assert condition_hint(field, _SIBLINGS) == (
        "Pflicht, wenn „Eltern einbezogen?“ mit Nein beantwortet wird oder bei „Grund“ „Sonstiger Grund“ gewählt wird."
    )


def test_a_condition_the_help_already_states_is_not_said_twice():
    for help_text in ("Pflicht bei „Sonstiger Grund“: Erläutern Sie.", "§ 99 Abs. 6 SGB VIII; Pflicht, wenn nötig."):
        field = {"name": "x", "type": "text", "required_if": {"grund": "sonstiges"}, "help": help_text}
        assert condition_hint(field, _SIBLINGS) is None
    unrelated = {"name": "x", "type": "text", "required_if": {"grund": "sonstiges"}, "help": "Die Pflichten."}
    assert condition_hint(unrelated, _SIBLINGS) is not None
    assert condition_hint({"name": "x", "type": "text"}, _SIBLINGS) is None
