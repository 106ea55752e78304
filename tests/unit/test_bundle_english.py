"""English texts of a bundle's forms (`label_en`, `help_en`, … — docs/bundles.md): checked when a bundle
is validated or deployed, carried into the API form; a missing one simply means German."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.forms import form_to_api, parse_definition
from engine.processes.bundles import bundle_from_files, load_bundle_dir
from engine.processes.validation.bundle import validate_bundle

MINIMAL = Path(__file__).resolve().parents[1] / "vectors" / "bundles" / "valid" / "minimal" / "1"

FORM: dict[str, Any] = {
    "format": 1,
    "task": "erfassen",
    "title": "Meldung erfassen",
    "title_en": "Record the report",
    "description": "Warum dieser Schritt: Testformular.",
    "fields": [
        {
            "name": "akute_gefahr",
            "label": "Besteht akute Gefahr?",
            "label_en": "Is there acute danger?",
            "type": "boolean",
            "required": True,
            "help": "Sofort handeln.",
            "rechtsgrundlage": "§ 8a Abs. 4 SGB VIII",
            "rechtsgrundlage_en": "Section 8a (4) SGB VIII",
            "zweck": "Entscheidet, ob sofort gehandelt wird.",
            "zweck_en": "Decides whether to act at once.",
        },
        {
            "name": "quelle",
            "label": "Quelle",
            "zweck": "Hält fest, woher die Information stammt.",
            "type": "enum",
            "required": False,
            "options": [
                {"value": "eigen", "label": "Eigene Wahrnehmung", "label_en": "Own observation"},
                {"value": "dritte", "label": "Hinweis Dritter"},
            ],
        },
    ],
}


def _problems(form: dict[str, Any]) -> list[str]:
    files = dict(load_bundle_dir(MINIMAL).files)
    files["forms/erfassen.json"] = json.dumps(form).encode()
    return validate_bundle(bundle_from_files(files))


def test_a_form_with_english_texts_deploys_and_the_api_form_carries_them():
    assert _problems(FORM) == []
    api = form_to_api(parse_definition(FORM))
    assert api["title_en"] == "Record the report" and "description_en" not in api
    gefahr, quelle = api["fields"]
    assert gefahr["label_en"] == "Is there acute danger?" and gefahr["rechtsgrundlage_en"] == "Section 8a (4) SGB VIII"
    assert gefahr["zweck_en"] == "Decides whether to act at once." and "zweck_en" not in quelle
    assert "help_en" not in gefahr  # no English help: the UI shows the German one, marked lang="de"
    assert quelle["options"] == [
        {"value": "eigen", "label": "Eigene Wahrnehmung", "label_en": "Own observation"},
        {"value": "dritte", "label": "Hinweis Dritter"},
    ]


def _with(change: Any) -> dict[str, Any]:
    form = json.loads(json.dumps(FORM))
    change(form)
    return form


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda f: f["fields"][1].update(help_en="Where from?"),
            "forms/erfassen.json: field 'quelle': 'help_en' without its German text 'help'",
        ),
        (
            lambda f: f.update(description_en=["Why"]),
            "forms/erfassen.json: form definition: 'description_en' must be a non-empty string",
        ),
        (
            lambda f: f["fields"][0].update(label_en=" "),
            "forms/erfassen.json: field 'akute_gefahr': 'label_en' must be a non-empty string",
        ),
        (
            lambda f: f["fields"][0].update(lable_en="Danger?"),
            "forms/erfassen.json: field 'akute_gefahr': unknown English text 'lable_en'"
            " (allowed here: 'label_en', 'help_en', 'rechtsgrundlage_en', 'zweck_en')",
        ),
        (
            lambda f: f["fields"][0].update(name_en="danger"),
            "forms/erfassen.json: field 'akute_gefahr': unknown English text 'name_en'"
            " (allowed here: 'label_en', 'help_en', 'rechtsgrundlage_en', 'zweck_en')",
        ),
        (
            lambda f: f["fields"][1]["options"][1].update(label_en=3),
            "forms/erfassen.json: field 'quelle': option #2: 'label_en' must be a non-empty string",
        ),
    ],
)
def test_an_english_text_without_its_german_twin_or_of_the_wrong_type_is_refused(change: Any, problem: str):
    assert _problems(_with(change)) == [problem]
