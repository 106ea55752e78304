"""Server-side validation of a task completion against its form, with marshmallow 4.

The UI validates too, but only the server's word counts: a completion is a legal record (§ 8a SGB
VIII), so a value that is not exactly what the form allows is refused with a German message per field
(422), never coerced. marshmallow does the type checks, one generated schema per form (and per `list`
field for its items); this module adds what marshmallow has no notion of — the conditional requirements
("required if") of procedures.md, dates that may not lie in the future (`nicht_in_zukunft`, against the
engine's clock), the German messages — and turns the result into JSON-ready values for the instance data
and the audit trail (dates and datetimes as ISO strings, datetimes in UTC).

Every error of a submission is found in one pass (a caseworker fixing one field must not meet the next
error only on the following attempt): `check_submission` returns the errors together with the values that
are valid, so that a caller's own checks of those values (a user's pool, a date's Frist) add to the same
answer.

Messages never echo the submitted values: they may be personal data (engine/errors.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validates_schema
from marshmallow.validate import Length, OneOf, Range

from engine.clock import BERLIN, parse_day, parse_german_minute
from engine.errors import ValidationFailed
from engine.forms import limits, messages
from engine.forms.definition import FormDefinition, FormField

# Every message names the field by its label and says what to type (engine/forms/messages.py).
NOT_AN_OBJECT = messages.NOT_AN_OBJECT

#: How far a `nicht_in_zukunft` datetime may lie after the engine's clock: the device a caseworker
#: types "now" on may run a few minutes ahead of the server. A date is compared with today in
#: Europe/Berlin, the day the caseworker lives in.
CLOCK_SKEW = dt.timedelta(minutes=5)

# The clock of the running validation: the schemas are cached per form, the instant changes per call.
_now: ContextVar[dt.datetime | None] = ContextVar("schutzpfad_validation_now", default=None)


def validate_submission(
    form: FormDefinition,
    data: object,
    *,
    prefilled: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The clean, JSON-compatible values of a completion, or `ValidationFailed` with every error.

    `prefilled` holds the values the task was shown with (case variables named by `prefill`); one the
    submission leaves out (or sends empty) is kept and validated like a submitted value. A field that is
    not required and not given is absent from the result. Errors of `list` items are keyed
    `field.index.item_field` (`massnahmen.0.was`); errors that belong to no field under `_schema`.
    `now` is the engine's clock (aware); a form with a `nicht_in_zukunft` field cannot be validated
    without it (RuntimeError: a programming error, never a silently skipped rule).
    """
    clean, errors = check_submission(form, data, prefilled=prefilled, now=now)
    if errors:
        raise ValidationFailed(errors)
    return clean


def check_submission(
    form: FormDefinition,
    data: object,
    *,
    prefilled: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """`validate_submission` without raising: the valid values and every error ({} when valid).

    With errors, the values are those of the top-level fields without any error (a `list` with one bad
    item is left out whole), JSON-ready like a clean completion: what a caller may check further.
    """
    if not isinstance(data, Mapping):
        return {}, {"_schema": [NOT_AN_OBJECT]}
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    merged = dict(data)
    for name, value in (prefilled or {}).items():
        if form.field(name) is not None and _is_empty(merged.get(name)):
            merged[name] = value
    token = _now.set(now)
    try:
        clean: dict[str, Any] = _schema_for(form).load(merged)
    except ValidationError as error:
        # Only the messages are kept: the error carries the submitted data, which must not reach a log.
        errors = flatten_errors(error.messages)
        failed = {key.partition(".")[0] for key in errors}
        valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return _json_ready(form.fields, {k: v for k, v in valid.items() if k not in failed}), errors
    finally:
        _now.reset(token)
    return clean, {}


def _is_empty(value: object) -> bool:
    """An empty value counts as not given: HTML forms and JSON clients send "" or [] for "nothing";
    so does text without a visible character (blanks, zero-width spaces: `limits.is_blank`)."""
    return value is None or (isinstance(value, str) and limits.is_blank(value)) or value == []


def flatten_errors(messages: object, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested errors ({"massnahmen": {0: {"was": [...]}}}) as flat dotted keys."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, sub in messages.items():
            # An item's own error (not an object) belongs to the item, not to a field called _schema.
            sub_path = path if key == "_schema" and path else f"{path}.{key}" if path else str(key)
            for sub_key, sub_messages in flatten_errors(sub, sub_path).items():
                out.setdefault(sub_key, []).extend(sub_messages)
    else:
        out[path or "_schema"] = [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
    return out


# --- fields: strict JSON types, German messages --------------------------------------------------------


class StrictBoolean(fields.Field[bool]):
    """JSON true/false only: marshmallow's Boolean would take "yes", "0" or 1, and in a legal record a
    stray 1 from a broken client must not silently become a "Ja"."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


class _Text(fields.Field[str]):
    """A JSON string, stripped (a blank one never gets here: it counts as not given), without control
    characters and at most the field's `limits.max_length` long."""

    def __init__(self, field: FormField, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.form_field = field
        self.error_messages["control"] = limits.control_characters(field)
        self.error_messages["too_long"] = limits.too_long(field)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()  # a trailing line break of a client is no control character typed
        if limits.has_control_characters(self.form_field, text):
            raise self.make_error("control")
        if len(text) > limits.max_length(self.form_field):
            raise self.make_error("too_long")
        return text


class IsoDate(fields.Date):
    """`TT.MM.JJJJ` (what the message asks for) or `JJJJ-MM-TT` only (`engine.clock.parse_day`):
    Python 3.11's `date.fromisoformat` would also take `20240131` and `2024-W05-3`."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> dt.date:
        day = parse_day(value) if isinstance(value, str) else None
        if day is None:
            raise self.make_error("invalid")
        return day


class _DateTime(fields.AwareDateTime):
    """ISO 8601 with an offset, or `TT.MM.JJJJ HH:MM` in Europe/Berlin (what the message asks for),
    converted to UTC here (not later) so that an instant outside the representable range
    (`0001-01-01T00:00+01:00`) is a field error, not a crash. A local ISO time without offset stays
    refused: an API client must say which instant it means (the autumn DST change repeats an hour)."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> dt.datetime:
        german = parse_german_minute(value) if isinstance(value, str) else None
        aware = german or super()._deserialize(value, attr, data, **kwargs)
        try:
            return aware.astimezone(dt.UTC)
        except OverflowError:
            raise self.make_error("invalid") from None


class _Multi(fields.Field[list[str]]):
    """Several option values, each at most once, returned in the order of the options (one canonical
    form for the record and the statistics). One message for the field, not one per position: the UI
    shows a group of checkboxes, not a list."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> list[str]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        if not all(isinstance(v, str) and v in self.choices for v in value):
            raise self.make_error("choice")
        if len(set(value)) != len(value):
            raise self.make_error("duplicate")
        return [c for c in self.choices if c in value]


class _List(fields.List):
    """A list of items, refused whole when it has more than `limits.max_items` — before any item is
    looked at (20,000 items are not validated one by one to be refused anyway)."""

    def __init__(self, field: FormField, item: fields.Field[Any], **kwargs: Any) -> None:
        super().__init__(item, **kwargs)
        self.form_field = field
        self.error_messages["too_many"] = limits.too_many(field)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if isinstance(value, list) and len(value) > limits.max_items(self.form_field):
            raise self.make_error("too_many")
        return super()._deserialize(value, attr, data, **kwargs)


def _not_in_future(field: FormField) -> Callable[[dt.date], None]:
    """The check of a `nicht_in_zukunft` value: a datetime (already UTC) at most `CLOCK_SKEW` after
    the engine's clock, a date at most today in Europe/Berlin."""
    refusal = messages.in_future(field)

    def check(value: dt.date) -> None:
        now = _now.get()
        if now is None:
            raise RuntimeError("a form with 'nicht_in_zukunft' is validated against the engine's clock: pass now")
        if isinstance(value, dt.datetime):  # first: a datetime is a date too
            if value > now + CLOCK_SKEW:
                raise ValidationError(refusal)
        elif value > now.astimezone(BERLIN).date():
            raise ValidationError(refusal)

    return check


def _marshmallow_field(field: FormField) -> fields.Field[Any]:
    """The marshmallow field for one form field, with every message it can give said for this field:
    one marshmallow would give in English (`invalid_awareness`, `format`, `null` …) says what to type."""
    return _instead_of_defaults(_typed_field(field), messages.invalid(field))


def _instead_of_defaults(built: fields.Field[Any], message: str) -> fields.Field[Any]:
    for cls in type(built).__mro__:
        for key, text in getattr(cls, "default_error_messages", {}).items():
            if built.error_messages.get(key) == text:
                built.error_messages[key] = message
    return built


def _typed_field(field: FormField) -> fields.Field[Any]:
    """The marshmallow field for one form field (requirement by condition is the schema's job)."""
    said = {"required": messages.required(field), "invalid": messages.invalid(field)}
    common: dict[str, Any] = {"required": field.required, "error_messages": said}
    if field.nicht_in_zukunft:
        common["validate"] = _not_in_future(field)
    if field.type in ("text", "textarea", "user"):
        # Whether a user exists and belongs to the field's `pool` needs the directory: the caller checks.
        return _Text(field, **common)
    if field.type == "boolean":
        return StrictBoolean(**common)
    if field.type == "integer":
        too_large = limits.integer_out_of_range(field)
        bound = Range(-limits.INTEGER_BOUND, limits.INTEGER_BOUND, error=too_large)
        return fields.Integer(strict=True, validate=bound, **_with_messages(common, too_large=too_large))
    if field.type == "date":
        return IsoDate(**common)
    if field.type == "datetime":
        return _DateTime(**common)
    values = tuple(o.value for o in field.options)
    if field.type == "enum":
        choice = messages.choice(field)
        return fields.String(validate=OneOf(values, error=choice), **_with_messages(common, invalid=choice))
    if field.type == "multi":
        return _Multi(
            values, **_with_messages(common, choice=messages.choice(field), duplicate=messages.duplicate(field))
        )
    if field.type == "kinder":
        # Only the shape here: each child is checked like a case opening by the caller, which knows the
        # case, the clock and the directory (engine/cases/siblings.py), and its errors join these.
        item: fields.Field[Any] = _instead_of_defaults(fields.Dict(), messages.ITEM_NOT_AN_OBJECT)
    else:
        assert field.type == "list"  # check_definition admits no other type
        item = _instead_of_defaults(
            fields.Nested(_schema_class(field.fields, f"{field.name}_item", item=True)), messages.ITEM_NOT_AN_OBJECT
        )
    minimum = field.min_items or 0
    return _List(field, item, validate=Length(min=minimum, error=messages.too_few(field, minimum)), **common)


def _with_messages(common: dict[str, Any], **said: str) -> dict[str, Any]:
    return {**common, "error_messages": {**common["error_messages"], **said}}


# --- schemas: one generated class per level, cached per form ---------------------------------------


class _FormSchema(Schema):
    """Base of the generated schemas (the form, and the items of each `list` field).

    `form_fields` is the level's definition, which the hooks need for what marshmallow cannot express.
    """

    form_fields: ClassVar[tuple[FormField, ...]] = ()
    error_messages = {"unknown": messages.UNKNOWN, "type": messages.NOT_AN_OBJECT}

    class Meta:
        unknown = RAISE  # the contract: unknown fields are refused, not ignored

    @pre_load
    def _drop_empty(self, data: Any, **kwargs: Any) -> Any:
        """Empty values of known fields count as not given, so marshmallow's `required` sees them."""
        if not isinstance(data, Mapping):
            return data  # marshmallow reports the wrong type
        names = {f.name for f in self.form_fields}
        return {k: v for k, v in data.items() if not (k in names and _is_empty(v))}

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _required_if(self, data: Mapping[str, Any], original: Any, **kwargs: Any) -> None:
        """A field is required when ANY of its `required_if` fields has (one of) the given value(s).

        Conditions are tested on the clean values: a condition field that is itself invalid has its own
        error, and decides nothing.
        """
        if not isinstance(original, Mapping):
            return
        by_name = {f.name: f for f in self.form_fields}
        errors: dict[str, list[str]] = {}
        for field in self.form_fields:
            if not field.required_if or not _is_empty(original.get(field.name)):
                continue
            reasons = [
                _reason(by_name[other], expected)
                for other, expected in field.required_if.items()
                if other in data and condition_met(data[other], expected)
            ]
            if reasons:
                errors[field.name] = [messages.required_because(field, reasons)]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _json_values(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return _json_ready(self.form_fields, data)


class _ItemSchema(_FormSchema):
    error_messages = {"unknown": messages.UNKNOWN, "type": messages.ITEM_NOT_AN_OBJECT}


def _schema_class(level: tuple[FormField, ...], name: str, *, item: bool = False) -> type[_FormSchema]:
    base = _ItemSchema if item else _FormSchema
    schema_class = base.from_dict({f.name: _marshmallow_field(f) for f in level}, name=name)
    assert issubclass(schema_class, _FormSchema)
    schema_class.form_fields = level
    return schema_class


@functools.lru_cache(maxsize=256)
def _schema_for(form: FormDefinition) -> _FormSchema:
    """One schema per form, built on first use: a deployed form never changes (bundles are immutable)."""
    return _schema_class(form.fields, f"{form.task}_form")()


def _json_ready(level: tuple[FormField, ...], data: dict[str, Any]) -> dict[str, Any]:
    """Dates and datetimes (already in UTC) as ISO strings: one JSON form for the instance data,
    the audit trail and gateway conditions, whatever offset the client sent."""
    for field in level:
        value = data.get(field.name)
        if isinstance(value, dt.date):  # datetime is a subclass: both have isoformat()
            data[field.name] = value.isoformat()
    return data


def condition_met(value: Any, expected: Any) -> bool:
    values = expected if isinstance(expected, list) else [expected]
    if isinstance(value, list):  # a multi field: met when one of the chosen values is listed
        return any(v in values for v in value)
    return value in values


def _reason(target: FormField, expected: Any) -> str:
    """The met condition in German, with the labels the caseworker sees (never the submitted text)."""
    values = expected if isinstance(expected, list) else [expected]
    if target.type == "boolean":
        answer = " oder ".join("Ja" if v else "Nein" for v in values)
        return f"„{target.label}“ mit {answer} beantwortet wurde"
    choices = " oder ".join(f"„{target.option_label(v)}“" for v in values)
    return f"bei „{target.label}“ {choices} gewählt wurde"
