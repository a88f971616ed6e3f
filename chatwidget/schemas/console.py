"""Wire formats of the console's API (/api/console/*): camelCase, times in UTC with Z."""

from marshmallow import Schema, fields, validate

from chatwidget.schemas.chat_customer import CustomerFlagsSchema
from chatwidget.schemas.common import CaseInsensitiveSchema, SafeString

_TEXT_CAP = 100_000  # longer than any MAX_MESSAGE_CHARS; the core checks the setting


class QueueRefSchema(Schema):
    """A queue by id and name."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MeSchema(Schema):
    """The signed-in agent."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    isAdmin = fields.Boolean(required=True)
    status = fields.String(required=True, metadata={"enum": ["available", "away", "offline"]})
    maxChats = fields.Integer(required=True)
    skills = fields.List(fields.Nested(QueueRefSchema), required=True)


class QueuesSchema(Schema):
    """Every queue: the targets of a transfer."""

    queues = fields.List(fields.Nested(QueueRefSchema), required=True)


class TeamAgentSchema(Schema):
    """Another agent, as a transfer target."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    activeChats = fields.Integer(required=True)
    maxChats = fields.Integer(required=True)
    skills = fields.List(fields.String(), required=True, metadata={"description": "Queue names"})


class TeamSchema(Schema):
    """The other active agents."""

    agents = fields.List(fields.Nested(TeamAgentSchema), required=True)


class EndUserSchema(Schema):
    """The identified end user a conversation belongs to."""

    identifier = fields.String(required=True, allow_none=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class EarlierSchema(Schema):
    """One of the customer's other conversations."""

    conversationId = fields.String(required=True)
    chatId = fields.Integer(required=True)
    state = fields.String(required=True)
    createdAt = fields.String(required=True)
    endedAt = fields.String(allow_none=True)
    rating = fields.Integer(allow_none=True)
    preview = fields.String(
        allow_none=True, metadata={"description": "The start of its first message (no whisper)"}
    )


class CustomFieldSchema(Schema):
    """A custom data field the chats API gave (shown as `label: value`)."""

    name = fields.String(required=True)
    label = fields.String(allow_none=True)
    value = fields.Raw(
        required=True,
        metadata={"oneOf": [{"type": t} for t in ("string", "number", "boolean")]},
    )


class CustomerPanelSchema(Schema):
    """Who the customer is, what they rated, their earlier conversations."""

    conversationId = fields.String(required=True)
    chatId = fields.Integer(required=True, metadata={"description": "The integer id"})
    state = fields.String(required=True)
    channel = fields.String(required=True)
    queue = fields.String(required=True, metadata={"description": "The queue's name"})
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    refId = fields.String(allow_none=True)
    url = fields.String(allow_none=True, metadata={"description": "Page URL given at init"})
    createdAt = fields.String(required=True)
    endedAt = fields.String(allow_none=True)
    rating = fields.Integer(allow_none=True)
    ratingComment = fields.String(allow_none=True)
    endUser = fields.Nested(EndUserSchema, allow_none=True)
    earlier = fields.List(
        fields.Nested(EarlierSchema),
        required=True,
        metadata={"description": "Same e-mail or end user, newest first, at most 20"},
    )
    customData = fields.List(
        fields.Nested(CustomFieldSchema),
        required=True,
        metadata={"description": "Given through the chats API's custom_data, in order"},
    )
    customerFlags = fields.Nested(CustomerFlagsSchema, required=True)
    chatContext = fields.Dict(
        allow_none=True, metadata={"description": "The context the chat was created with"}
    )
    deflectionChannel = fields.String(
        allow_none=True, metadata={"description": "Chosen in the chat's latest escalation"}
    )


class CannedSchema(Schema):
    """A canned response."""

    id = fields.Integer(required=True)
    shortcut = fields.String(required=True)
    text = fields.String(required=True)


class CannedListSchema(Schema):
    """Every canned response, by shortcut."""

    canned = fields.List(fields.Nested(CannedSchema), required=True)


_SHORTCUT = {"description": "1-40 characters of a-z, 0-9, _ and - (lower-cased)"}


class CannedCreateSchema(CaseInsensitiveSchema):
    """A new canned response."""

    shortcut = SafeString(100, required=True, metadata=_SHORTCUT)
    text = SafeString(_TEXT_CAP, required=True, metadata={"description": "MAX_MESSAGE_CHARS"})


class CannedUpdateSchema(CaseInsensitiveSchema):
    """What changes: the shortcut, the text or both."""

    shortcut = SafeString(100, metadata=_SHORTCUT)
    text = SafeString(_TEXT_CAP)


class OfflineQuerySchema(CaseInsensitiveSchema):
    """Which offline messages."""

    status = fields.String(load_default="open", validate=validate.OneOf(["open", "done"]))


class ReplySchema(Schema):
    """A reply sent to an offline message."""

    text = fields.String(required=True)
    at = fields.String(required=True)
    agent = fields.String(required=True, metadata={"description": "The agent's name"})


class OfflineItemSchema(Schema):
    """An offline message and the replies it got."""

    conversationId = fields.String(required=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    text = fields.String(required=True)
    queue = fields.String(required=True, metadata={"description": "The queue's name"})
    createdAt = fields.String(required=True)
    doneAt = fields.String(allow_none=True)
    replies = fields.List(fields.Nested(ReplySchema), required=True)


class OfflineListSchema(Schema):
    """Offline messages, oldest first."""

    offline = fields.List(fields.Nested(OfflineItemSchema), required=True)


class OfflineReplyRequestSchema(CaseInsensitiveSchema):
    """The answer, sent by e-mail to the customer."""

    text = SafeString(_TEXT_CAP, required=True, metadata={"description": "MAX_MESSAGE_CHARS"})
