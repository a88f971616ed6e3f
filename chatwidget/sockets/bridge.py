"""Turns committed core events into Socket.IO emits (through Redis when configured)."""

from typing import Any

from flask import current_app

from chatwidget.core.events import subscribe
from chatwidget.extensions import socketio
from chatwidget.schemas import live
from chatwidget.sockets import connector_delivery, rooms


def on_event(name: str, payload: dict[str, Any]) -> None:
    """Route one event to its rooms."""
    if name == "message.new":
        rooms.deliver_message(payload)
    elif name == "conversation.assigned":
        socketio.emit(
            "conversationAssigned",
            live.conversation_info(payload["view"]),
            to=rooms.agent_room(payload["agentId"]),
            namespace=rooms.AGENT_NS,
        )
    elif name == "connector.pending":
        # After a commit the session may not query again: deliver in a fresh one.
        with current_app.app_context():
            connector_delivery.deliver(payload["channel"])
    elif name == "agent.deactivated":
        # Local sockets now, the others by their process through the message queue; in a
        # fresh session, since their disconnect handlers write.
        with current_app.app_context():
            for sid in payload["sids"]:
                socketio.server.disconnect(sid, namespace=rooms.AGENT_NS)
    elif name == "queue.changed":
        socketio.emit(
            "queueUpdated",
            {"queues": [payload["queue"]]},
            to=rooms.queue_room(payload["queueId"]),
            namespace=rooms.AGENT_NS,
        )


def install() -> None:
    """Subscribe once per process."""
    subscribe(on_event)
