"""Wire formats of the chat-capture API (seed 000: PascalCase, read in any case)."""

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from marshmallow.types import StrSequenceOrSet, UnknownOption

from chatwidget.schemas.common import CaseInsensitiveSchema, JsonObject, UtcDateTime
from chatwidget.schemas.quick_chat import quick_chat

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
    Type = fields.String(required=True, validate=_text)  # free text (CONTRACT §2)
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
    def _start_before_end(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        start, end = data.get("UtcStart"), data.get("UtcEnd")
        if start and end and start > end:
            raise ValidationError("UtcEnd is before UtcStart.", "UtcEnd")

    def load(
        self,
        data: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        many: bool | None = None,
        partial: bool | StrSequenceOrSet | None = None,
        unknown: UnknownOption | None = None,
    ) -> Any:  # as Schema.load's: the loaded dict, or a list of them
        """As Schema.load; a valid chat in the usual shape takes a faster road.

        Ingest loads thousands of chats a second, and marshmallow spends ~1 ms on one
        of 20 messages. quick_chat gives the very same result for the chats it takes
        and declines (None) everything else, so that every error still comes from the
        declared fields above, worded and nested as marshmallow words and nests them.
        """
        plain = (
            type(self) is ChatCallSchema
            and not (many or self.many or partial or self.partial)
            and unknown in (None, EXCLUDE)
            and self.only is None
            and not self.exclude
        )
        if plain:
            chat = quick_chat(data)
            if chat is not None:
                return chat
        return super().load(data, many=many, partial=partial, unknown=unknown)


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
    def _one_of(self, data: Mapping[str, Any], **kwargs: Any) -> None:
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
