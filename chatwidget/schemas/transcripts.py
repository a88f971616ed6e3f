"""Query of the transcript routes (customer channel, seed 002's "Request Transcript")."""

from marshmallow import fields, validate

from chatwidget.schemas.common import CaseInsensitiveSchema

_short = validate.Length(max=2000)


class TranscriptQuerySchema(CaseInsensitiveSchema):
    """Who asks: the customer's participant id, or a signed link's token.

    Agents (console session, or `Authorization: Bearer <agent token>`) and `admin` API
    users (bearer from /Token) need neither.
    """

    participantId = fields.String(
        validate=_short, metadata={"description": "The customer's participant id from init"}
    )
    token = fields.String(
        validate=_short,
        metadata={"description": "The token of a signed transcript link (X-Transcript-Url)"},
    )
