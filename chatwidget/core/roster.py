"""Who the console shows: the signed-in agent, and the queues and agents to transfer to."""

from typing import TypedDict

from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Agent, Queue


class QueueRef(TypedDict):
    id: int
    name: str


class Me(TypedDict):
    """The signed-in agent as the console shows it."""

    id: int
    email: str
    name: str
    isAdmin: bool
    status: str
    maxChats: int
    skills: list[QueueRef]


class TransferAgent(TypedDict):
    """Another agent as a transfer target: its status, load and queues' names."""

    id: int
    name: str
    status: str
    activeChats: int
    maxChats: int
    skills: list[str]


def me(agent: Agent) -> Me:
    """The signed-in agent as the console shows it."""
    return Me(
        id=agent.id,
        email=agent.email,
        name=agent.name,
        isAdmin=bool(agent.is_admin),
        status=agent.status,
        maxChats=agent.max_chats,
        skills=[QueueRef(id=q.id, name=q.name) for q in agent.skills],
    )


def queues() -> list[QueueRef]:
    """Every queue, by name: a conversation may be transferred to any of them."""
    return [
        QueueRef(id=q.id, name=q.name)
        for q in db.session.scalars(select(Queue).order_by(Queue.name))
    ]


def transfer_agents(agent: Agent) -> list[TransferAgent]:
    """The other active agents, by name, with their status and load."""
    others = db.session.scalars(
        select(Agent)
        .where(Agent.id != agent.id, Agent.deactivated_at.is_(None))
        .order_by(Agent.name, Agent.id)
    )
    return [
        TransferAgent(
            id=other.id,
            name=other.name,
            status=other.status,
            activeChats=other.active_chats,
            maxChats=other.max_chats,
            skills=[q.name for q in other.skills],
        )
        for other in others
    ]
