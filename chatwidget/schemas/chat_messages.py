"""A chat's message as the chats API shows it (CONTRACT §3 `…/messages`, §7 bot calls)."""

from marshmallow import Schema, fields, validate

from chatwidget.schemas.common import UtcDateTime

MESSAGE_TYPES = ("text", "photo", "video", "file")


class ChatMessageSchema(Schema):
    """A message: text, or a photo, video or file whose content is its media id."""

    id = fields.Integer(required=True)
    type = fields.String(required=True, validate=validate.OneOf(MESSAGE_TYPES))
    content = fields.String(required=True)
    from_user_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The end user's id, an agent's id, or null (bot, system)"},
    )
    created_at = UtcDateTime(required=True)
