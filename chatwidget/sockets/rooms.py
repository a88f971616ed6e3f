"""Every room name, and who receives a message: decided here and nowhere else.

Customer sockets are only ever put in rooms of their own conversation and participant,
and whispers are only ever emitted to agent rooms, so a whisper cannot reach a customer.
"""

from typing import Any

from chatwidget.core.customer_view import visible_to_customer
from chatwidget.extensions import socketio
from chatwidget.schemas import live
from chatwidget.sockets.packet import encoded_once

CUSTOMER_NS = "/"
AGENT_NS = "/agent"


def conversation_room(conversation_id: str) -> str:
    """Every customer socket of a conversation (namespace /)."""
    return "conv:%s" % conversation_id


def participant_room(public_id: str) -> str:
    """Every socket of one customer participant (namespace /), by its public id."""
    return "part:%s" % public_id


def agent_room(agent_id: int) -> str:
    """Every socket of one agent (namespace /agent)."""
    return "agent:%s" % agent_id


def session_room(fingerprint: str) -> str:
    """The /agent sockets opened with one console sign-in (told when it signs out)."""
    return "session:%s" % fingerprint


def queue_room(queue_id: int) -> str:
    """Agent sockets serving a queue (namespace /agent)."""
    return "queue:%s" % queue_id


def connector_room(channel: str) -> str:
    """Connector sockets of a channel (namespace /)."""
    return "connector:%s" % channel


def customer_targets(wire: dict[str, Any]) -> list[str]:
    """The namespace-/ rooms a message goes to: none for whispers."""
    if wire.get("tag") == "whisper":
        return []
    if not wire.get("to"):
        return [conversation_room(wire["conversationId"])]
    # Named customers, and the sender's own sockets when a customer sent it.
    named = [t for t in wire["to"] + [wire.get("from") or {}] if t.get("role") == "customer"]
    tag, to, sender = wire.get("tag"), wire["to"], wire.get("from")
    ids = dict.fromkeys(t["id"] for t in named if visible_to_customer(tag, to, sender, t["id"]))
    return [participant_room(pid) for pid in ids]


def deliver_message(payload: dict[str, Any]) -> None:
    """messageArrived to the customer rooms allowed to see it and to every agent in it.

    The customer rooms only ever hold the conversation's customer sockets, so they get
    the customer's own copy (the customer named by its secret); every other socket gets
    the wire, naming it by its public id.
    """
    wire, own = live.arrived(payload)
    with encoded_once(wire, own):
        for room in customer_targets(wire):
            socketio.emit("messageArrived", own, to=room, namespace=CUSTOMER_NS)
        for agent_id in payload.get("agents") or []:
            socketio.emit("messageArrived", wire, to=agent_room(agent_id), namespace=AGENT_NS)
