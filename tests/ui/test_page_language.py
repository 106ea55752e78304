"""One language per page (issue 16 item 6): on an English page a step form shows a bundle's English
texts where the bundle has them, and its German texts marked lang="de" where it has none — checked by
parsing the page: no German text of the bundle stands in English context.

SQLite only: the pages do not depend on the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import render_template_string

from engine.forms import form_to_api, parse_definition
from engine.processes.bundles import bundle_from_files, load_bundle_dir
from tests.conftest import FIXTURE_BUNDLES
from tests.support.cases import BEOBACHTUNG, complete, open_task
from tests.support.page_language import by_language
from tests.unit.test_bundle_english import FORM
from web.ui.bundle_texts import in_page_language


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _bundle_texts(form: dict[str, Any]) -> list[str]:
    """The texts of a form the bundle wrote: title, description, labels, options, help (its first words)."""
    texts = [form["title"], form["description"][:40]]
    for field in form["fields"]:
        texts.append(field["label"])
        texts.extend(option["label"] for option in field.get("options", ()))
        if field.get("help"):
            texts.append(field["help"][:30])
    return texts


def test_an_english_step_page_marks_every_german_text_of_the_bundle(ui, world, child):
    opened = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", opened.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    task = open_task(world, "kita_leitung", opened.case_id, "leitung_informieren")
    ui.login("kita_leitung")
    page = ui.get(f"/faelle/{opened.case_id}/schritte/{task['id']}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="en">' in html
    text = by_language(html)
    assert "Legal basis" in text["en"] and "Complete step" in text["en"]  # the frame in English
    for german in _bundle_texts(world.engine.task(world["kita_leitung"], task["id"])["form"]):
        assert german in text["de"] and german not in text["en"], german
    # the entry the step rests on (step name, labels, values of the case file) is German only, marked too
    for german in ("Gewichtige Anhaltspunkte dokumentieren", "Beobachtungen", BEOBACHTUNG["beobachtungen"]):
        assert german in text["de"] and german not in text["en"], german
    # the same page in German carries no lang="de" marks: it is all one language
    german_page = ui.get(f"/faelle/{opened.case_id}/schritte/{task['id']}", headers={"Accept-Language": "de"})
    assert german_page.status_code == 200 and '<span lang="de">' not in german_page.get_data(as_text=True)


def test_a_bundle_with_english_texts_is_shown_in_english_and_german_only_where_it_has_none(ui_app):
    template = (
        '{% import "cases/_fields.html" as fields %}<body>'
        "{% for f in form.fields %}{{ fields.field(f, {}, {}, form.fields) }}{% endfor %}</body>"
    )
    with ui_app.test_request_context(headers={"Accept-Language": "en"}):
        form = in_page_language(form_to_api(parse_definition(FORM)))
        html = render_template_string(template, form=form)
    text = by_language(html)
    english = text["?"]  # no lang of its own: the page's language
    assert form["title"] == "Record the report"
    assert "Is there acute danger?" in english and "Own observation" in english
    assert "Section 8a (4) SGB VIII" in english and "Legal basis" in english
    assert "Decides whether to act at once." in english and "Purpose" in english
    # no English for these: German, marked (the second field's purpose, and its label in the purpose's name)
    purpose = "Hält fest, woher die Information stammt."
    assert text["de"] == f"Sofort handeln. | Quelle | Hinweis Dritter | Quelle | {purpose}"
    assert "Besteht akute Gefahr?" not in html


def _melder_in_english(world) -> None:
    """The test process `melder` again as version 2 whose first form gives its name and a label in
    English (`title_en`, `label_en`): new cases run on it."""
    files = dict(load_bundle_dir(FIXTURE_BUNDLES / "melder" / "1").files)
    manifest = json.loads(files["manifest.json"])
    files["manifest.json"] = json.dumps({**manifest, "version": 2}).encode()
    form = json.loads(files["forms/fragen.json"])
    form["title_en"] = "Ask a question"
    form["fields"][0]["label_en"] = "Question"
    files["forms/fragen.json"] = json.dumps(form).encode()
    world.engine.deploy(bundle_from_files(files), deployed_by="tests")


def test_the_case_page_shows_a_bundle_s_english_step_name_and_label_and_marks_the_rest(ui, world, child):
    _melder_in_english(world)
    case_id = world.engine.open_case(world["kita_fk"], process_key="melder", child=child).case_id
    complete(world, "kita_fk", case_id, "fragen", {"frage": "Wie geht es dem Kind?", "intern": "Notiz."})
    ui.login("kita_fk")
    page = ui.get(f"/faelle/{case_id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = by_language(page.get_data(as_text=True))
    english, german = text["en"], text["de"]
    # the stepper and the Fallakte name the step in English, the field with its English label
    assert english.count("Ask a question") == 2 and "Frage stellen" not in english  # (the diagram: German)
    assert "| Question |" in english and "Wie geht es dem Kind?" in german
    # no English in the bundle: German, marked
    assert "Interne Notiz" in german and "Abschließen" in german and "Interne Notiz" not in english
