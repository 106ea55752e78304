"""marshmallow schemas at the edge: request bodies are loaded, responses dumped, and the OpenAPI
document is generated from the same classes, so documentation and behaviour cannot drift apart."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import RAISE, Schema, ValidationError, fields

from engine.errors import ValidationFailed


def _asks(what: str, form: str) -> dict[str, str | list[Any] | dict[Any, Any]]:
    """A request field's messages as sentences that say what to send (issue 16 item 3)."""
    return {
        "required": f"Geben Sie {what} an.",
        "null": f"Geben Sie {what} an.",
        "invalid": f"Geben Sie {what} {form} an.",
    }


S = TypeVar("S", bound=type[Schema])


def always_present(*names: str) -> Callable[[S], S]:
    """The fields every answer of this schema carries (null where they allow it): the OpenAPI
    document lists them as `required`; fields left out (e.g. the child for the insofa) are not.

    marshmallow's `required` only checks loading, so setting it on a response schema changes nothing
    the API sends — it is there for the document, kept next to the fields it describes."""

    def mark(schema: S) -> S:
        unknown = set(names) - set(schema._declared_fields)
        if unknown:
            raise TypeError(f"{schema.__name__} has no fields {sorted(unknown)}")
        for name in names:
            field = copy.copy(schema._declared_fields[name])  # a base schema's field stays as it is
            field.required = True
            schema._declared_fields[name] = field
        return schema

    return mark


class _Request(Schema):
    class Meta:
        unknown = RAISE


_Request.error_messages = {**Schema.error_messages, "unknown": "Dieses Feld gibt es hier nicht. Lassen Sie es weg."}


class CaseCreateRequest(_Request):
    process = fields.String(
        required=True,
        error_messages=_asks("den Schlüssel des Prozesses", "als Text"),
        metadata={"description": "process key, e.g. traeger_8a"},
    )
    child = fields.Dict(
        required=True,
        error_messages=_asks("die Angaben zum Kind", "als Objekt"),
        metadata={
            "description": "vorname, nachname, geburtsdatum, wohnort_gemeinde, geschlecht?, "
            "anschrift?, sorgeberechtigte?. A Jugendamt's own report (a case a Jugendamt opens itself) "
            "may list in unbekannt? any of vorname, nachname, geburtsdatum instead of giving them; an "
            "unknown geburtsdatum needs alter_geschaetzt (approximate age in years, 0-17), which is "
            "never turned into a birth date (nor a birth month of the statistics)."
        },
    )
    jugendamt = fields.String(
        error_messages={"invalid": "Geben Sie den Schlüssel des Jugendamts als Text an."},
        metadata={"description": "explicit Jugendamt key (overrides routing; audited)"},
    )
    organisation = fields.String(
        error_messages={"invalid": "Geben Sie den Schlüssel der Organisation als Text an."},
        metadata={"description": "only needed when the caller belongs to several"},
    )


class HouseholdCreateRequest(_Request):
    """Several children of one household in a Jugendamt's own report: one linked case per child,
    opened all or nothing (engine/cases/household.py)."""

    process = fields.String(
        required=True,
        error_messages=_asks("den Schlüssel des Prozesses", "als Text"),
        metadata={"description": "process key, e.g. jugendamt_8a"},
    )
    haushalt = fields.Dict(
        required=True,
        error_messages=_asks("die Angaben zum Haushalt", "als Objekt"),
        metadata={
            "description": "what the children share, entered once: wohnort_gemeinde, anschrift?, sorgeberechtigte?"
        },
    )
    kinder = fields.List(
        fields.Raw(),
        required=True,
        error_messages=_asks("die Kinder", "als Liste"),
        metadata={
            "description": "1 to 10 children: vorname, nachname, geburtsdatum, geschlecht?, unbekannt?, "
            "alter_geschaetzt? (as child of POST /api/v1/cases, without the household's fields); errors of "
            "a child are keyed kinder.<n>.<field> (n from 0), those of the household by the field's name",
        },
    )
    eingang = fields.Dict(
        error_messages={"invalid": "Geben Sie den Eingang als Objekt an."},
        metadata={
            "description": "optional: the values of the first step of every case (jugendamt_8a: "
            "eingang_erfassen — when and how the report came, from whom or anonymously), completed in each "
            "case by the caller; errors keyed eingang.<field>",
        },
    )
    jugendamt = fields.String(
        error_messages={"invalid": "Geben Sie den Schlüssel des Jugendamts als Text an."},
        metadata={"description": "explicit Jugendamt key (overrides routing; audited)"},
    )
    organisation = fields.String(
        error_messages={"invalid": "Geben Sie den Schlüssel der Organisation als Text an."},
        metadata={"description": "only needed when the caller belongs to several"},
    )


def load_request(schema: Schema, body: Any) -> dict[str, Any]:
    try:
        data: dict[str, Any] = schema.load(body)
    except ValidationError as exc:
        raise ValidationFailed(
            {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages_dict.items()}
        ) from None
    return data


@always_present("key", "name")
class OrgRef(Schema):
    key = fields.String()
    name = fields.String()


@always_present("key", "version", "title")
class ProcessRef(Schema):
    key = fields.String()
    version = fields.Integer()
    title = fields.String()


_URGENCY = {"description": "lists: akut (Sofortmeldung, before the triage), then the Ampel rot / gelb / gruen"}
_CHILD_NAME = {"description": "lists: the child's name and age, own organisation only, never for the insofa"}


@always_present(
    "id",
    "case_id",
    "case_reference",
    "pseudonym",
    "task",
    "title",
    "lane",
    "due_at",
    "overdue",
    "may_complete",
    "refusal",
)
class TaskSummary(Schema):
    id = fields.String()
    case_id = fields.Integer()
    case_reference = fields.String()
    pseudonym = fields.String()
    task = fields.String(metadata={"description": "BPMN task id of procedures.md"})
    title = fields.String()
    lane = fields.String()
    due_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    overdue = fields.Boolean()
    may_complete = fields.Boolean()
    refusal = fields.String(allow_none=True, metadata={"description": "why the caller may not complete it (German)"})
    urgency = fields.String(allow_none=True, metadata=_URGENCY)
    child_name = fields.String(metadata=_CHILD_NAME)
    alter_jahre = fields.Integer(metadata=_CHILD_NAME)


@always_present("task", "title", "completed_by", "completed_by_name", "completed_at")
class HistoryEntry(Schema):
    task = fields.String()
    title = fields.String()
    completed_by = fields.String(metadata={"description": "username, or system"})
    completed_by_name = fields.String(allow_none=True, metadata={"description": "display name; null: the system"})
    completed_at = fields.String(metadata={"format": "date-time"})


@always_present("case_id", "reference", "relation")
class CaseLinkEntry(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    relation = fields.String()


@always_present("name", "received_at", "from_reference", "payload")
class ReceivedMessage(Schema):
    name = fields.String()
    received_at = fields.String(metadata={"format": "date-time"})
    from_reference = fields.String()
    payload = fields.Dict()


@always_present("id", "case_id", "reference", "opened_at", "closed_at", "status", "match", "state")
class EarlierCase(Schema):
    id = fields.Integer(metadata={"description": "the match; decide it with POST …/fruehere-faelle/{id}"})
    case_id = fields.Integer()
    reference = fields.String()
    opened_at = fields.String(metadata={"format": "date-time"})
    closed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    status = fields.String()
    match = fields.String(
        metadata={"description": "voll: first name, surname and birth date; nachname: a surname and the birth date"}
    )
    state = fields.String(metadata={"description": "offen, bestaetigt (the cases are linked) or verworfen"})


class MatchDecision(Schema):
    decision = fields.String(required=True, metadata={"enum": ["bestaetigt", "verworfen"]})


class TransferRequest(Schema):
    """The hand-over to another Jugendamt (R37, § 8a Abs. 6 SGB VIII)."""

    jugendamt = fields.String(required=True, metadata={"description": "the receiving Jugendamt's directory key"})
    anlass = fields.String(required=True, metadata={"enum": ["umzug", "andere_zustaendigkeit"]})
    uebergabevermerk = fields.String(
        required=True, metadata={"description": "what the new Jugendamt needs for its risk assessment"}
    )


@always_present("case_id", "reference", "status", "to_jugendamt", "to_jugendamt_name", "new_reference")
class TransferResult(Schema):
    """The sender's side after the hand-over: its case closed; the receiving case's reference only
    (the sender cannot open it)."""

    case_id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    to_jugendamt = fields.String()
    to_jugendamt_name = fields.String()
    new_reference = fields.String()


@always_present(
    "id",
    "reference",
    "status",
    "process",
    "organisation",
    "jugendamt",
    "pseudonym",
    "opened_at",
    "closed_at",
    "open_tasks",
    "responsible",
    "responsible_name",
    "history",
    "links",
)
class CaseView(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    process = fields.Nested(ProcessRef)
    organisation = fields.Nested(OrgRef)
    jugendamt = fields.Nested(OrgRef)
    pseudonym = fields.String()
    opened_at = fields.String(metadata={"format": "date-time"})
    closed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    notfallzugriff_bis = fields.String(
        allow_none=True,
        metadata={"format": "date-time", "description": "read under a break-glass access (R35): until when"},
    )
    child = fields.Dict(metadata={"description": "omitted for the insoweit erfahrene Fachkraft"})
    alter_jahre = fields.Integer()
    shredded = fields.Boolean(metadata={"description": "true once the case's content was crypto-shredded"})
    responsible = fields.String(allow_none=True, metadata={"description": "username of who took the case over"})
    responsible_name = fields.String(allow_none=True, metadata={"description": "display name of who took it over"})
    ampel = fields.Dict(allow_none=True, metadata={"description": "Jugendamt triage: dringlichkeit, bestaetigt"})
    open_tasks = fields.List(fields.Nested(TaskSummary))
    history = fields.List(fields.Nested(HistoryEntry))
    links = fields.List(fields.Nested(CaseLinkEntry))
    messages = fields.List(fields.Nested(ReceivedMessage), metadata={"description": "messages filed to this case"})
    fruehere_faelle = fields.List(
        fields.Nested(EarlierCase),
        metadata={"description": "earlier cases of the organisation on the same child (not for the insofa)"},
    )
    beratung = fields.Nested(
        "ConsultationFacts", metadata={"description": "only for the insoweit erfahrene Fachkraft (R09)"}
    )


@always_present("cases")
class HouseholdResult(Schema):
    """The cases of a household, in the order of `kinder`, each linked to the others as gleicher_haushalt."""

    cases = fields.List(fields.Nested(CaseView))


@always_present(
    "id",
    "reference",
    "status",
    "pseudonym",
    "opened_at",
    "organisation",
    "jugendamt",
    "urgency",
    "current_task",
    "current_task_title",
    "due_at",
    "overdue",
    "responsible_name",
    "fruehere_offen",
)
class CaseSummary(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    pseudonym = fields.String()
    opened_at = fields.String(metadata={"format": "date-time"})
    organisation = fields.Nested(OrgRef)
    jugendamt = fields.Nested(OrgRef)
    urgency = fields.String(allow_none=True, metadata=_URGENCY)
    current_task = fields.String(allow_none=True, metadata={"description": "BPMN task id of the current step"})
    current_task_title = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True, metadata={"format": "date-time", "description": "earliest open step"})
    overdue = fields.Boolean()
    responsible_name = fields.String(allow_none=True, metadata={"description": "own organisation only"})
    child_name = fields.String(metadata=_CHILD_NAME)
    alter_jahre = fields.Integer(metadata=_CHILD_NAME)
    fruehere_offen = fields.Integer(
        metadata={"description": "earlier cases on the same child not yet confirmed or rejected (0 for the insofa)"}
    )


@always_present("value", "label")
class OptionSchema(Schema):
    value = fields.String()
    label = fields.String()
    label_en = fields.String(metadata={"description": "the label in English, if the bundle gives one"})


@always_present("name", "label", "type", "required")
class FormFieldSchema(Schema):
    name = fields.String()
    label = fields.String()
    type = fields.String()
    required = fields.Boolean()
    required_if = fields.Dict()
    options = fields.List(fields.Nested(OptionSchema))
    help = fields.String()
    rechtsgrundlage = fields.String(metadata={"description": "the field's legal basis (the UI shows it on request)"})
    label_en = fields.String(metadata={"description": "English texts, where the bundle gives them"})
    help_en = fields.String()
    rechtsgrundlage_en = fields.String()
    zweck = fields.String(metadata={"description": "what the data item is collected for (R31; shown on request)"})
    zweck_en = fields.String()
    nicht_in_zukunft = fields.Boolean(
        metadata={"description": "date/datetime: a value after the server's now is refused (422)"}
    )
    ohne_personendaten = fields.Boolean(
        metadata={
            "description": "text/textarea: a value with the child's or a Sorgeberechtigter's name, street or"
            " birth date is refused (422)"
        }
    )
    min_items = fields.Integer()
    max_items = fields.Integer(metadata={"description": "for type list or kinder: more items are refused (422)"})
    max_length = fields.Integer(metadata={"description": "text, textarea, user: longer values are refused (422)"})
    item_fields = fields.List(
        fields.Nested(lambda: FormFieldSchema()),
        data_key="fields",
        attribute="fields",
        metadata={
            "description": "for type list: the fields of each item; kinder: the child's fields of a case opening"
            " (completing the step opens one linked case per entry); object: the fields of an entry's address"
        },
    )


@always_present("title", "description", "form_fields")
class FormSchema(Schema):
    title = fields.String()
    description = fields.String()
    title_en = fields.String(metadata={"description": "English texts, where the bundle gives them"})
    description_en = fields.String()
    form_fields = fields.List(fields.Nested(FormFieldSchema), data_key="fields", attribute="fields")


@always_present("label", "value", "display")
class FileValueSchema(Schema):
    label = fields.String(metadata={"description": "the form's label of the field"})
    value = fields.Raw(metadata={"description": "the stored value"})
    display = fields.String(metadata={"description": "the value as people read it (option titles, German dates)"})


@always_present("name", "organisation")
class FilePerson(Schema):
    name = fields.String(allow_none=True, attribute="by_name", metadata={"description": "display name"})
    organisation = fields.String(allow_none=True, attribute="by_organisation")


@always_present("kind", "ref", "task", "title", "by", "at", "values", "withheld")
class FileEntrySchema(Schema):
    kind = fields.String(metadata={"description": "schritt, nachricht or frist"})
    ref = fields.String(metadata={"description": "stable id of the entry"})
    task = fields.String(metadata={"description": "task id (or message name) of procedures.md"})
    title = fields.String()
    by = fields.Function(lambda entry: FilePerson().dump(entry), metadata={"description": "who documented it"})
    at = fields.DateTime(metadata={"description": "when (ISO 8601 with offset)"})
    values = fields.Dict(keys=fields.String(), values=fields.Nested(FileValueSchema))
    withheld = fields.List(fields.String(), metadata={"description": "fields the caller may not see (names only)"})


@always_present("case_id", "reference", "relation", "organisation", "may_open")
class FileLinkSchema(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    relation = fields.String()
    organisation = fields.String()
    may_open = fields.Boolean(metadata={"description": "false: the case belongs to another organisation"})


@always_present("id", "reference", "status", "process", "organisation", "jugendamt", "pseudonym", "shredded")
class FileCase(Schema):
    id = fields.Integer(attribute="case_id")
    reference = fields.String()
    status = fields.String()
    process = fields.Function(lambda f: {"key": f.process_key, "title": f.process_title})
    organisation = fields.String()
    jugendamt = fields.String()
    pseudonym = fields.String()
    shredded = fields.Boolean()


@always_present("case", "entries", "links")
class CaseFileSchema(Schema):
    case = fields.Function(lambda f: FileCase().dump(f))
    entries = fields.List(fields.Nested(FileEntrySchema))
    links = fields.List(fields.Nested(FileLinkSchema))


@always_present("alter_jahre", "geschlecht", "einrichtung")
class ConsultationFacts(Schema):
    """What the advising insofa learns about the child besides the texts declared for her (R09)."""

    alter_jahre = fields.Integer(allow_none=True)
    geschlecht = fields.String(allow_none=True, metadata={"description": "the gender's German label"})
    einrichtung = fields.String(metadata={"description": "the organisation asking for advice"})


@always_present("form", "data", "basis", "bestaetigt", "grundlage_sha256", "grundlage_gewaehlt", "beratung")
class TaskView(TaskSummary):
    form = fields.Nested(FormSchema)
    data = fields.Dict()
    basis = fields.List(fields.Dict(), metadata={"description": "the case-file entries this step rests on"})
    bestaetigt = fields.List(fields.String(), metadata={"description": "refs of the entries a confirmation confirms"})
    grundlage_sha256 = fields.String(
        allow_none=True,
        metadata={"description": "a confirmation's digest of what it shows: send it back to complete (409 if stale)"},
    )
    grundlage_gewaehlt = fields.Boolean(
        metadata={"description": "the version chose the entries in `basis` for this step (else: all readable ones)"}
    )
    beratung = fields.Nested(
        ConsultationFacts,
        allow_none=True,
        metadata={"description": "for the insoweit erfahrene Fachkraft only: age, gender, asking organisation"},
    )


@always_present("key", "version", "title", "sha256", "deployed_at")
class ProcessInfo(Schema):
    key = fields.String()
    version = fields.Integer()
    title = fields.String()
    sha256 = fields.String()
    deployed_at = fields.String(metadata={"format": "date-time"})


@always_present("type", "title", "status", "detail")
class Problem(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


@always_present("seq", "time", "type", "actor", "organisation", "case", "payload", "shredded")
class AuditEvent(Schema):
    seq = fields.Integer()
    time = fields.String(metadata={"format": "date-time"})
    type = fields.String()
    actor = fields.String()
    organisation = fields.String(allow_none=True)
    case = fields.String(allow_none=True)
    payload = fields.Dict(allow_none=True, metadata={"description": "null once the case was shredded"})
    shredded = fields.Boolean()


@always_present("ok", "checked", "first_bad_seq")
class VerifyResult(Schema):
    ok = fields.Boolean()
    checked = fields.Integer()
    first_bad_seq = fields.Integer(allow_none=True)


@always_present("abschluss_monat", "abschluss_jahr", "merkmale")
class StatisticsRecord(Schema):
    abschluss_monat = fields.Integer()
    abschluss_jahr = fields.Integer()
    merkmale = fields.Dict(
        attribute="items",
        metadata={"description": "the § 99 Abs. 6 items by name, in the order of the legal list"},
    )


@always_present("case_id", "reference", "item", "text")
class StatisticsProblem(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    item = fields.String(allow_none=True, metadata={"description": "the item to fix; null: the whole record"})
    text = fields.String()


@always_present("am", "von", "sha256")
class StatisticsLock(Schema):
    am = fields.DateTime(attribute="locked_at")
    von = fields.String(attribute="locked_by", metadata={"description": "who locked it (display name)"})
    sha256 = fields.String(metadata={"description": "SHA-256 of the locked year's CSV (also in the audit trail)"})


@always_present(
    "jugendamt",
    "jahr",
    "datensaetze",
    "zu_korrigieren",
    "nicht_gezaehlt",
    "uebersicht",
    "abschluss",
    "nach_abschluss_geaendert",
)
class Statistics99(Schema):
    jugendamt = fields.String(attribute="jugendamt_key")
    jahr = fields.Integer(attribute="year")
    datensaetze = fields.List(fields.Nested(StatisticsRecord), attribute="records")
    zu_korrigieren = fields.List(fields.Nested(StatisticsProblem), attribute="problems")
    nicht_gezaehlt = fields.List(fields.Nested(StatisticsProblem), attribute="not_counted")
    uebersicht = fields.Dict(
        attribute="summary",
        metadata={"description": "counts by ergebnis, meldende_stelle and altersgruppe"},
    )
    abschluss = fields.Nested(
        StatisticsLock,
        attribute="lock",
        allow_none=True,
        metadata={"description": "null: not locked; set: the records are those locked then"},
    )
    nach_abschluss_geaendert = fields.List(
        fields.Nested(StatisticsProblem),
        attribute="changed_after_lock",
        metadata={"description": "a locked year: cases changed since the lock (not in the numbers)"},
    )


class StatisticsLockRequest(Schema):
    """The Leitung locks a past year of its Jugendamt (refused while a record needs fixing)."""

    jugendamt = fields.String(required=True, metadata={"description": "the Jugendamt's directory key"})
    jahr = fields.Integer(required=True)


class StatisticsUnlockRequest(StatisticsLockRequest):
    """A correction: the locked year is unlocked, with the reason (audited)."""

    grund = fields.String(required=True)
