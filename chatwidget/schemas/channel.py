"""Wire formats of the customer channel (seed 002: camelCase, read in any case)."""

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from chatwidget.core.conversations import CHANNELS
from chatwidget.schemas.common import CaseInsensitiveSchema, SafeString

_short = validate.Length(max=255)


class InitRequestSchema(CaseInsensitiveSchema):
    """A customer asks for a chat: who they are and where they write from."""

    firstName = fields.String(validate=validate.Length(max=100), allow_none=True)
    lastName = fields.String(validate=validate.Length(max=100), allow_none=True)
    email = fields.Email(allow_none=True)
    phone = fields.String(validate=validate.Length(max=64), allow_none=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    language = fields.String(validate=validate.Length(max=35), allow_none=True)
    refId = fields.String(validate=_short, allow_none=True)
    url = fields.String(validate=validate.Length(max=2000), allow_none=True)
    comment = fields.String(validate=validate.Length(max=2000), allow_none=True)
    subject = fields.String(validate=validate.Length(max=100), allow_none=True)
    requestId = fields.String(validate=_short, allow_none=True)
    timestamp = fields.String(validate=_short, allow_none=True)
    # Lenient on purpose: a name this machine's tz database lacks must not refuse a chat.
    timeZone = fields.String(
        validate=validate.Length(max=64),
        allow_none=True,
        metadata={"description": "IANA time zone (Europe/Rome) of transcript times; else UTC"},
    )
    # Identity (CONTRACT §6): the conversation then belongs to that end user.
    identityToken = SafeString(
        4000,
        allow_none=True,
        metadata={"description": "JWT, HS256 with COMPANY_SECRET: sub, exp required"},
    )
    identifier = SafeString(255, allow_none=True)
    identifierHash = SafeString(
        128,
        allow_none=True,
        metadata={"description": "hex HMAC-SHA256(COMPANY_SECRET, identifier)"},
    )

    @pre_load
    def _seed_spelling(self, data: object, **kwargs: Any) -> object:
        """The seed writes `reqestId`; take it as `requestId`. An empty optional field
        (a form's blank `Email`) counts as absent."""
        if isinstance(data, dict):
            for key in list(data):
                if str(key).lower() == "reqestid" and "requestId" not in data:
                    data = {**data, "requestId": data[key]}
            data = {
                k: (None if v == "" and str(k).lower() != "channel" else v) for k, v in data.items()
            }
        return data

    @validates_schema
    def _one_identifier(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        keys = ("refId", "phone", "email", "identityToken", "identifier", "identifierHash")
        if not any(data.get(k) for k in keys):
            raise ValidationError(
                "Give at least one of refId, phone, email (or an identity).", "refId"
            )


class ParticipantSchema(Schema):
    """A participant: its id and display name."""

    id = fields.String()
    name = fields.String()


class InitResponseSchema(Schema):
    """The conversation to join and the participant to join it as."""

    conversationId = fields.String()
    participant = fields.Nested(ParticipantSchema)
    requestId = fields.String(allow_none=True)
    timestamp = fields.String()


class AgentLoginSchema(CaseInsensitiveSchema):
    """An agent's e-mail and password."""

    email = fields.String(required=True, validate=validate.Length(min=1, max=255))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class AgentTokenSchema(Schema):
    """A token for the /agent namespace and agent REST calls."""

    token = fields.String()
    expiresIn = fields.Integer()


class ConnectorMessageSchema(CaseInsensitiveSchema):
    """An outbound message for a channel's connector to deliver to refId."""

    refId = fields.String(required=True, validate=validate.Length(min=1, max=255))
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class ConnectorMessageSentSchema(Schema):
    """The relayed message: its id, channel, refId and timestamp."""

    id = fields.String()
    channel = fields.String()
    refId = fields.String()
    timestamp = fields.String()
