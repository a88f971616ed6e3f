"""Every model, imported so that metadata and Alembic see them all."""

from chatwidget.models.agent import (
    Agent,
    AgentSession,
    AgentSocket,
    CannedResponse,
    Queue,
    ServerProcess,
    agent_skill,
)
from chatwidget.models.api_user import ApiUser
from chatwidget.models.call import Call, CallKey
from chatwidget.models.connector import ConnectorMessage, ConnectorSocket
from chatwidget.models.conversation import Conversation, Escalation, Message, Participant
from chatwidget.models.end_user import EndUser
from chatwidget.models.media import Media
from chatwidget.models.webhook import DeliveryAttempt, OutboxEvent, Webhook

__all__ = [
    "Agent",
    "AgentSession",
    "AgentSocket",
    "ApiUser",
    "Call",
    "CannedResponse",
    "CallKey",
    "ConnectorMessage",
    "ConnectorSocket",
    "Conversation",
    "DeliveryAttempt",
    "EndUser",
    "Escalation",
    "Media",
    "Message",
    "OutboxEvent",
    "Participant",
    "Queue",
    "ServerProcess",
    "Webhook",
    "agent_skill",
]
