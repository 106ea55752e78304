"""Plain words: finds internal identifiers in the text people read on a page (issue 16 item 3).

A social worker must never have to decode `leitung_informieren`, `PT4H`, `auth.login` or
`{"values": …}`. The browser tests scan `document.body.innerText` of every page they visit, the
Flask-client tests the visible text of an HTML response (`visible_text`); both ask
`internal_identifiers`, which names what it found so that a failure says what to fix.

What counts as internal:
- `snake_case` keys (two or more lowercase words joined by `_`): form fields, task keys, options;
- ISO 8601 durations (`PT4H`, `P3D`, `P1DT12H`);
- the engine's event codes (`auth.login`, `case.created`, every `EventType` value);
- raw JSON (`"key":` or an object's opening `{"`).

Usernames are what people type to sign in and what the auditor filters by, so a test passes the
ones its world has as `allowed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from engine.api import EventType

_SNAKE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")
_DURATION = re.compile(r"(?<![\w-])P(?=\d|T\d)(?:\d+[YMWD])*(?:T(?=\d)(?:\d+(?:[.,]\d+)?[HMS])+)?(?![\w-])")
_JSON = re.compile(r"\"\w+\"\s*:|\{\s*\"")
_EVENT_CODES = sorted((t.value for t in EventType), key=len, reverse=True)
_EVENT = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(code) for code in _EVENT_CODES) + r")(?![\w])")


def internal_identifiers(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """Every internal identifier in `text`, each once, in the order found (empty: plain words)."""
    permitted = set(allowed)
    found: dict[str, str] = {}
    for kind, pattern in (("key", _SNAKE), ("duration", _DURATION), ("event", _EVENT), ("JSON", _JSON)):
        for match in pattern.finditer(text):
            word = match.group(0)
            if word not in permitted and word not in found:
                context = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
                found[word] = f"{kind} {word!r} in: {context!r}"
    return list(found.values())


class _Visible(HTMLParser):
    """Text a browser shows: text nodes outside script/style/template and hidden elements, plus the
    attributes people read (placeholder, alt, title, aria-label)."""

    _SKIP = frozenset({"script", "style", "template", "noscript"})
    _VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._skipping:
            if tag not in self._VOID:
                self._skipping.append(tag)
            return
        if tag in self._SKIP or "hidden" in values:
            if tag not in self._VOID:
                self._skipping.append(tag)
            return
        if tag == "input" and values.get("type") == "hidden":
            return
        for name in ("placeholder", "alt", "title", "aria-label"):
            if values.get(name):
                self.parts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text of an HTML page as a person reads it (see `_Visible`), one part per line."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def assert_plain_words(text: str, where: str, allowed: Iterable[str] = ()) -> None:
    """Fails with every internal identifier `text` shows at `where` (a URL or a page's name)."""
    found = internal_identifiers(text, allowed)
    assert not found, f"{where} shows internal identifiers:\n  " + "\n  ".join(found)
