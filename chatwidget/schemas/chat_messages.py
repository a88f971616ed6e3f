"""The chats API's messages on the wire (seed 001; CONTRACT §3).

A message's `content` is its text (a string, or `{"text": …}` as the vendor's later
guides send it) or, for a photo, video or file, the `media_id` of one of the chat's media.
"""

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from chatwidget.core.chat_messages import TEXT, TYPES
from chatwidget.schemas.common import MAX_BIGINT, Request, UtcDateTime, WholeNumber

_DIGITS = re.compile(r"[0-9]{1,18}")  # a media_id as a string: within a BIGINT
_CONTENT_DOC = {
    "oneOf": [
        {"type": "string", "description": "A text message's text"},
        {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
            "description": "A text message's text, as the vendor's later guides send it",
        },
        {"type": "integer", "minimum": 0, "description": "A media message's media_id"},
    ]
}


class MessageContent(fields.Field[str | int]):
    """A message's content as sent: a string, {"text": string}, or a media id (an
    integer, or a string of digits); loaded as the string or the integer."""

    default_error_messages = {
        "invalid": "Not a string, an object with a text, or a media_id.",
        "no_text": "An object content needs a text string.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata=_CONTENT_DOC, **kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str | int:
        if isinstance(value, Mapping):
            value = value.get("text")
            if type(value) is not str:
                raise self.make_error("no_text")
        if type(value) is str or (type(value) is int and 0 <= value <= MAX_BIGINT):
            return value
        raise self.make_error("invalid")


class EmptySchema(Schema):
    """An empty object: the seed's answer to a message sent."""


class MessageBodySchema(Request):
    """`message` of a send call."""

    type = fields.String(load_default=TEXT, validate=validate.OneOf(TYPES))
    content = MessageContent(required=True)

    @validates_schema
    def _content_fits_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Text is a string with something in it; media content is a media_id."""
        content = data.get("content")
        if data.get("type", TEXT) == TEXT:
            if not isinstance(content, str) or not content.strip():
                raise ValidationError("A text message needs some text.", "content")
        elif isinstance(content, str) and not _DIGITS.fullmatch(content):
            raise ValidationError("A %s message's content is a media_id." % data["type"], "content")

    @post_load
    def _media_id(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A media message's media_id sent as a string of digits, as its integer."""
        if data["type"] != TEXT and isinstance(data["content"], str):
            return {**data, "content": int(data["content"])}
        return data


class PostMessageSchema(Request):
    """Send a message: who sends it (the end user when omitted) and what."""

    from_user_id = WholeNumber(
        load_default=None,
        allow_none=True,
        metadata={"description": "An agent in the chat, or the chat's end user (the default)"},
    )
    message = fields.Nested(MessageBodySchema, required=True)


class ListedMessageSchema(Request):
    """A message of the chat (GET …/messages)."""

    id = fields.Integer(required=True)
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    content = fields.Raw(
        required=True,
        allow_none=True,
        metadata={"description": "The text, or the media_id of a media message"},
    )
    from_user_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The agent, or the end user; null for the virtual agent"},
    )
    created_at = UtcDateTime(required=True)


class MessagesQuerySchema(Request):
    """Which messages: those after the one with id after_id."""

    after_id = WholeNumber(load_default=0)
