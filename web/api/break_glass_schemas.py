"""marshmallow schemas of the break-glass API (R35, web/api/views.py), apart from the case schemas."""

from __future__ import annotations

from marshmallow import fields

from web.api.schemas import Schema, always_present


class BreakGlassRequest(Schema):
    """Ask for a break-glass access (the Bereitschaftsdienst of the case's Jugendamt only). Documentation
    of the body: the engine checks it after checking who asks."""

    aktenzeichen = fields.String(required=True, metadata={"description": "the case's reference, KS-JJJJ-NNNNNN"})
    grund = fields.String(
        required=True, metadata={"description": "why the case must be read now, a sentence (20–1000 characters)"}
    )
    stunden = fields.Integer(
        metadata={"minimum": 1, "description": "hours, at most the installation's maximum (default: that maximum)"}
    )


class BreakGlassReviewRequest(Schema):
    kommentar = fields.String(required=True, metadata={"description": "what the review found, a sentence"})


@always_present("id", "case_id", "reference", "bis")
class BreakGlassGrantSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer(metadata={"description": "read it with GET /api/v1/cases/{case_id} until `bis`"})
    reference = fields.String()
    bis = fields.DateTime(attribute="expires_at")


@always_present("id", "case_id", "reference", "jugendamt", "person", "von", "bis", "grund", "laeuft", "geprueft_am")
class BreakGlassEntrySchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    reference = fields.String()
    jugendamt = fields.String()
    person = fields.String(attribute="user_name", metadata={"description": "who used the access"})
    von = fields.DateTime(attribute="granted_at")
    bis = fields.DateTime(attribute="expires_at")
    grund = fields.String(attribute="reason", allow_none=True, metadata={"description": "null once shredded"})
    laeuft = fields.Boolean(attribute="running")
    geprueft_am = fields.DateTime(attribute="reviewed_at", allow_none=True)
    geprueft_von = fields.String(attribute="reviewer_name", allow_none=True)
    kommentar = fields.String(attribute="comment", allow_none=True)
    pruefbar = fields.Boolean(attribute="may_review", metadata={"description": "the caller may mark it reviewed now"})
