"""A process bundle's texts in the page's language, one language per page (issue 16 item 6).

A bundle's forms are the network's own German; a form, field or option may also give English texts
(`title_en`, `label_en`, `help_en`, `rechtsgrundlage_en`, an option's `label_en`: docs/bundles.md).
On an English page `in_page_language` puts the English text where the bundle has one; where it has
none the German text stays and is flagged (`label_lang: "de"`), and the templates write it through
`bundle_text`, which marks it `lang="de"` — a screen reader then reads it with a German voice, and the
page never mixes languages unmarked. Texts the engine hands out without any English (BPMN step names,
the process's title) go through `german_text` the same way; a step's name in the stepper and a
case-file entry's title and labels through `engine_text`, which takes the form's English where the
bundle gives one (`title_en`, `label_en`, passed on by the engine) and marks the German otherwise; a whole
German element (the process diagram) gets `german_lang()` as its attribute, and the engine's messages
(German by contract: refusals, validation errors) are marked by `in_page_language_error` before the
page that shows them is rendered — so templates need not know where a message came from.

The built-in forms (the child's data) are translated through the UI catalog instead
(web/ui/builtin_forms.py): they belong to the frame, not to a network's bundle.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from markupsafe import Markup, escape

from engine.api import DEFINITION_TEXTS, ENGLISH, FIELD_TEXTS, OPTION_TEXTS
from engine.errors import EngineError, ValidationFailed
from web.ui.i18n import DEFAULT_LOCALE, current_locale

E = TypeVar("E", bound=EngineError)

#: The suffix of the flag that a text is shown in German on a page of another language.
LANG = "_lang"


def in_page_language(form: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an API form with every bundle text in the page's language (see the module)."""
    if current_locale() == DEFAULT_LOCALE:
        return dict(form)
    return _localised(form, DEFINITION_TEXTS)


def _localised(node: Mapping[str, Any], texts: tuple[str, ...]) -> dict[str, Any]:
    out = dict(node)
    for key in texts:
        english = node.get(key + ENGLISH)
        if english:
            out[key] = english
        elif node.get(key):
            out[key + LANG] = DEFAULT_LOCALE
    if "fields" in node:
        out["fields"] = [_localised(field, FIELD_TEXTS) for field in node["fields"]]
    if "options" in node:
        out["options"] = [_localised(option, OPTION_TEXTS) for option in node["options"]]
    return out


def bundle_text(node: Mapping[str, Any], key: str) -> Markup:
    """A text of a localised form (or field, option) as HTML, in a `lang="de"` span if it stayed German."""
    return marked(node.get(key) or "", node.get(key + LANG))


def engine_text(node: Any, key: str) -> Markup:
    """A text the engine hands out with an optional English twin (`<key>_en`: a step's name from its
    form's `title_en`, a case-file value's `label_en`): the English one on an English page where the
    bundle gives it, else the German text, marked like `german_text`. `node` is a dict or a dataclass."""
    english = _read(node, key + ENGLISH)
    if english and current_locale() != DEFAULT_LOCALE:
        return escape(english)
    return german_text(_read(node, key) or "")


def _read(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, Mapping) else getattr(node, key, None)


def german_text(text: str) -> Markup:
    """A text that exists in German only (a BPMN step name, a case-file label): marked on other pages."""
    return marked(text, german_lang_code())


def german_options(options: Iterable[tuple[str, str]]) -> list[tuple[str, Markup]]:
    """(value, German label) choices the engine words (an Akte's purposes, the review's answers), each
    label marked like `german_text`, for the radio and checkbox macros."""
    return [(value, german_text(label)) for value, label in options]


def german_lang() -> Markup:
    """` lang="de"` for an element whose whole content is German (a BPMN diagram), on other pages."""
    code = german_lang_code()
    return Markup("") if code is None else Markup(' lang="{}"').format(code)


def german_lang_code() -> str | None:
    """The language to mark a German text with on this page: "de", or None on a German page."""
    return None if current_locale() == DEFAULT_LOCALE else DEFAULT_LOCALE


def german_messages(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Field errors with each of the engine's German messages marked (see `german_text`); a message the
    web already worded in the page's language is Markup and stays as it is."""
    return {name: [german_message(m) for m in messages] for name, messages in errors.items()}


def joined_messages(errors: Mapping[str, list[str]]) -> Markup:
    """Every message of a refusal in one note (the case page's), each kept as marked."""
    return Markup(" ").join(message for messages in errors.values() for message in messages)


def in_page_language_error(exc: E) -> E:
    """A copy of an engine error for the page that shows it: its detail and field errors marked German.
    On a German page the error itself (nothing to mark)."""
    if current_locale() == DEFAULT_LOCALE:
        return exc
    marked_exc = copy.copy(exc)
    marked_exc.detail = german_message(exc.detail)
    if isinstance(marked_exc, ValidationFailed):
        marked_exc.errors = german_messages(marked_exc.errors)
    return marked_exc


def german_message(message: str) -> Markup:
    """One of the engine's German messages marked like `german_text`, unless it is Markup already (marked
    before, or worded by the web in the page's language)."""
    return message if isinstance(message, Markup) else german_text(message)


def marked(text: str, lang: str | None) -> Markup:
    """`text` as HTML, in a span with its language when that is not the page's (`lang` not None)."""
    if not text or lang is None:
        return escape(text or "")
    return Markup('<span lang="{}">{}</span>').format(lang, text)
