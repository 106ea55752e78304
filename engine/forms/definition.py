"""Form definitions (`forms/<task_id>.json` of a bundle): the data classes and the load-time check.

A broken form must be refused when the bundle is validated or deployed, not when a caseworker
trips over it in the middle of a Gefährdungseinschätzung. So `check_definition` collects *every*
problem of a raw definition (in English, for the admin who wrote the bundle) instead of stopping at
the first, and `parse_definition` only ever builds a `FormDefinition` that passed it: the validation
layer can then rely on the invariants (options present, `required_if` pointing at a known boolean,
enum or multi field with a possible value, …) without checking them again.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DefinitionInvalid
from engine.forms.rule_shapes import nur_wenn_problems, required_if_problems

FORMAT = 1

#: Every field type of bundles.md, in the order documented there.
TYPES = ("text", "textarea", "boolean", "integer", "date", "datetime", "enum", "multi", "list", "user", "kinder")
#: Lists of entries; a `kinder` entry is a child with the engine's fields, one case each (cases/siblings.py).
LIST_TYPES = ("list", "kinder")
#: Types whose values are free text (bounded by `max_length`).
TEXT_TYPES = ("text", "textarea", "user")
#: What a bundle may raise the limits to (engine/forms/limits.py has the defaults).
MAX_LENGTH_CEILING = 100_000
MAX_ITEMS_CEILING = 1_000
#: Types whose values can be tested by `required_if`: conditions compare with fixed values, so only
#: types with a closed set of values make sense (a condition on free text could never be reviewed).
CONDITION_TYPES = ("boolean", "enum", "multi")

#: Texts a definition, a field or an option may also give in English (`<text>_en`): the English UI
#: shows them, and the German text where a bundle has none (marked lang="de" by the UI).
DEFINITION_TEXTS = ("title", "description")
FIELD_TEXTS = ("label", "help", "rechtsgrundlage", "zweck")
OPTION_TEXTS = ("label",)
ENGLISH = "_en"

_DEFINITION_KEYS = frozenset({"format", "task", "title", "description", "fields"})
_FIELD_KEYS = frozenset(
    {
        "name",
        "label",
        "type",
        "required",
        "required_if",
        "options",
        "help",
        "rechtsgrundlage",
        "zweck",
        "fields",
        "min_items",
        "pool",
        "kollegium",
        "nur_wenn",
        "nur_wenn_grund",
        "prefill",
        "max_frist",
        "nicht_in_zukunft",
        "ohne_personendaten",
        "max_length",
        "max_items",
    }
)
_OPTION_KEYS = frozenset({"value", "label"})
# Field names become Python variables in gateway conditions (`akute_gefahr == True`) and path segments
# in error keys (`massnahmen.0.was`): lower-case identifiers only, no dots, no leading underscore
# (`_schema` is the key of errors that belong to no field).
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Option:
    """One choice of an `enum` or `multi` field: the stored `value` and its German `label`."""

    value: str
    label: str
    label_en: str | None = None


@dataclass(frozen=True)
class FormField:
    """One field of a form; see bundles.md, "Form definitions".

    `required_if` is the JSON object of the definition (`{field: value or [values]}`); it is left out of
    the hash (a dict is not hashable) but not out of equality, so a `FormDefinition` can still key a cache.
    Treat it as read-only.
    """

    name: str
    label: str
    type: str
    required: bool = False
    help: str | None = None
    label_en: str | None = None
    help_en: str | None = None
    rechtsgrundlage_en: str | None = None
    #: The legal basis of the field (shown one click away, behind „Rechtsgrundlage“); without it the UI
    #: takes the sentences of `help` that begin with a citation (web/ui/form_widgets.py: help_parts).
    rechtsgrundlage: str | None = None
    #: What the data item is collected for (R31, DP-01: purpose binding), shown one click away beside the
    #: Rechtsgrundlage and in the subject-access document. A deployed bundle must state it for every
    #: field (engine/processes/validation/bundle.py); a form checked on its own may leave it out.
    zweck: str | None = None
    zweck_en: str | None = None
    options: tuple[Option, ...] = ()
    required_if: dict[str, Any] | None = field(default=None, hash=False)
    fields: tuple[FormField, ...] = ()
    min_items: int | None = None
    pool: str | None = None
    #: A `user` field naming a colleague of the case's organisation with this role, never the person
    #: completing (the second Fachkraft at a Hausbesuch): engine/cases/colleagues.py.
    kollegium: str | None = None
    #: A `boolean` answered Yes only while this holds, and why (R30): engine/forms/plausibility.py.
    nur_wenn: dict[str, Any] | None = field(default=None, hash=False)
    nur_wenn_grund: str | None = None
    prefill: str | None = None
    #: A date field's latest allowed value: today (Europe/Berlin) plus this Frist of the network's
    #: profile (e.g. `schutzplan_max` for the Schutzplan review date). Checked by the engine.
    max_frist: str | None = None
    #: A date or datetime that records something that already happened (an observation, a receipt, a
    #: consultation, a talk): the engine refuses a value after its clock (engine/forms/validation.py).
    nicht_in_zukunft: bool = False
    #: A text for someone who may not learn who the child is (the insoweit erfahrene Fachkraft): refused
    #: with the child's or a Sorgeberechtigter's name, street or birth date (engine/forms/personal_data.py).
    ohne_personendaten: bool = False
    #: Longest text (characters, after stripping) of a text, textarea or user field; None: the
    #: type's default (engine/forms/limits.py). Nobody types a megabyte into a Gefährdungseinschätzung.
    max_length: int | None = None
    #: Most items of a list field; None: the default of engine/forms/limits.py.
    max_items: int | None = None

    def option_label(self, value: object) -> str:
        """The German label of an option value (the value itself if unknown): for messages."""
        return next((o.label for o in self.options if o.value == value), str(value))


@dataclass(frozen=True)
class FormDefinition:
    """The form of one user task: what the UI renders and what the server accepts on completion."""

    task: str
    title: str
    description: str
    fields: tuple[FormField, ...]
    title_en: str | None = None
    description_en: str | None = None

    def field(self, name: str) -> FormField | None:
        """The top-level field called `name`, if any."""
        return next((f for f in self.fields if f.name == name), None)


def check_definition(raw: object) -> list[str]:
    """Every problem of a raw (parsed JSON) form definition, in English for admins; [] when valid.

    Never raises for bad input: whatever the JSON holds, the answer is a list of problems.
    """
    if not isinstance(raw, dict):
        return ["form definition must be a JSON object"]
    problems = [f"unknown key '{key}' in form definition" for key in _unknown_keys(raw, _DEFINITION_KEYS)]
    _check_english(raw, DEFINITION_TEXTS, "form definition", problems)
    if "format" not in raw:
        problems.append(f"'format' is missing (must be {FORMAT})")
    elif type(raw["format"]) is not int or raw["format"] != FORMAT:
        problems.append(f"'format' must be {FORMAT}, not {raw['format']!r}")
    for key in ("task", "title"):
        if not _non_empty_str(raw.get(key)):
            problems.append(f"'{key}' must be a non-empty string")
    if "description" in raw and not isinstance(raw["description"], str):
        problems.append("'description' must be a string")
    _check_fields(raw.get("fields"), "", problems, nested=False)
    return problems


def parse_definition(raw: object) -> FormDefinition:
    """Build a `FormDefinition` from parsed JSON; raises `DefinitionInvalid` listing every problem."""
    problems = check_definition(raw)
    if problems:
        raise DefinitionInvalid(problems)
    assert isinstance(raw, dict)  # guaranteed by check_definition
    return FormDefinition(
        task=raw["task"],
        title=raw["title"],
        description=raw.get("description", ""),
        fields=tuple(_parse_field(f) for f in raw["fields"]),
        title_en=raw.get("title_en"),
        description_en=raw.get("description_en"),
    )


def _parse_field(raw: dict[str, Any]) -> FormField:
    required_if = raw.get("required_if")
    return FormField(
        name=raw["name"],
        label=raw["label"],
        type=raw["type"],
        required=raw["required"],
        help=raw.get("help"),
        rechtsgrundlage=raw.get("rechtsgrundlage"),
        label_en=raw.get("label_en"),
        help_en=raw.get("help_en"),
        rechtsgrundlage_en=raw.get("rechtsgrundlage_en"),
        zweck=raw.get("zweck"),
        zweck_en=raw.get("zweck_en"),
        options=tuple(Option(o["value"], o["label"], o.get("label_en")) for o in raw.get("options", ())),
        # A copy, so that the caller's JSON cannot change a parsed definition afterwards.
        required_if={k: list(v) if isinstance(v, list) else v for k, v in required_if.items()}
        if required_if is not None
        else None,
        fields=tuple(_parse_field(f) for f in raw.get("fields", ())),
        min_items=raw.get("min_items"),
        pool=raw.get("pool"),
        kollegium=raw.get("kollegium"),
        nur_wenn=dict(raw["nur_wenn"]) if "nur_wenn" in raw else None,
        nur_wenn_grund=raw.get("nur_wenn_grund"),
        prefill=raw.get("prefill"),
        max_frist=raw.get("max_frist"),
        nicht_in_zukunft=raw.get("nicht_in_zukunft", False),
        ohne_personendaten=raw.get("ohne_personendaten", False),
        max_length=raw.get("max_length"),
        max_items=raw.get("max_items"),
    )


def _unknown_keys(raw: dict[Any, Any], allowed: frozenset[str]) -> list[Any]:
    """Keys that are not allowed; English texts (`…_en`) are `_check_english`'s to name."""
    unknown = (key for key in set(raw) - allowed if not (isinstance(key, str) and key.endswith(ENGLISH)))
    return sorted(unknown, key=str)  # key=str: never a TypeError, whatever the keys are


def _check_english(raw: dict[Any, Any], texts: tuple[str, ...], where: str, problems: list[str]) -> None:
    """Each `<text>_en` translates a German text of the same object: a known text, given, a non-empty string.

    An English text without its German twin would leave the German UI without it; a typo (`lable_en`)
    would silently show German on an English page."""
    for key in sorted(k for k in raw if isinstance(k, str) and k.endswith(ENGLISH)):
        german = key[: -len(ENGLISH)]
        if german not in texts:
            allowed = ", ".join(f"'{text}{ENGLISH}'" for text in texts)
            problems.append(f"{where}: unknown English text '{key}' (allowed here: {allowed})")
        elif german not in raw:
            problems.append(f"{where}: '{key}' without its German text '{german}'")
        elif not _non_empty_str(raw[key]):
            problems.append(f"{where}: '{key}' must be a non-empty string")


def _non_empty_str(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _check_fields(raw_fields: object, prefix: str, problems: list[str], *, nested: bool) -> None:
    """Check one level of fields (the form, or the item fields of a `list` named by `prefix`)."""
    where = f"field '{prefix[:-1]}'" if prefix else "form"
    if not isinstance(raw_fields, list) or not raw_fields:
        key = f"{where}: 'fields'" if prefix else "'fields'"
        problems.append(f"{key} must be a non-empty list")
        return
    by_name: dict[str, dict[str, Any]] = {}
    for position, raw in enumerate(raw_fields, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{where}: field #{position} must be a JSON object")
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name) or keyword.iskeyword(name):
            problems.append(
                f"{where}: field #{position} needs a 'name' of lower-case letters, digits and underscores"
                " (starting with a letter, not a Python keyword)"
            )
            continue
        if name in by_name:
            problems.append(f"duplicate field name '{prefix}{name}'")
            continue
        by_name[name] = raw
        _check_field(raw, f"{prefix}{name}", problems, nested=nested)
    for name, raw in by_name.items():
        if "required_if" in raw:
            problems += required_if_problems(raw, f"{prefix}{name}", by_name, CONDITION_TYPES, TYPES)


def _check_field(raw: dict[str, Any], path: str, problems: list[str], *, nested: bool) -> None:
    """Check one field's own keys; `required_if` is checked later, once all siblings are known."""
    label = f"field '{path}'"
    problems.extend(f"{label}: unknown key '{key}'" for key in _unknown_keys(raw, _FIELD_KEYS))
    _check_english(raw, FIELD_TEXTS, label, problems)
    if not _non_empty_str(raw.get("label")):
        problems.append(f"{label}: 'label' must be a non-empty string")
    if not isinstance(raw.get("required"), bool):
        problems.append(f"{label}: 'required' must be true or false")
    for key in ("help", "rechtsgrundlage", "zweck"):
        if key in raw and not isinstance(raw[key], str):
            problems.append(f"{label}: '{key}' must be a string")
    type_ = raw.get("type")
    if type_ not in TYPES:
        problems.append(f"{label}: unknown type {type_!r} (one of: {', '.join(TYPES)})")
        return
    # Keys that only make sense for some types: a stray one is a mistake in the bundle, not decoration.
    for key, types in (
        ("options", ("enum", "multi")),
        ("fields", ("list",)),
        ("min_items", LIST_TYPES),
        ("pool", ("user",)),
        ("kollegium", ("user",)),
        ("nur_wenn", ("boolean",)),
        ("nur_wenn_grund", ("boolean",)),
        ("max_frist", ("date",)),
        ("nicht_in_zukunft", ("date", "datetime")),
        ("ohne_personendaten", ("text", "textarea")),
        ("max_length", TEXT_TYPES),
        ("max_items", LIST_TYPES),
    ):
        if key in raw and type_ not in types:
            problems.append(f"{label}: '{key}' is only allowed for type {' or '.join(types)}")
    if type_ in ("enum", "multi"):
        _check_options(raw.get("options"), label, type_, problems)
    if type_ in LIST_TYPES and nested:
        problems.append(f"{label}: a list cannot contain another list")
    elif type_ == "list":
        _check_fields(raw.get("fields"), f"{path}.", problems, nested=True)
    if type_ in LIST_TYPES:
        min_items, max_items = raw.get("min_items"), raw.get("max_items")
        if "min_items" in raw and (type(min_items) is not int or min_items < 0):
            problems.append(f"{label}: 'min_items' must be a whole number >= 0")
        if "max_items" in raw and (type(max_items) is not int or not 1 <= max_items <= MAX_ITEMS_CEILING):
            problems.append(f"{label}: 'max_items' must be a whole number from 1 to {MAX_ITEMS_CEILING}")
        elif type(max_items) is int and type(min_items) is int and min_items > max_items:
            problems.append(f"{label}: 'min_items' is larger than 'max_items'")
    max_length = raw.get("max_length")
    if (
        "max_length" in raw
        and type_ in TEXT_TYPES
        and (type(max_length) is not int or not 1 <= max_length <= MAX_LENGTH_CEILING)
    ):
        problems.append(f"{label}: 'max_length' must be a whole number from 1 to {MAX_LENGTH_CEILING}")
    if "max_frist" in raw and type_ == "date" and not _non_empty_str(raw["max_frist"]):
        problems.append(f"{label}: 'max_frist' must name a Frist of the profile")
    for flag, types in (("nicht_in_zukunft", ("date", "datetime")), ("ohne_personendaten", ("text", "textarea"))):
        if flag in raw and type_ in types and not isinstance(raw[flag], bool):
            problems.append(f"{label}: '{flag}' must be true or false")
    if raw.get("nicht_in_zukunft") is True and "max_frist" in raw and type_ == "date":
        problems.append(f"{label}: 'nicht_in_zukunft' and 'max_frist' exclude each other")
    if "pool" in raw and type_ == "user" and not _non_empty_str(raw["pool"]):
        problems.append(f"{label}: 'pool' must be a non-empty string")
    if "kollegium" in raw and type_ == "user":
        if not _non_empty_str(raw["kollegium"]):
            problems.append(f"{label}: 'kollegium' must name a role")
        elif "pool" in raw:
            problems.append(f"{label}: 'kollegium' and 'pool' exclude each other")
    if type_ == "boolean" and ("nur_wenn" in raw or "nur_wenn_grund" in raw):
        problems += [
            f"{label}: {problem}" for problem in nur_wenn_problems(raw.get("nur_wenn"), raw.get("nur_wenn_grund"))
        ]
    if "prefill" in raw:
        if nested:
            problems.append(f"{label}: 'prefill' is not allowed inside a list")
        elif not _non_empty_str(raw["prefill"]):
            problems.append(f"{label}: 'prefill' must be a non-empty string")


def _check_options(options: object, label: str, type_: str, problems: list[str]) -> None:
    if not isinstance(options, list) or not options:
        problems.append(f"{label}: type '{type_}' needs options")
        return
    seen: set[str] = set()
    for position, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            problems.append(f"{label}: option #{position} must be a JSON object {{value, label}}")
            continue
        where = f"{label}: option #{position}"
        problems.extend(f"{where}: unknown key '{k}'" for k in _unknown_keys(option, _OPTION_KEYS))
        _check_english(option, OPTION_TEXTS, where, problems)
        value = option.get("value")
        if not isinstance(value, str) or not _non_empty_str(value):
            problems.append(f"{label}: option #{position} needs a non-empty string 'value'")
        elif value in seen:
            problems.append(f"{label}: duplicate option value '{value}'")
        else:
            seen.add(value)
        if not _non_empty_str(option.get("label")):
            problems.append(f"{label}: option #{position} needs a non-empty 'label'")
