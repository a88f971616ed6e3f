"""Every live conversation read as a chat of the chats API (CONTRACT §3, §7).

Whatever opened it (widget, customer channel, connector, chats API), a conversation is
a chat whose integer id is its primary key. This module says what the chat object holds:
its status, its agents and virtual agents, its queue as the menu path, its end user.
Plain values; the wire format is chatwidget.schemas.chats's.
"""

from datetime import datetime, timedelta
from typing import Any, TypedDict

from flask import current_app
from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, EndUser, Participant, Queue

STATUSES = ("queued", "va_assigned", "assigned", "finished", "dismissed", "timeout", "failed")
# What the chats API offers in a chat: text, and photos and videos from the media store.
FEATURES = ["text", "photo", "video"]
VIRTUAL_AGENT_NAME = "Virtual agent"


class AgentView(TypedDict):
    """A human agent as the chat object shows one."""

    id: int
    name: str
    first_name: str
    avatar_url: str | None
    status: str


class VirtualAgentView(TypedDict):
    """A queue's virtual agent (its id is the queue's: one bot a menu)."""

    id: int
    name: str
    avatar_url: str | None
    status: str


class ChatView(TypedDict):
    """The chat object's plain values."""

    id: int
    status: str
    status_text: str
    features: list[str]
    created_at: datetime
    ends_at: datetime | None
    timeout_at: datetime | None
    agent: AgentView | None
    virtual_agent: VirtualAgentView | None
    all_agents: list[AgentView]
    all_virtual_agents: list[VirtualAgentView]
    lang: str | None
    menus: list[dict[str, Any]]
    end_user: dict[str, Any] | None


def chat_status(conversation: Conversation) -> str:
    """The chat's status from the conversation's state and how it ended."""
    state, reason = conversation.state, conversation.end_reason
    if state == "va":
        return "va_assigned"
    if state == "assigned":
        return "assigned"
    if state in ("new", "waiting"):
        return "queued"
    if state == "offline":
        return "dismissed"
    if reason == "timeout":
        return "timeout"
    if reason == "failed":
        return "failed"
    never_answered = conversation.assigned_at is None and reason == "customer"
    return "dismissed" if never_answered else "finished"


_TEXTS = {
    "queued": "Waiting in the %(queue)s queue for an agent",
    "va_assigned": "With the %(queue)s virtual agent",
    "assigned": "With agent %(agent)s",
    "finished": "Finished %(reason)s",
    "dismissed": "Ended before an agent answered",
    "timeout": "Ended after no message for a while",
    "failed": "Failed",
}


_BY = {
    "customer": "by the customer",
    "agent": "by the agent",
    "api": "through the API",
    "connector": "by the connector",
}


def _agent(agent: Agent) -> AgentView:
    name = agent.name or agent.email
    first = name.split()[0] if name.split() else name
    return AgentView(id=agent.id, name=name, first_name=first, avatar_url=None, status=agent.status)


def virtual_agent_of(queue: Queue | None, status: str = "active") -> VirtualAgentView | None:
    """The queue's virtual agent, or None when it has none."""
    if queue is None or not queue.virtual_agent_url:
        return None
    name = "%s %s" % (queue.name, VIRTUAL_AGENT_NAME.lower())
    return VirtualAgentView(id=queue.id, name=name, avatar_url=None, status=status)


def _all_agents(conversation: Conversation) -> list[AgentView]:
    """Every human agent who took part, in the order they joined."""
    rows = db.session.execute(
        select(Agent, Participant.id)
        .join(Participant, Participant.agent_id == Agent.id)
        .where(Participant.conversation_pk == conversation.id, Participant.role == "agent")
        .order_by(Participant.id)
    ).all()
    seen: dict[int, AgentView] = {}
    for agent, _ in rows:
        seen.setdefault(agent.id, _agent(agent))
    return list(seen.values())


def _bots(conversation: Conversation, queue: Queue | None) -> list[VirtualAgentView]:
    """The virtual agent, once it has taken part (a participant with role bot)."""
    took_part = db.session.scalar(
        select(Participant.id).where(
            Participant.conversation_pk == conversation.id, Participant.role == "bot"
        )
    )
    bot = virtual_agent_of(queue, "active" if conversation.state == "va" else "done")
    return [bot] if took_part is not None and bot is not None else []


def timeout_at(conversation: Conversation) -> datetime | None:
    """When the chat ends if nobody writes (INACTIVITY_TIMEOUT_S after its last message)."""
    if conversation.state in ("ended", "offline"):
        return None
    seconds = current_app.config["INACTIVITY_TIMEOUT_S"]
    return conversation.last_message_at + timedelta(seconds=seconds)


def end_user_of(conversation: Conversation) -> dict[str, Any] | None:
    """{id, identifier} of the chat's end user, or None (a visitor nobody identified)."""
    if conversation.end_user_id is None:
        return None
    user = db.session.get(EndUser, conversation.end_user_id)
    return {"id": user.id, "identifier": user.identifier} if user else None


def chat_view(conversation: Conversation) -> ChatView:
    """The chat object of a conversation."""
    queue = db.session.get(Queue, conversation.queue_id)
    agents = _all_agents(conversation)
    current = next((a for a in agents if a["id"] == conversation.agent_id), None)
    status = chat_status(conversation)
    text = _TEXTS[status] % {
        "queue": queue.name if queue else "",
        "agent": current["name"] if current else "",
        "reason": _BY.get(conversation.end_reason or "", ""),
    }
    return ChatView(
        id=conversation.id,
        status=status,
        status_text=text.strip(),
        features=list(FEATURES),
        created_at=conversation.created_at,
        ends_at=conversation.ended_at,
        timeout_at=timeout_at(conversation),
        agent=current,
        virtual_agent=virtual_agent_of(queue) if conversation.state == "va" else None,
        all_agents=agents,
        all_virtual_agents=_bots(conversation, queue),
        lang=conversation.lang,
        menus=[{"id": queue.id, "name": queue.name}] if queue else [],
        end_user=end_user_of(conversation),
    )
