"""Wire formats of the chat-capture API (seed 000: PascalCase, read in any case)."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chatwidget.schemas.common import CaseInsensitiveSchema, JsonObject, UtcDateTime

_text = validate.Length(min=1, max=255)


class ChatMessageSchema(CaseInsensitiveSchema):
    """One message of a contact."""

    Content = fields.String(required=True, validate=validate.Length(min=1))
    UtcTimestamp = UtcDateTime(required=True)


class ChatContactSchema(CaseInsensitiveSchema):
    """A participant of the chat and what it wrote."""

    ReferenceId = fields.String(allow_none=True)
    FirstName = fields.String(allow_none=True)
    LastName = fields.String(allow_none=True)
    Email = fields.String(allow_none=True)
    Phone = fields.String(allow_none=True)
    PhoneNumber = fields.String(allow_none=True)
    Type = fields.String(required=True, validate=validate.Length(min=1, max=32))
    Messages = fields.List(fields.Nested(ChatMessageSchema), allow_none=True)


class ChatCallSchema(CaseInsensitiveSchema):
    """A finished chat, as Creovai/Tethr's ChatCall model."""

    SessionId = fields.String(required=True, validate=_text)
    MasterCallId = fields.String(allow_none=True, validate=validate.Length(max=255))
    UtcStart = UtcDateTime(required=True)
    UtcEnd = UtcDateTime(required=True)
    Contacts = fields.List(fields.Nested(ChatContactSchema), allow_none=True)
    Metadata = JsonObject(allow_none=True)

    @validates_schema
    def _start_before_end(self, data, **kwargs):
        start, end = data.get("UtcStart"), data.get("UtcEnd")
        if start and end and start > end:
            raise ValidationError("UtcEnd is before UtcStart.", "UtcEnd")


class CallIdSchema(Schema):
    """The id the server gave the chat."""

    callId = fields.String(required=True)


class StatusRequestSchema(CaseInsensitiveSchema):
    """Session ids to look up."""

    CallSessionIds = fields.List(
        fields.String(validate=_text), required=True, validate=validate.Length(min=1, max=1000)
    )


class CallSessionSchema(Schema):
    """Where one session stands."""

    callId = fields.String(allow_none=True)
    sessionId = fields.String()
    status = fields.String(metadata={"enum": ["Complete", "InProgress", "NotFound"]})
    durationSec = fields.Integer(allow_none=True)


class StatusResponseSchema(Schema):
    """Status of each session asked for, in the order asked."""

    callSessions = fields.List(fields.Nested(CallSessionSchema))


class OutOfBandEventSchema(CaseInsensitiveSchema):
    """Late metadata for one session."""

    SessionId = fields.String(required=True, validate=_text)
    EventTime = UtcDateTime(load_default=None)
    Metadata = JsonObject(required=True)


class MasterCallEventSchema(CaseInsensitiveSchema):
    """Late metadata for every call of a master call."""

    masterCallId = fields.String(required=True, validate=_text)
    eventTime = UtcDateTime(load_default=None)
    metadata = JsonObject(required=True)


class PurgeIdsSchema(CaseInsensitiveSchema):
    """Up to 100 ids to purge."""

    ids = fields.List(
        fields.String(validate=_text), required=True, validate=validate.Length(min=1, max=100)
    )


class PurgeCustomerSchema(CaseInsensitiveSchema):
    """A customer to purge every call of, by phone number or e-mail."""

    phoneNumber = fields.String(validate=_text)
    email = fields.String(validate=_text)

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not data.get("phoneNumber") and not data.get("email"):
            raise ValidationError("Give phoneNumber or email.", "email")


class WhatIfSchema(CaseInsensitiveSchema):
    """whatIf=true lists what would be purged and deletes nothing."""

    whatIf = fields.Boolean(load_default=False)


class PurgeItemSchema(Schema):
    """What happened to one id."""

    callId = fields.String(allow_none=True)
    sessionId = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["Purging", "NotFound", "Error", "WhatIf"]})
    errorMsg = fields.String(allow_none=True)


class PurgeResponseSchema(Schema):
    """One item per id asked for, or per call found."""

    items = fields.List(fields.Nested(PurgeItemSchema))


class ShareRequestSchema(CaseInsensitiveSchema):
    """Who a read-only link to a call is for."""

    callId = fields.String(required=True, validate=_text)
    email = fields.Email(required=True)


class ShareResponseSchema(Schema):
    """A read-only link and when it stops working."""

    callUrl = fields.String()
    expiration = fields.String(metadata={"description": "ISO 8601 UTC"})
