"""A virtual agent's calls (CONTRACT §7): what the bot is sent, and what it answers.

The call's body is {"event": "message", "chat": ChatSchema, "message": ListedMessageSchema};
the answer is loaded strictly enough that a malformed one counts as a failed call.
"""

from marshmallow import Schema, fields, validate

from chatwidget.schemas.chat_messages import ListedMessageSchema
from chatwidget.schemas.chats import ChatSchema
from chatwidget.schemas.common import Request, SafeString

# Far above any configured MAX_MESSAGE_CHARS, which posting checks: only a bound here.
_MAX_TEXT = 1_000_000


class BotCallSchema(Schema):
    """What the virtual agent is POSTed for each end-user message."""

    event = fields.String(required=True, validate=validate.Equal("message"))
    chat = fields.Nested(ChatSchema, required=True)
    message = fields.Nested(ListedMessageSchema, required=True)


class BotMessageSchema(Request):
    """One message the bot posts in the chat."""

    type = fields.String(load_default="text", validate=validate.Equal("text"))
    content = SafeString(_MAX_TEXT, required=True)


class BotEscalateSchema(Request):
    """The bot hands the chat to humans, saying why."""

    reason = SafeString(load_default=None, allow_none=True)


class BotAnswerSchema(Request):
    """The bot's 200 answer: messages to post, then an optional escalation."""

    messages = fields.List(fields.Nested(BotMessageSchema), required=True)
    escalate = fields.Nested(BotEscalateSchema, load_default=None, allow_none=True)
