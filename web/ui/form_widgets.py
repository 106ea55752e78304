"""Forms of process steps in the browser: which widget each field of a form definition gets, the texts
that explain a field, and the conversion between HTML form values and the engine's JSON types.

A form definition is the engine's API form (`CaseEngine.task()["form"]`: `{title, description,
fields}`, see engine/forms/api.py). In the browser every value is a string under an HTML name:

- a top-level field under its name (`beobachtungen`); `multi` fields repeat the name;
- an item field of a `list` under `list.index.field` (`massnahmen.0.was`), the same key the engine
  reports an item's errors under, so errors and inputs meet without translation;
- booleans as `true` / `false` (radio buttons Ja / Nein), dates as `TT.MM.JJJJ` or `YYYY-MM-DD` (a text
  field, web/dates.py),
  datetimes as local Europe/Berlin time `YYYY-MM-DDTHH:MM` (`<input type=datetime-local>`).

`submission_from_form` is the one place where a POSTed form becomes the engine's JSON: conversions only
(types, the Berlin offset, empty list items dropped). Whether a value is allowed is the engine's call:
anything that does not convert is passed on as typed, and the engine answers with its German message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from engine.clock import BERLIN, parse_german_minute
from web.dates import parse_day, typed_day
from web.ui.bundle_texts import LANG, bundle_text, marked

#: Up to this many options an `enum` is a group of radio buttons, above a select.
RADIO_MAX = 5
#: Empty items shown below the filled ones of a `list` field (no JavaScript needed to add one).
SPARE_ITEMS = 2
#: Types shown as a list of entries (a `kinder` entry is a child of the household: engine/cases/siblings.py).
LIST_TYPES = ("list", "kinder")

Field = Mapping[str, Any]
FormValues = MultiDict[str, str]

_MISSING = object()
#: An integer as typed; longer numbers stay text, which the engine refuses as no integer (Python
#: refuses to convert more than 4,300 digits: that was a 500).
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{1,2}:[0-9]{2}.*")
_BOOLEANS = {"true": True, "false": False}
#: Where a help text's sentences end: a full stop before a capital or a § (never „Abs. 4“, „z. B. bisherige“).
_SENTENCE_END = re.compile(r"(?<=\.) +(?=[A-ZÄÖÜ„§])")
#: The words of a citation („§ 8a Abs. 4 Satz 1 Nr. 3 SGB VIII“, „§§ 62, 64 SGB VIII“, „§ 4 Abs. 2 LKSG NRW“).
_CITATION_WORD = re.compile(r"§§?|[0-9]+[a-z]?|Abs\.|Satz|Nr\.|SGB|[IVX]+|KKG|LKSG|NRW|FamFG|BGB|und")
#: Where a citation at the start of a sentence ends.
_CITATION_END = re.compile(r"([:;,])")
#: A help text that states its field's condition itself.
_OWN_CONDITION = re.compile(r"\bPflicht,? (?:wenn|bei)\b")


# ---- widgets and texts ------------------------------------------------------------------------------


def widget(field: Field) -> str:
    """How a field is shown: input, textarea, boolean, radios, select, checkboxes, list or object (a
    group of fields inside a list entry: a child's address). A `kinder` field is a list whose entries
    have the child's fields of a case opening."""
    kind = field["type"]
    if kind == "textarea":
        return "textarea"
    if kind == "boolean":
        return "boolean"
    if kind == "enum":
        return "radios" if len(field.get("options", ())) <= RADIO_MAX else "select"
    if kind == "multi":
        return "checkboxes"
    if kind in LIST_TYPES:
        return "list"
    if kind == "object":
        return "object"
    if kind == "user" and field.get("options"):  # a pool to choose from (the engine lists its members)
        return "select"
    return "input"


def input_type(field: Field) -> str:
    """A date is a text field (web/dates.py): the browser's picker would show its own language's format."""
    return {"datetime": "datetime-local", "integer": "number"}.get(field["type"], "text")


def shown_value(field: Field, value: Any) -> str:
    """What an input shows: a date as TT.MM.JJJJ, everything else as it is."""
    return typed_day(value) if field["type"] == "date" else ("" if value is None else str(value))


def format_hint(field: Field) -> str | None:
    """The format a date field takes, said next to it (the field no longer shows a picker)."""
    return _("Format: TT.MM.JJJJ, zum Beispiel 02.03.2026") if field["type"] == "date" else None


def condition_hint(field: Field, siblings: Iterable[Field]) -> Markup | None:
    """`required_if` in words: „Pflicht, wenn „Eltern einbezogen?“ mit Nein beantwortet wird.

    None when the field's own help already says „Pflicht wenn …“ or „Pflicht bei …“ (the v1 bundles say
    it in their words, e.g. „Pflicht bei „Sonstiger Grund“: …“): the condition is said once, not twice."""
    condition = field.get("required_if")
    if not condition or _OWN_CONDITION.search(field.get("help") or ""):
        return None
    by_name = {s["name"]: s for s in siblings}
    either = Markup(" ") + _("oder") + " "
    parts = []
    for other, expected in condition.items():
        target = by_name.get(other)
        values = expected if isinstance(expected, list) else [expected]
        label = bundle_text(target, "label") if target else other
        if target is not None and target["type"] == "boolean":
            answer = either.join(_("Ja") if value else _("Nein") for value in values)
            parts.append(escape(_("„%(label)s“ mit %(answer)s beantwortet wird")) % {"label": label, "answer": answer})
        else:
            choices = either.join(
                Markup("„{}“").format(_option_text(target, value) if target else value) for value in values
            )
            parts.append(escape(_("bei „%(label)s“ %(choices)s gewählt wird")) % {"label": label, "choices": choices})
    return escape(_("Pflicht, wenn %(conditions)s.")) % {"conditions": either.join(parts)}


def help_parts(field: Field) -> tuple[Markup, Markup]:
    """A field's help split into the hint shown under its label and its legal basis, which the form
    shows one click away („Rechtsgrundlage“) instead of a paragraph of law above every field.

    The bundle's `rechtsgrundlage` when it has one (the help is then all hint). Otherwise the help's
    sentences that begin with a citation („§ 8a Abs. 4 Satz 1 Nr. 3 SGB VIII: Eltern und Kind sind
    einzubeziehen …“): the v1 bundles, deployed and immutable, put their law there. A citation inside a
    sentence („… (§ 155 FamFG).“) stays in the hint, it is a reference, not a paragraph; of a bare
    citation with a remark („§ 99 Abs. 6 Nr. 2 SGB VIII; vierstellig.“) the remark stays a hint."""
    text = (field.get("help") or "").strip()
    help_lang = field.get("help" + LANG)
    if field.get("rechtsgrundlage"):
        return marked(text, help_lang), bundle_text(field, "rechtsgrundlage")
    hint: list[str] = []
    legal: list[str] = []
    for sentence in _SENTENCE_END.split(text) if text else ():
        citation, _sep, rest = (
            _CITATION_END.split(sentence, maxsplit=1) if _CITATION_END.search(sentence) else (sentence, "", "")
        )
        words = citation.rstrip(".").split()
        if not words or not words[0].startswith("§") or not all(_CITATION_WORD.fullmatch(w) for w in words):
            hint.append(sentence)  # no citation, or one inside the sentence („§ 8a SGB VIII schützt …“)
        elif ":" in sentence or not rest:
            legal.append(sentence)  # „§ …: what the law says.“ or a bare „§ 99 Abs. 6 Nr. 2 SGB VIII.“
        else:  # „§ 99 Abs. 6 Nr. 2 SGB VIII; vierstellig.“: the remark is a hint
            legal.append(citation.strip() + ".")
            rest = rest.strip()
            hint.append(rest[:1].upper() + rest[1:])
    return marked(" ".join(hint), help_lang), marked(" ".join(legal), help_lang)


def option_label(field: Field, value: object) -> str:
    return next((o["label"] for o in field.get("options", ()) if o["value"] == value), str(value))


def _option_text(field: Field, value: object) -> Markup:
    """An option's label as HTML, marked when an English page shows it in German (web/ui/bundle_texts.py)."""
    option = next((o for o in field.get("options", ()) if o["value"] == value), None)
    return bundle_text(option, "label") if option is not None else marked(str(value), None)


def list_item_count(field: Field, values: FormValues) -> int:
    """Item fieldsets to render: the filled ones (at least `min_items`, at least one) plus spares."""
    filled = len(_item_indices(values, field["name"]))
    least = field.get("min_items") or 0
    if field["type"] == "kinder":  # a child is a block of eight fields: one empty block at a time
        return max(filled + 1, least)
    return max(filled, least, 1) + SPARE_ITEMS


def error_labels(fields: Iterable[Field], errors: Mapping[str, Any]) -> dict[str, str]:
    """The label of each error key for the summary (`massnahmen.0.was` → `Maßnahmen, Eintrag 1: Was`)."""
    by_name = {f["name"]: f for f in fields}
    labels: dict[str, str] = {}  # Markup where a bundle text is marked (a str: callers add plain ones)
    for key in errors:
        name, _sep, rest = key.partition(".")
        field = by_name.get(name)
        if field is None:
            continue
        if not rest:
            labels[key] = bundle_text(field, "label")
            continue
        index, _sep, sub_name = rest.partition(".")
        sub = _sub_field(field, sub_name)
        if not index.isdigit():
            labels[key] = bundle_text(field, "label")
            continue
        entry = escape(_("%(label)s, Eintrag %(number)s")) % {
            "label": bundle_text(field, "label"),
            "number": int(index) + 1,
        }
        labels[key] = Markup("{}: {}").format(entry, bundle_text(sub, "label")) if sub is not None else entry
    return labels


def _sub_field(field: Field, path: str) -> Field | None:
    """The item field `path` names (`vorname`; `anschrift.plz` inside an object: the innermost)."""
    head, _sep, rest = path.partition(".")
    sub = next((s for s in field.get("fields", ()) if s["name"] == head), None)
    return _sub_field(sub, rest) if sub is not None and rest and sub.get("fields") else sub


def _inputs(field: Field, name: str) -> list[str]:
    """The input names of a field: its own, or for an object (a child's address) its fields' `name.sub`."""
    if field["type"] == "object":
        return [leaf for sub in field.get("fields", ()) for leaf in _inputs(sub, f"{name}.{sub['name']}")]
    return [name]


# ---- HTML form → engine JSON --------------------------------------------------------------------------


def submission_from_form(form_def: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's JSON for a POSTed form: the one conversion (types only, no business rules).

    Empty values are left out (the engine then says `Pflichtfeld` where one is needed, or keeps its
    prefilled value); empty items of a `list` are dropped; a value that does not convert (`zwölf` for
    an integer) goes to the engine as typed, which refuses it with its message."""
    values = _as_multidict(form)
    out: dict[str, Any] = {}
    for field in form_def["fields"]:
        value = _convert(field, values, field["name"])
        if value is not _MISSING:
            out[field["name"]] = value
    return out


def form_values(form_def: Mapping[str, Any], form: Mapping[str, Any]) -> FormValues:
    """What the user sent, to show the form again: the same values, `list` items renumbered the way
    `submission_from_form` numbered them (empty ones dropped), so that the engine's error keys match."""
    values = _as_multidict(form)
    out: FormValues = MultiDict()
    for field in form_def["fields"]:
        name = field["name"]
        if field["type"] in LIST_TYPES:
            for position, index in enumerate(_filled_items(field, values)):
                for sub in field.get("fields", ()):
                    for leaf in _inputs(sub, sub["name"]):
                        for value in values.getlist(f"{name}.{index}.{leaf}"):
                            out.add(f"{name}.{position}.{leaf}", value)
        else:
            for value in values.getlist(name):
                out.add(name, value)
    return out


def _as_multidict(form: Mapping[str, Any]) -> FormValues:
    if isinstance(form, MultiDict):
        return form
    out: FormValues = MultiDict()
    for key, value in form.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            out.add(key, "" if item is None else str(item))
    return out


def _convert(field: Field, values: FormValues, name: str) -> Any:
    kind = field["type"]
    if kind == "multi":
        chosen = [v for v in values.getlist(name) if v.strip()]
        return chosen or _MISSING
    if kind in LIST_TYPES:
        items = [_convert_object(field, values, f"{name}.{index}") for index in _filled_items(field, values)]
        return items or _MISSING
    if kind == "object":
        item = _convert_object(field, values, name)
        return item or _MISSING
    raw = values.get(name, "")
    if not raw.strip():
        return _MISSING
    text = raw.strip()
    if kind == "boolean":
        return _BOOLEANS.get(text, text)
    if kind == "integer":
        return int(text) if _INTEGER.fullmatch(text) else text
    if kind == "date":
        return _date(text)
    if kind == "datetime":
        return _datetime(text)
    return raw  # text, textarea, enum, user: as typed (the engine strips text)


def _convert_object(field: Field, values: FormValues, name: str) -> dict[str, Any]:
    """A list entry or an object: its fields' values, empty ones left out."""
    item = {}
    for sub in field.get("fields", ()):
        value = _convert(sub, values, f"{name}.{sub['name']}")
        if value is not _MISSING:
            item[sub["name"]] = value
    return item


def _item_indices(values: FormValues, name: str) -> list[int]:
    pattern = re.compile(re.escape(name) + r"\.([0-9]{1,4})\.")
    found = {int(match.group(1)) for key in values if (match := pattern.match(key))}
    return sorted(found)


def _filled_items(field: Field, values: FormValues) -> list[int]:
    """Indices of the items of a `list` field with at least one value."""
    name = field["name"]
    return [
        index
        for index in _item_indices(values, name)
        if any(
            v.strip()
            for sub in field.get("fields", ())
            for leaf in _inputs(sub, sub["name"])
            for v in values.getlist(f"{name}.{index}.{leaf}")
        )
    ]


def _date(text: str) -> str:
    """`17.05.2020` (the form's format) or `2020-05-17` → `2020-05-17`; anything else as is (the engine refuses it)."""
    day = parse_day(text)
    return day.isoformat() if day else text


def _datetime(text: str) -> str:
    """Local time in Europe/Berlin (what `datetime-local` sends) → ISO 8601 with its offset."""
    german = parse_german_minute(text)
    if german is not None:
        return german.isoformat()
    if not _ISO_DATETIME.fullmatch(text):
        return text
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    return moment.isoformat()


# ---- engine JSON → HTML form --------------------------------------------------------------------------


def values_from_data(fields: Iterable[Field], data: Mapping[str, Any]) -> FormValues:
    """Prefilled values of the engine (JSON types) as the strings the form's inputs show."""
    out: FormValues = MultiDict()
    for field in fields:
        name = field["name"]
        value = data.get(name)
        if value is None:
            continue
        if field["type"] in LIST_TYPES and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    _add_all(out, f"{name}.{index}.", values_from_data(field.get("fields", ()), item))
        elif field["type"] == "object" and isinstance(value, Mapping):
            _add_all(out, f"{name}.", values_from_data(field.get("fields", ()), value))
        else:
            _add(out, name, field, value)
    return out


def _add_all(out: FormValues, prefix: str, values: FormValues) -> None:
    for key, value in values.items(multi=True):
        out.add(prefix + key, value)


def _add(out: FormValues, name: str, field: Field, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            out.add(name, str(item))
    elif isinstance(value, bool):
        out.add(name, "true" if value else "false")
    elif field["type"] == "datetime" and isinstance(value, str):
        out.add(name, local_datetime(value))
    elif isinstance(value, date) and not isinstance(value, datetime):
        out.add(name, value.isoformat())
    else:
        out.add(name, str(value))


def local_datetime(value: str) -> str:
    """ISO 8601 with an offset → `YYYY-MM-DDTHH:MM` in Europe/Berlin (a `datetime-local` value)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(BERLIN)
    return moment.strftime("%Y-%m-%dT%H:%M")
