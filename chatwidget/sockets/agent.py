"""Namespace `/agent`: the agent console and agent scripts (CONTRACT §5)."""

from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_socketio import emit, join_room

from chatwidget.api.agent_auth import session_agent, session_token
from chatwidget.core import (
    agents,
    console_sessions,
    conversation_view,
    conversations,
    handling,
    presence,
    routing,
    sending,
)
from chatwidget.core.errors import Forbidden, InvalidInput
from chatwidget.core.messages import who
from chatwidget.extensions import db
from chatwidget.models import Agent
from chatwidget.schemas import live
from chatwidget.schemas import sockets as schemas
from chatwidget.sockets import acks, rooms
from chatwidget.sockets.common import (
    Ack,
    AckingNamespace,
    acked,
    app,
    forget,
    handler,
    load,
    ok,
    sid,
    state,
)
from chatwidget.sockets.throttle import rate_limited


def current_agent() -> Agent:
    """The agent of this socket, fresh from the database."""
    agent = db.session.get(Agent, state().get("agent_id"))
    if agent is None:
        raise Forbidden("not signed in")
    return agent


def _same_site() -> bool:
    """Whether a cookie-authenticated handshake comes from our own pages: a browser sends
    the session cookie with a WebSocket opened by any site, and names that site in Origin
    (no Origin: not a browser, which cannot hold the cookie of a console page)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


class AgentNamespace(AckingNamespace):
    """Authenticated on connect by the console's session cookie or auth={"token": …}."""

    light_events = frozenset({"sendMessage"})

    def on_connect(self, auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        agent: Agent | None
        try:
            if token:
                agent = agents.agent_from_token(token)
            else:
                agent = session_agent() if _same_site() else None
        except Exception as exc:
            raise ConnectionRefusedError("agent authentication failed") from exc
        if agent is None:
            raise ConnectionRefusedError("agent authentication required")
        state()["agent_id"] = agent.id
        session = None if token else console_sessions.fingerprint(session_token())
        if session:  # signing out tells this session's sockets (console.sign_out)
            join_room(rooms.session_room(session))
        join_room(rooms.agent_room(agent.id))
        for queue in agent.skills:
            join_room(rooms.queue_room(queue.id))
        emit("queueUpdated", {"queues": [routing.queue_snapshot(q.id) for q in agent.skills]})
        # A reconnect (a reloaded console, within the grace period) gets its chats back.
        for conversation in handling.held_by(agent):
            emit(
                "conversationAssigned",
                live.conversation_info(conversation_view.view(conversation, "agent")),
            )
        presence.do_agent_connected(agent, sid())

    def on_disconnect(self, *args: Any) -> None:
        if state().get("agent_id"):
            presence.do_agent_disconnected(sid())
        forget()

    @handler(schema=schemas.STATUS)
    def on_setStatus(self, data: dict[str, Any]) -> Ack:
        """available, away or offline."""
        agent = current_agent()
        presence.do_set_status(agent, data["status"])
        return ok(agentStatus=agent.status)  # "status" is the ack's own ok/error

    @handler(schema=schemas.CONVERSATION)
    def on_acceptConversation(self, data: dict[str, Any]) -> Ack:
        """Pick a waiting conversation of one of the agent's queues."""
        agent = current_agent()
        handling.do_accept(agent, conversations.get(data["conversationId"]))
        return ok()

    @handler(schema=schemas.TRANSFER)
    def on_transferConversation(self, data: dict[str, Any]) -> Ack:
        """To another queue (`queueId`) or straight to another agent (`agentId`)."""
        agent = current_agent()
        conversation = conversations.get(data["conversationId"])
        if data.get("agentId") is not None:
            handling.do_transfer_to_agent(agent, conversation, data["agentId"])
        elif data.get("queueId") is not None:
            handling.do_transfer_to_queue(agent, conversation, data["queueId"])
        else:
            raise InvalidInput("give queueId or agentId", errors={"queueId": ["missing"]})
        return ok()

    @rate_limited
    @handler
    def on_sendMessage(self, data: dict[str, Any]) -> Any:
        """A ChatMessage (whispers allowed) or typing, from this agent."""
        data = load(schemas.send_message(data, app().config["MAX_MESSAGE_CHARS"]), data)
        # current_agent(), get() and check_participant() in one query
        agent = sending.AsAgent(state().get("agent_id"), data["conversationId"])
        return acks.post_acked(app(), agent, data, acked)

    @handler(schema=schemas.CONVERSATION)
    def on_endConversation(self, data: dict[str, Any]) -> Ack:
        """The agent ends the conversation."""
        agent = current_agent()
        conversation = conversations.get(data["conversationId"])
        participant = handling.check_participant(agent, conversation)
        handling.do_end(conversation, "agent", by=who(participant))
        return ok()

    @handler(schema=schemas.INFO_REQUEST)
    def on_conversationInfo(self, data: dict[str, Any]) -> Ack:
        """A conversation with every message (whispers included) after `afterSeq`."""
        agent = current_agent()
        conversation = conversations.get(data["conversationId"])
        handling.check_reader(agent, conversation)
        view = conversation_view.view(conversation, "agent", after_seq=data["afterSeq"])
        return ok(**live.conversation_info(view))
