"""The engine's built-in forms of the UI (the child's data: bpmn/builtin/forms/kind*.json) in the
user's language.

Their German texts are message ids of the UI catalog: `make translations` extracts them with
`extract_form_texts` (registered in web/babel.cfg), and `in_user_language` looks them up when the
form is shown. The forms of process versions are not translated: they are the network's own German.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from flask_babel import gettext

_TEXTS = ("title", "description", "label", "help", "zweck")


def in_user_language(form: dict[str, Any]) -> dict[str, Any]:
    """A copy of an API form (or field) with its texts, options and item fields translated."""
    out = {key: gettext(value) if key in _TEXTS and value else value for key, value in form.items()}
    if "options" in form:
        out["options"] = [{**o, "label": gettext(o["label"])} for o in form["options"]]
    if "fields" in form:
        out["fields"] = [in_user_language(f) for f in form["fields"]]
    return out


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _TEXTS and isinstance(value, str) and value:
                yield value
            elif key in ("fields", "options"):
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def extract_form_texts(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor: every text of a form definition (JSON) as a message."""
    for text in _texts(json.loads(fileobj.read().decode("utf-8"))):
        yield 1, None, text, []
