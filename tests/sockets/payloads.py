"""A conversation with every kind of socket in it, for the payload validation tests: what
each client → server event is sent on, and a snapshot of everything a payload could
change in the database."""

from sqlalchemy import func, select

from chatwidget.extensions import db, socketio
from chatwidget.models import Agent, ConnectorMessage, Conversation, Message, Participant
from tests.conftest import bearer_for
from tests.sockets.helpers import AGENT_NS, online_agent, received, start

# Every client → server event, by the socket that sends it, with the keys it reads.
EVENTS = {
    "customer": {
        "joinConversation": ("conversationId", "id", "name"),
        "sendMessage": (
            "type", "conversationId", "id", "text", "to", "attachments", "tag", "refId",
            "activityType", "info",
        ),
        "endConversation": ("conversationId",),
        "conversationInfo": ("conversationId", "afterSeq"),
        "registerConnector": ("id", "name", "channel"),
    },
    "connector": {
        "sendMessage": ("type", "refId", "text", "id", "to", "attachments", "tag"),
        "registerConnector": ("id", "name", "channel"),
    },
    "agent": {
        "setStatus": ("status",),
        "acceptConversation": ("conversationId",),
        "transferConversation": ("conversationId", "queueId", "agentId"),
        "sendMessage": (
            "type", "conversationId", "id", "text", "to", "attachments", "tag", "activityType",
            "info",
        ),
        "endConversation": ("conversationId",),
        "conversationInfo": ("conversationId", "afterSeq"),
    },
}  # fmt: skip
NAMESPACES = {"customer": "/", "connector": "/", "agent": AGENT_NS}


def connector_socket(app, channel="sms"):
    """A socket of an API user with role connector, registered for channel."""
    token = bearer_for(app, app.test_client(), "connector")["Authorization"].split(" ", 1)[1]
    client = socketio.test_client(
        app, namespace="/", auth={"token": token}, flask_test_client=app.test_client()
    )
    payload = {"id": channel, "name": "gateway", "channel": channel}
    assert client.emit("registerConnector", payload, callback=True)["status"] == "ok"
    received(client)
    return client


class Scene:
    """An agent and a customer in an assigned conversation, and an SMS connector."""

    def __init__(self, app):
        self.app = app
        self.agent_id, agent = online_agent(app, "Alice")
        self.conversation_id, self.participant_id, customer = start(app)
        self.sockets = {"customer": customer, "agent": agent, "connector": connector_socket(app)}
        self.drain()

    def emit(self, who, event, payload):
        """Send event from who's socket; returns the ack."""
        client = self.sockets[who]
        return client.emit(event, payload, namespace=NAMESPACES[who], callback=True)

    def drain(self):
        for who, client in self.sockets.items():
            received(client, NAMESPACES[who])

    def chat(self, who, text, **fields):
        """A valid sendMessage from who (the connector names its customer by refId)."""
        if who == "connector":
            payload = {"type": "ChatMessage", "refId": "+15550100", "text": text}
        else:
            payload = {"type": "ChatMessage", "conversationId": self.conversation_id}
            payload["text"] = text
        return self.emit(who, "sendMessage", dict(payload, **fields))


def snapshot(app):
    """Everything a client event may change: messages, conversations, participants,
    agents' statuses, messages kept for connectors."""
    with app.app_context():
        rows = {
            "messages": select(Message.conversation_pk, Message.seq, Message.message_id),
            "conversations": select(
                Conversation.conversation_id,
                Conversation.state,
                Conversation.agent_id,
                Conversation.queue_id,
                Conversation.last_seq,
            ),
            "participants": select(Participant.id, Participant.name, Participant.left_at),
            "agents": select(Agent.id, Agent.status),
            "connector": select(func.count()).select_from(ConnectorMessage),
        }
        return {name: sorted(db.session.execute(q).all()) for name, q in rows.items()}


def assert_named_error(ack, field=None):
    """An error ack with a human message (never "internal error"), naming field."""
    assert isinstance(ack, dict) and ack.get("status") == "error", ack
    assert isinstance(ack.get("message"), str) and ack["message"], ack
    assert "internal error" not in ack["message"], ack
    if field is not None:
        assert field in ack.get("errors", {}), ack
        assert field in ack["message"], ack
