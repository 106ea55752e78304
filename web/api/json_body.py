"""The JSON body of an API request, refused with 400 unless it is text the engine can store.

Flask's own `get_json` lets three kinds of input through to a 500 (issue 13, finding 6): nesting
deep enough to exhaust Python's recursion (`[[[[…` 50,000 deep), and lone UTF-16 surrogates
(`"\\ud800"`, valid JSON, but no UTF-8 text: the first encode — sealing, the database — fails).
Everything is checked here, once, before a view sees the body: UTF-8, parseable, an object, at most
MAX_DEPTH levels, no surrogate in any key or string. The size is bounded before that by
`MAX_CONTENT_LENGTH` (413, `SCHUTZPFAD_MAX_CONTENT_LENGTH`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from web.errors import BadRequest

#: Levels of nesting a request may have: the deepest form (a list of objects in a case) needs 4.
MAX_DEPTH = 32

_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_body(data: bytes) -> dict[str, Any]:
    """The body as a JSON object, or BadRequest with a German reason."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("Der Inhalt ist kein gültiges UTF-8.") from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise BadRequest(f"Der Inhalt ist zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen).") from None
    except ValueError:
        raise BadRequest("Der Inhalt ist kein gültiges JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("Der Inhalt muss ein JSON-Objekt sein.")
    _check(body)
    return body


def _check(body: dict[str, Any]) -> None:
    """Depth and surrogates, iteratively (a recursive walk would fail where the parser did not)."""
    pending: list[tuple[Any, int, str]] = [(body, 1, "")]
    while pending:
        value, depth, path = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise BadRequest(f"Der Inhalt ist zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen).")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise BadRequest(_surrogate_in(path))
                pending.append((item, depth + 1, name))
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise BadRequest(_surrogate_in(path))


def _surrogate_in(path: str) -> str:
    where = f"„{path}“" if path else "Der Inhalt"
    return f"{where} enthält ein ungültiges Zeichen (ein einzelnes UTF-16-Surrogat, kein Text)."
