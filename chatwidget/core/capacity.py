"""Agents' room for chats: counted with compare-and-set, and who has room now.

An agent's `active_chats` only grows while below `max_chats`; the candidates for a
queue are the available agents with its skill, a live socket and room, least busy
first, then least recently assigned.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import Exists, exists, select, update

from chatwidget.core.atomic import compare_and_set
from chatwidget.extensions import db
from chatwidget.models import Agent, AgentSocket, ServerProcess
from chatwidget.models.agent import agent_skill
from chatwidget.models.types import utcnow


def take_capacity(agent_id: int, require_available: bool = True) -> bool:
    """Count one more chat for an agent if below max_chats (and available)."""
    statement = update(Agent).where(Agent.id == agent_id, Agent.active_chats < Agent.max_chats)
    if require_available:
        statement = statement.where(Agent.status == "available")
    return compare_and_set(
        statement.values(active_chats=Agent.active_chats + 1, last_assigned_at=utcnow())
    )


def free_capacity(agent_id: int) -> None:
    """Count one chat less for an agent."""
    compare_and_set(
        update(Agent)
        .where(Agent.id == agent_id, Agent.active_chats > 0)
        .values(active_chats=Agent.active_chats - 1)
    )


def live_socket_clause(config_stale_s: float) -> Exists:
    """SQL: the agent has a socket on a process whose heartbeat is fresh."""
    fresh = utcnow() - timedelta(seconds=config_stale_s)
    return exists().where(
        AgentSocket.agent_id == Agent.id,
        AgentSocket.process_id == ServerProcess.id,
        ServerProcess.heartbeat_at >= fresh,
    )


def candidates(queue_id: int) -> list[Agent]:
    """Available agents with the skill and spare capacity: least busy, then least recent."""
    return list(
        db.session.scalars(
            select(Agent)
            .join(agent_skill, agent_skill.c.agent_id == Agent.id)
            .where(
                agent_skill.c.queue_id == queue_id,
                Agent.status == "available",
                Agent.active_chats < Agent.max_chats,
                live_socket_clause(current_app.config["PROCESS_STALE_S"]),
            )
            .order_by(
                Agent.active_chats,
                Agent.last_assigned_at.is_not(None),
                Agent.last_assigned_at,
                Agent.id,
            )
        )
    )
