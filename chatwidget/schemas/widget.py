"""Wire formats of the routes the widget adds to the customer channel (CONTRACT §6)."""

from marshmallow import Schema, fields, validate

from chatwidget.schemas.common import CaseInsensitiveSchema, SafeString

# Longer than any MAX_MESSAGE_CHARS an operator would set; the core checks the setting.
_TEXT_CAP = 100_000


class AvailabilityQuerySchema(CaseInsensitiveSchema):
    """The queue asked about, by name (as init's subject)."""

    subject = SafeString(100, metadata={"description": "Queue name; unknown: DEFAULT_QUEUE"})


class AvailabilitySchema(Schema):
    """Whether an agent can answer now, and how many wait."""

    available = fields.Boolean(
        required=True,
        metadata={
            "description": "An agent with the queue's skill is available with spare "
            "capacity (connected, or back within its grace period)"
        },
    )
    waiting = fields.Integer(
        required=True, metadata={"description": "Conversations waiting in the queue"}
    )


class RatingRequestSchema(CaseInsensitiveSchema):
    """The customer's rating of an ended conversation."""

    participantId = SafeString(
        255, required=True, metadata={"description": "The customer's participant id from init"}
    )
    rating = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5))
    comment = SafeString(2000, allow_none=True)


class RatingSchema(Schema):
    """The rating as stored."""

    conversationId = fields.String(required=True)
    rating = fields.Integer(required=True)
    comment = fields.String(allow_none=True)


class OfflineRequestSchema(CaseInsensitiveSchema):
    """A message left through the widget when nobody can answer."""

    name = SafeString(200, allow_none=True)
    email = fields.Email(required=True, validate=validate.Length(max=255))
    text = SafeString(
        _TEXT_CAP, required=True, metadata={"description": "At most MAX_MESSAGE_CHARS"}
    )
    subject = SafeString(100, allow_none=True, metadata={"description": "Queue name"})


class OfflineResponseSchema(Schema):
    """The conversation (state `offline`) that holds the message."""

    conversationId = fields.String(required=True)


class EndUserConversationsQuerySchema(CaseInsensitiveSchema):
    """How many conversations to list."""

    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class EndUserConversationSchema(Schema):
    """One of an identified visitor's conversations, and the pair that resumes it."""

    conversationId = fields.String(required=True)
    participantId = fields.String(
        required=True, metadata={"description": "The customer's participant id: join, transcript"}
    )
    state = fields.String(required=True)
    subject = fields.String(required=True, metadata={"description": "Its queue"})
    createdAt = fields.String(required=True)
    endedAt = fields.String(allow_none=True)
    rating = fields.Integer(allow_none=True)
    lastMessage = fields.String(
        allow_none=True, metadata={"description": "The start of the last message the customer saw"}
    )


class EndUserConversationsSchema(Schema):
    """An identified visitor's conversations, newest first."""

    conversations = fields.List(fields.Nested(EndUserConversationSchema), required=True)
