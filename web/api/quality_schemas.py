"""marshmallow schemas of the LKSG § 8 quality review's API (web/api/views.py), apart from the
case schemas (`schemas`) they build on."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from web.api.schemas import CaseFileSchema, Schema, always_present


class QualitySampleRequest(Schema):
    """Draw an LKSG § 8 sample: give `anzahl` or `anteil`, not both; `seed` only to repeat a draw.
    Documentation of the body: the engine checks it (after checking who asks), field by field."""

    bereich = fields.String(required=True, metadata={"enum": ["jugendamt", "netzwerk"]})
    schluessel = fields.String(required=True, metadata={"description": "the Jugendamt's or the network's key"})
    von = fields.Date(required=True, metadata={"description": "first day of the period (closed cases)"})
    bis = fields.Date(required=True, metadata={"description": "last day of the period, at the latest today"})
    anzahl = fields.Integer(metadata={"minimum": 1, "maximum": 500})
    anteil = fields.Integer(metadata={"minimum": 1, "maximum": 100, "description": "per cent, rounded up"})
    pruefer = fields.String(required=True, metadata={"description": "username of a qualitaet account"})
    seed = fields.String(metadata={"description": "the seed of an earlier draw (digits)"})


@always_present("position", "pseudonym", "prozess", "abgeschlossen_am", "geprueft")
class QualitySampledCase(Schema):
    position = fields.Integer()
    pseudonym = fields.String()
    prozess = fields.String(attribute="process_title")
    abgeschlossen_am = fields.DateTime(attribute="closed_at", allow_none=True)
    geprueft = fields.Boolean(attribute="reviewed")


@always_present("id", "bereich", "schluessel_name", "von", "bis", "seed", "grundgesamtheit", "faelle")
class QualitySampleSchema(Schema):
    id = fields.Integer()
    bereich = fields.String(attribute="scope")
    schluessel_name = fields.String(attribute="scope_name")
    von = fields.Date(attribute="period_from")
    bis = fields.Date(attribute="period_to")
    seed = fields.String()
    grundgesamtheit = fields.Integer(attribute="population")
    grundgesamtheit_sha256 = fields.String(attribute="population_sha256")
    gezogen_am = fields.DateTime(attribute="drawn_at")
    pruefer = fields.String(attribute="reviewer")
    faelle = fields.List(fields.Nested(QualitySampledCase), attribute="cases")


@always_present("kriterium", "bezeichnung", "antworten")
class QualityCriterionResult(Schema):
    kriterium = fields.String(attribute="key")
    bezeichnung = fields.String(attribute="label")
    antworten = fields.Function(
        lambda c: [{"antwort": label, "anzahl": count} for label, count in c.counts],
        metadata={"description": "each answer of the form with how often it was given"},
    )


@always_present("stichprobe", "ergebnisse")
class QualityResults(Schema):
    stichprobe = fields.Nested(QualitySampleSchema, attribute="sample")
    ergebnisse = fields.List(fields.Nested(QualityCriterionResult), attribute="criteria")


@always_present("stichprobe", "position", "anzahl", "alter_jahre", "freitexte_freigegeben", "akte", "bewertung")
class QualityCase(Schema):
    """A sampled case for its reviewer: pseudonymised (no names, addresses, birth data, reporter)."""

    stichprobe = fields.Integer(attribute="sample_id")
    position = fields.Integer()
    anzahl = fields.Integer(attribute="total")
    alter_jahre = fields.Integer(attribute="age", allow_none=True)
    freitexte_freigegeben = fields.Boolean(attribute="texts_released")
    akte = fields.Function(lambda q: CaseFileSchema().dump(q.file))
    bewertung = fields.Function(
        lambda q: {"antworten": q.answers, "kommentare": q.comments},
        metadata={"description": "the stored review (empty before the first save)"},
    )


#: how the API names a count's state: shown, below 5, or hidden against differencing (R34)
CELL_STATES = {"shown": "gezeigt", "small": "unter_5", "protected": "geschuetzt"}


def _cell(cell: Any) -> dict[str, Any]:
    return {"anzahl": cell.value, "status": CELL_STATES[cell.state]}


CELL = {
    "description": "a count; `anzahl` is null unless `status` is `gezeigt` (R34: `unter_5`, `geschuetzt`)",
    "type": "object",
    "properties": {
        "anzahl": {"type": ["integer", "null"]},
        "status": {"type": "string", "enum": list(CELL_STATES.values())},
    },
}


@always_present("kriterium", "bezeichnung", "antworten", "zusammen")
class QualityPeriodCriterion(Schema):
    kriterium = fields.String(attribute="key")
    bezeichnung = fields.String(attribute="label")
    antworten = fields.Function(
        lambda c: [
            {"antwort": label, **_cell(c.tally.breakdown.cells[code])} for code, label in c.tally.labels.items()
        ],
        metadata={"description": "each answer of the form with how often it was given (anzahl, status)"},
    )
    zusammen = fields.Function(lambda c: _cell(c.tally.breakdown.total), metadata=CELL)


@always_present(
    "bereich", "schluessel", "name", "zeitraum", "unterdrueckt", "stichproben", "geprueft", "offen", "ergebnisse"
)
class QualityPeriodResults(Schema):
    """The results of a quarter or year across the samples of a Jugendamt (for its Leitung) or of a
    network (its Leitungen and reviewers): the sampled cases closed in the period. Samples the reader
    reads exactly anyway (drawn by its Jugendamt, reviewed by it) count exactly, small counts of the
    others are suppressed (R34)."""

    bereich = fields.Function(lambda r: r.area.scope, metadata={"enum": ["jugendamt", "netzwerk"]})
    schluessel = fields.Function(lambda r: r.area.key)
    name = fields.Function(lambda r: r.area.name)
    zeitraum = fields.Function(lambda r: r.period.name, metadata={"description": "JJJJ-Qn or JJJJ"})
    unterdrueckt = fields.Boolean(
        attribute="suppressed", metadata={"description": "some figures come from others' samples (R34)"}
    )
    stichproben = fields.Integer(attribute="samples")
    geprueft = fields.Function(lambda r: _cell(r.reviewed), metadata=CELL)
    offen = fields.Function(lambda r: _cell(r.pending), metadata=CELL)
    ergebnisse = fields.List(fields.Nested(QualityPeriodCriterion), attribute="criteria")
