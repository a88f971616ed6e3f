"""The chats API's PATCH of a chat on the wire (seed 001 "Aggiornare una chat"; CONTRACT §3)."""

from marshmallow import fields, validate

from chatwidget.core.chat_view import STATUSES
from chatwidget.core.escalations import DEFLECTION_CHANNELS
from chatwidget.schemas.common import Request, WholeNumber


class ChatChangesSchema(Request):
    """`chat` of a PATCH: any of its fields."""

    deflection_channel = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(DEFLECTION_CHANNELS)
    )
    status = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(STATUSES),
        metadata={"description": "Only finished can be set: it ends the chat"},
    )
    escalation_id = WholeNumber(load_default=None, allow_none=True)


class PatchChatSchema(Request):
    """Change a chat: finish it, record a deflection channel."""

    finished_by_user_id = WholeNumber(load_default=None, allow_none=True)
    chat = fields.Nested(ChatChangesSchema, load_default=dict)
