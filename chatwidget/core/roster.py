"""Who the console shows: the signed-in agent, and the queues and agents to transfer to."""

from typing import Any

from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Agent, Queue


def me(agent: Agent) -> dict[str, Any]:
    """The signed-in agent as the console shows it."""
    return {
        "id": agent.id,
        "email": agent.email,
        "name": agent.name,
        "isAdmin": bool(agent.is_admin),
        "status": agent.status,
        "maxChats": agent.max_chats,
        "skills": [{"id": q.id, "name": q.name} for q in agent.skills],
    }


def queues() -> list[dict[str, Any]]:
    """Every queue, by name: a conversation may be transferred to any of them."""
    return [
        {"id": q.id, "name": q.name} for q in db.session.scalars(select(Queue).order_by(Queue.name))
    ]


def transfer_agents(agent: Agent) -> list[dict[str, Any]]:
    """The other active agents, by name, with their status and load."""
    others = db.session.scalars(
        select(Agent)
        .where(Agent.id != agent.id, Agent.deactivated_at.is_(None))
        .order_by(Agent.name, Agent.id)
    )
    return [
        {
            "id": other.id,
            "name": other.name,
            "status": other.status,
            "activeChats": other.active_chats,
            "maxChats": other.max_chats,
            "skills": [q.name for q in other.skills],
        }
        for other in others
    ]
