"""The texts around a step form's field (web/ui/form_widgets.py): the „Pflicht, wenn …“ hint said once, the
law one click away."""

from __future__ import annotations

from web.ui.form_widgets import condition_hint, help_parts

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


def test_the_law_of_a_help_text_goes_behind_rechtsgrundlage_and_the_rest_stays_a_hint():
    def parts(help_text: str, **more: str) -> tuple[str, str]:
        return help_parts({"name": "x", "type": "text", "help": help_text, **more})

    assert parts(
        "Was wurde wahrgenommen? Nur Tatsachen. § 8a Abs. 4 Satz 1 Nr. 1 SGB VIII: Werden Anhaltspunkte bekannt, "
        "ist einzuschätzen. Ja: Beratung."
    ) == (
        "Was wurde wahrgenommen? Nur Tatsachen. Ja: Beratung.",
        "§ 8a Abs. 4 Satz 1 Nr. 1 SGB VIII: Werden Anhaltspunkte bekannt, ist einzuschätzen.",
    )
    assert parts("§§ 62, 64 SGB VIII: Nur erforderliche Daten.") == ("", "§§ 62, 64 SGB VIII: Nur erforderliche Daten.")
    assert parts("§ 99 Abs. 6 Nr. 2 SGB VIII; vierstellig.") == ("Vierstellig.", "§ 99 Abs. 6 Nr. 2 SGB VIII.")
    assert parts("§ 99 Abs. 6 Nr. 2 SGB VIII.") == ("", "§ 99 Abs. 6 Nr. 2 SGB VIII.")
    # a citation inside a sentence, or as its subject, is a reference: it stays in the hint
    for hint in ("Tag der Anrufung (§ 155 FamFG).", "§ 8a SGB VIII schützt Kinder: das Kind ist jünger als 18."):
        assert parts(hint) == (hint, "")
    # a bundle that names the legal basis itself keeps its help whole
    assert parts("Nur Tatsachen.", rechtsgrundlage="§ 4 Abs. 1 KKG") == ("Nur Tatsachen.", "§ 4 Abs. 1 KKG")
    assert help_parts({"name": "x", "type": "text"}) == ("", "")
