"""Wire formats of the admin API: agents, queues, API users (/api/admin/*)."""

from marshmallow import Schema, fields, validate

from chatwidget.core.identity import ROLES
from chatwidget.schemas.common import HttpUrl, Request, SafeString

_ISO = {"type": "string", "format": "date-time"}
_SKILLS = fields.List(
    SafeString(100, validate=validate.Length(min=1)),
    validate=validate.Length(max=100),
    metadata={"description": "Queue names; a name not yet a queue becomes one"},
)


class AgentSchema(Schema):
    """An agent as an admin sees it."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    isAdmin = fields.Boolean(required=True)
    active = fields.Boolean(required=True, metadata={"description": "False once deactivated"})
    status = fields.String(required=True, metadata={"description": "available, away, offline"})
    maxChats = fields.Integer(required=True)
    activeChats = fields.Integer(required=True)
    skills = fields.List(fields.String(), required=True, metadata={"description": "Queue names"})
    createdAt = fields.String(required=True, metadata=_ISO)


class AgentListSchema(Schema):
    """Every agent, active ones first."""

    agents = fields.List(fields.Nested(AgentSchema), required=True)


class AgentCreateSchema(Request):
    """A new agent."""

    email = fields.Email(required=True, validate=validate.Length(max=255))
    name = SafeString(200, required=True, validate=validate.Length(min=1))
    password = SafeString(
        200,
        required=True,
        metadata={"description": "At least 8 characters (a scrypt hash is kept)"},
    )
    skills = _SKILLS
    maxChats = fields.Integer(strict=True, load_default=3, validate=validate.Range(1, 100))
    isAdmin = fields.Boolean(load_default=False)


class AgentUpdateSchema(Request):
    """What to change; absent fields stay. `active: false` deactivates the agent: its
    sessions end, its sockets are disconnected, its conversations go back to their queues."""

    name = SafeString(200, validate=validate.Length(min=1))
    skills = _SKILLS
    maxChats = fields.Integer(strict=True, validate=validate.Range(1, 100))
    isAdmin = fields.Boolean()
    active = fields.Boolean()
    password = SafeString(200, metadata={"description": "At least 8 characters"})


class QueueSchema(Schema):
    """A queue with how many serve it and how many wait in it."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    virtualAgentUrl = fields.String(allow_none=True, required=True)
    agents = fields.Integer(required=True, metadata={"description": "Active agents with the skill"})
    waiting = fields.Integer(required=True, metadata={"description": "Conversations waiting"})


class QueueCreatedSchema(QueueSchema):
    """A new queue; with a virtual agent, the secret that signs the calls to it."""

    secret = fields.String(
        metadata={
            "description": "Only when virtualAgentUrl is set, and only in this answer: the"
            " key of X-Signature on the calls to the virtual agent"
        }
    )


class QueueListSchema(Schema):
    """Every queue, by name."""

    queues = fields.List(fields.Nested(QueueSchema), required=True)


class QueueCreateSchema(Request):
    """A new queue: a skill group (customer channel subject) and a CCAI menu at once."""

    name = SafeString(100, required=True, validate=validate.Length(min=1))
    virtualAgentUrl = HttpUrl(allow_none=True)


class ApiUserSchema(Schema):
    """An API user (its secret is never shown again)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    clientId = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    createdAt = fields.String(required=True, metadata=_ISO)
    revokedAt = fields.String(allow_none=True, required=True, metadata=_ISO)


class ApiUserListSchema(Schema):
    """Every API user, active ones first, newest first."""

    apiUsers = fields.List(fields.Nested(ApiUserSchema), required=True)


class ApiUserCreateSchema(Request):
    """A new API user and the roles it holds."""

    name = SafeString(200, required=True, validate=validate.Length(min=1))
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(min=1, max=len(ROLES)),
    )


class ApiUserCreatedSchema(ApiUserSchema):
    """The new API user with its secret: shown this once, only its hash is kept."""

    clientSecret = fields.String(required=True)
