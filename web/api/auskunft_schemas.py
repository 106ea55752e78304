"""marshmallow schemas of the subject-access answer (R38, POST /api/v1/auskunft, web/api/views.py)."""

from __future__ import annotations

from marshmallow import fields

from web.api.schemas import Schema, always_present


class AuskunftRequest(Schema):
    """The person asked about: a child (`vorname`, `nachname`, `geburtsdatum`) or a Sorgeberechtigter
    (`name`). Documentation of the body: the engine checks it (after checking who asks), field by field."""

    art = fields.String(required=True, metadata={"enum": ["kind", "sorgeberechtigter"]})
    vorname = fields.String(metadata={"description": "art kind: the child's first name(s)"})
    nachname = fields.String(metadata={"description": "art kind: the child's surname"})
    geburtsdatum = fields.String(metadata={"description": "art kind: 2020-05-17 or 17.05.2020"})
    name = fields.String(metadata={"description": "art sorgeberechtigter: the person's name"})


@always_present("quelle", "bezeichnung", "wert", "zweck", "zurueckgehalten")
class AuskunftItem(Schema):
    quelle = fields.String(attribute="source", metadata={"description": "the child's data or the step"})
    bezeichnung = fields.String(attribute="label")
    wert = fields.String(attribute="display")
    zweck = fields.String(allow_none=True, metadata={"description": "the purpose the form states (R31)"})
    erfasst_am = fields.DateTime(attribute="at", allow_none=True)
    zurueckgehalten = fields.Boolean(attribute="withheld", metadata={"description": "protected: value withheld"})


@always_present("was", "an", "am")
class AuskunftRecipient(Schema):
    was = fields.String(attribute="what")
    an = fields.String(attribute="to")
    am = fields.DateTime(attribute="at")


@always_present(
    "aktenzeichen",
    "verfahren",
    "jugendamt",
    "status",
    "eroeffnet_am",
    "abgeschlossen_am",
    "angaben",
    "empfaenger",
    "loeschung",
)
class AuskunftCase(Schema):
    aktenzeichen = fields.String(attribute="reference")
    verfahren = fields.String(attribute="process_title")
    jugendamt = fields.String()
    status = fields.String()
    eroeffnet_am = fields.DateTime(attribute="opened_at")
    abgeschlossen_am = fields.DateTime(attribute="closed_at", allow_none=True)
    angaben = fields.List(fields.Nested(AuskunftItem), attribute="items")
    empfaenger = fields.List(fields.Nested(AuskunftRecipient), attribute="recipients")
    loeschung = fields.String(attribute="retention", metadata={"description": "when the data will be deleted"})


@always_present("art", "person", "faelle", "erstellt_am", "erstellt_von")
class Auskunft(Schema):
    art = fields.String(attribute="kind")
    person = fields.String()
    faelle = fields.List(fields.Nested(AuskunftCase), attribute="cases")
    erstellt_am = fields.DateTime(attribute="created_at")
    erstellt_von = fields.String(attribute="created_by")
