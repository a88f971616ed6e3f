"""The chats API's wire formats (seed 001, CCAI Platform compatible; CONTRACT §3).

Field names are the seed's (snake_case). Requests ignore unknown fields; an unknown
enumeration value is a 400 naming the field.
"""

from marshmallow import fields, validate

from chatwidget.core.chat_view import STATUSES
from chatwidget.core.escalations import DEFLECTION_CHANNELS
from chatwidget.schemas.common import JsonObject, Request, RowId, SafeString, UtcDateTime

ESCALATION_STATUSES = ("created", "queued", "assigned", "deflected", "failed")


class ChatAgentSchema(Request):
    """A human agent of the chat."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    first_name = fields.String(required=True)
    avatar_url = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "available, away, offline"})


class VirtualAgentSchema(Request):
    """A virtual agent (a menu's bot)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    avatar_url = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "active, done"})


class MenuSchema(Request):
    """A menu of the chat's path: a queue."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ChatEndUserSchema(Request):
    """The chat's end user: `identifier` is the integrator's own id for them, once given."""

    id = fields.Integer(required=True)
    identifier = fields.String(allow_none=True)


class ChatSchema(Request):
    """The chat object, as the seed gives it."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_text = fields.String(required=True)
    features = fields.List(fields.String(), required=True)
    created_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(allow_none=True)
    timeout_at = UtcDateTime(allow_none=True)
    agent = fields.Nested(ChatAgentSchema, allow_none=True)
    virtual_agent = fields.Nested(VirtualAgentSchema, allow_none=True)
    all_agents = fields.List(fields.Nested(ChatAgentSchema), required=True)
    all_virtual_agents = fields.List(fields.Nested(VirtualAgentSchema), required=True)
    lang = fields.String(allow_none=True)
    menus = fields.List(fields.Nested(MenuSchema), required=True)
    end_user = fields.Nested(ChatEndUserSchema, allow_none=True)


class NewChatFieldsSchema(Request):
    """`chat` of a create call."""

    menu_id = RowId(load_default=None, metadata={"description": "A queue's id"})
    end_user_id = RowId(load_default=None)
    lang = SafeString(16, load_default=None)
    email = SafeString(load_default=None, validate=validate.Email())
    context = JsonObject(load_default=None)
    transcript = JsonObject(load_default=None)


class NewChatEndUserSchema(Request):
    """`end_user` of a create call."""

    phone = SafeString(64, load_default=None)


class CreateChatSchema(Request):
    """Create a chat: where it waits and who it is for."""

    chat = fields.Nested(NewChatFieldsSchema, load_default=dict)
    end_user = fields.Nested(NewChatEndUserSchema, load_default=dict)


class EscalateSchema(Request):
    """Create an escalation: why, and whether to skip the virtual agent's own checks."""

    reason = SafeString(load_default=None)
    force_escalate = fields.Boolean(load_default=False)


class DeflectSchema(Request):
    """Update an escalation: the deflection channel the customer chose."""

    deflection_channel = fields.String(required=True, validate=validate.OneOf(DEFLECTION_CHANNELS))


class EscalationSchema(Request):
    """An escalation."""

    id = fields.Integer(required=True)
    chat_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ESCALATION_STATUSES))
