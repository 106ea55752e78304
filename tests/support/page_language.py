"""One language per page (issue 16 item 6), as the tests check it: a page's text nodes by the language
of their nearest element with a `lang`, and the German texts of the shipped bundles that have no English
text — on an English page each of them must stand inside an element marked lang="de".

The German-only texts are read from the shipped bundles themselves (`bpmn/<process>/1`): the process
titles, the BPMN names of steps, events, gateways and flows, and the forms' titles, descriptions, field
labels, option labels and help texts that have no `<text>_en`. Short texts ("Ja", "Rot") would match
inside English words, so only texts of `MIN_LENGTH` characters and more are looked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from html.parser import HTMLParser
from typing import Any

from lxml import etree

from engine.api import DEFINITION_TEXTS, ENGLISH, FIELD_TEXTS, OPTION_TEXTS
from engine.shipped import BPMN_ROOT

#: Texts shorter than this are not looked for (they occur inside English words and sentences).
MIN_LENGTH = 8
#: A help text or description is looked for by its beginning (the page may break it into parts).
PREFIX = 40

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TextByLanguage(HTMLParser):
    """The body's text nodes, each under the language of its nearest element with a `lang`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <path/> in an SVG: no text, nothing to close

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _lang in self.stack):
            while self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if any(tag == "body" for tag, _lang in self.stack) and data.strip():
            lang = next((lang for _tag, lang in reversed(self.stack) if lang), "?")
            self.texts.append((lang, " ".join(data.split())))


def text_nodes(html: str) -> list[tuple[str, str]]:
    """The body's text nodes as (language, text), the language "?" where no element names one."""
    parser = _TextByLanguage()
    parser.feed(html)
    return parser.texts


def by_language(html: str) -> dict[str, str]:
    """The body's text per language, its text nodes joined by " | "."""
    joined: dict[str, list[str]] = {}
    for lang, text in text_nodes(html):
        joined.setdefault(lang, []).append(text)
    return {lang: " | ".join(texts) for lang, texts in joined.items()}


def unmarked_german(html: str, proper_names: Iterable[str] = (), page_lang: str = "en") -> list[str]:
    """The text nodes of the page's language (not marked lang="de") that hold a German-only bundle text,
    each with the longest such text. `proper_names` (organisations) are left out of the search: a name
    is no bundle text even when it contains one of its words."""
    html_lang = _html_lang(html) or "?"
    nodes = [(html_lang if lang == "?" else lang, text) for lang, text in text_nodes(html)]
    return unmarked(nodes, proper_names, page_lang)


def unmarked(nodes: Iterable[tuple[str, str]], proper_names: Iterable[str] = (), page_lang: str = "en") -> list[str]:
    """`unmarked_german` of text nodes given as (language, text), e.g. read by a browser."""
    names = tuple(proper_names)
    found = []
    for lang, text in nodes:
        if lang != page_lang:
            continue
        searched = text
        for name in names:
            searched = searched.replace(name, " ")
        german = [t for t in german_bundle_texts() if t in searched]
        if german:
            found.append(f"{max(german, key=len)!r} in {text!r}")
    return found


def _html_lang(html: str) -> str | None:
    start = html.find("<html")
    if start < 0:
        return None
    tag = html[start : html.find(">", start)]
    marker = 'lang="'
    at = tag.find(marker)
    return tag[at + len(marker) : tag.find('"', at + len(marker))] if at >= 0 else None


@cache
def german_bundle_texts() -> frozenset[str]:
    """The shipped bundles' German texts without an English text (see the module)."""
    texts: set[str] = set()
    for version in sorted(BPMN_ROOT.glob("*/1")):
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        texts.update(_german(manifest, ("title",)))
        for bpmn in version.glob("*.bpmn"):
            texts.update(_bpmn_names(bpmn.read_bytes()))
        for form_file in sorted(version.glob("forms/*.json")):
            texts.update(_form_texts(json.loads(form_file.read_text(encoding="utf-8"))))
    return frozenset(" ".join(t.split()) for t in texts if len(t) >= MIN_LENGTH)


def _bpmn_names(xml: bytes) -> Iterator[str]:
    for element in etree.fromstring(xml).iter():
        name = element.get("name") if isinstance(element.tag, str) else None
        if name and not element.tag.endswith("}participant"):
            yield name


def _form_texts(form: dict[str, Any]) -> Iterator[str]:
    yield from _german(form, DEFINITION_TEXTS)
    yield from _fields(form.get("fields", ()))


def _fields(fields: Iterable[dict[str, Any]]) -> Iterator[str]:
    for field in fields:
        yield from _german(field, FIELD_TEXTS)
        for option in field.get("options", ()):
            yield from _german(option, OPTION_TEXTS)
        yield from _fields(field.get("fields", ()))


def _german(node: dict[str, Any], keys: Iterable[str]) -> Iterator[str]:
    for key in keys:
        text = node.get(key)
        if isinstance(text, str) and text and not node.get(key + ENGLISH):
            yield text if key in ("title", "label") else text[:PREFIX].rsplit(" ", 1)[0]
