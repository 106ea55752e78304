"""The English catalog keeps up with the German source texts, and the compiled catalogs with the
edited ones. When this fails: `make translations`, translate the new entries in
web/translations/en/LC_MESSAGES/messages.po, `make translations` again."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
METHODS = [("ui/**.py", "python"), ("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_ids() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "web", METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}}
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalog(lang: str, kind: str):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / f"messages.{kind}"
    with path.open("rb") as handle:
        return read_po(handle) if kind == "po" else read_mo(handle)


def test_every_text_of_the_ui_has_an_english_translation():
    english = {m.id: m.string for m in _catalog("en", "po") if m.id}
    missing = sorted(i for i in _source_ids() if not english.get(i))
    assert not missing, "untranslated (run `make translations`):\n" + "\n".join(missing)


def test_compiled_catalogs_match_their_sources():
    for lang in ("de", "en"):
        po = {m.id: m.string for m in _catalog(lang, "po") if m.id and m.string}
        mo = {m.id: m.string for m in _catalog(lang, "mo") if m.id and m.string}
        assert po == mo, f"{lang}: messages.mo is stale — run `make translations`"


def test_the_builtin_forms_of_the_ui_are_translated_too():
    """The child's form (bpmn/builtin/forms/kind*.json) is extracted by web/babel.cfg's own extractor."""
    from web.ui.builtin_forms import extract_form_texts

    english = {m.id: m.string for m in _catalog("en", "po") if m.id}
    forms = ROOT / "bpmn" / "builtin" / "forms"
    for name in ("kind.json", "kind_anschrift.json"):
        with (forms / name).open("rb") as handle:
            texts = {text for _line, _func, text, _comments in extract_form_texts(handle, None, None, None)}
        assert texts and not sorted(t for t in texts if not english.get(t)), name
