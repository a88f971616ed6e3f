"""Who is online: agent sockets per server process, heartbeats, the grace period."""

import os
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, select, update

from chatwidget.core import handling, routing
from chatwidget.core.agents import STATUSES
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import InvalidInput
from chatwidget.core.events import publish
from chatwidget.extensions import db
from chatwidget.models import Agent, AgentSocket, ConnectorSocket, ServerProcess
from chatwidget.models.types import utcnow

PROCESS_ID = "%s-%d" % (uuid.uuid4().hex[:12], os.getpid())


def _local_sockets() -> dict[str, int]:
    """This process's own agent sockets of the current app: sid → agent id."""
    sockets: dict[str, int] = current_app.extensions.setdefault("chatwidget_agent_sockets", {})
    return sockets


def do_heartbeat() -> None:
    """Record that this process is alive (its sockets count as connected).

    No row means a first beat, or that another process found this one stale (frozen,
    starved, cut off) and dropped its sockets: those still open are put back.
    """
    now = utcnow()
    if compare_and_set(
        update(ServerProcess).where(ServerProcess.id == PROCESS_ID).values(heartbeat_at=now)
    ):
        db.session.commit()
        return
    db.session.add(ServerProcess(id=PROCESS_ID, heartbeat_at=now))
    local = dict(_local_sockets())
    agents = db.session.scalars(select(Agent).where(Agent.id.in_(set(local.values())))).all()
    for sid, agent_id in local.items():
        if agent_id in {a.id for a in agents}:
            db.session.merge(AgentSocket(sid=sid, agent_id=agent_id, process_id=PROCESS_ID))
    for agent in agents:
        agent.disconnected_at = None
    db.session.commit()
    for agent in agents:  # routable again: pick up what waited meanwhile
        routing.do_drain(_skills(agent))


def _skills(agent: Agent) -> list[int]:
    return [q.id for q in agent.skills]


def do_agent_connected(agent: Agent, sid: str) -> None:
    """An agent socket connected on this process; it may now be routed to."""
    do_heartbeat()
    db.session.merge(AgentSocket(sid=sid, agent_id=agent.id, process_id=PROCESS_ID))
    agent.disconnected_at = None
    db.session.commit()
    _local_sockets()[sid] = agent.id
    routing.do_drain(_skills(agent))


def do_agent_disconnected(sid: str) -> None:
    """An agent socket went away; with none left, the grace period starts."""
    _local_sockets().pop(sid, None)
    agent_id = db.session.scalar(select(AgentSocket.agent_id).filter_by(sid=sid))
    db.session.execute(delete(AgentSocket).where(AgentSocket.sid == sid))
    if agent_id is not None and not _has_sockets(agent_id):
        db.session.execute(
            update(Agent).where(Agent.id == agent_id).values(disconnected_at=utcnow())
        )
    db.session.commit()


def _has_sockets(agent_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(AgentSocket.agent_id == agent_id))))


def do_set_status(agent: Agent, status: object) -> None:
    """available, away or offline; becoming available picks up waiting conversations."""
    if not isinstance(status, str) or status not in STATUSES:
        raise InvalidInput(
            "status must be one of %s" % ", ".join(STATUSES), errors={"status": [str(status)]}
        )
    agent.status = status
    publish(db.session, "agent.status", {"agentId": agent.id, "status": status})
    db.session.commit()
    if status == "available":
        routing.do_drain(_skills(agent))


def _drop_dead_processes() -> None:
    """Forget the sockets of processes whose heartbeat stopped (killed or partitioned)."""
    stale = utcnow() - timedelta(seconds=current_app.config["PROCESS_STALE_S"])
    dead = select(ServerProcess.id).where(ServerProcess.heartbeat_at < stale)
    orphaned = set(
        db.session.scalars(select(AgentSocket.agent_id).where(AgentSocket.process_id.in_(dead)))
    )
    db.session.execute(delete(AgentSocket).where(AgentSocket.process_id.in_(dead)))
    db.session.execute(delete(ConnectorSocket).where(ConnectorSocket.process_id.in_(dead)))
    db.session.execute(delete(ServerProcess).where(ServerProcess.heartbeat_at < stale))
    for agent_id in orphaned:
        if not _has_sockets(agent_id):
            db.session.execute(
                update(Agent)
                .where(Agent.id == agent_id, Agent.disconnected_at.is_(None))
                .values(disconnected_at=utcnow())
            )
    db.session.commit()


def do_sweep() -> int:
    """One scheduler pass: heartbeat, dead processes, agents past their grace period."""
    do_heartbeat()
    _drop_dead_processes()
    limit = utcnow() - timedelta(seconds=current_app.config["AGENT_GRACE_S"])
    gone = db.session.scalars(
        select(Agent).where(
            Agent.disconnected_at.is_not(None),
            Agent.disconnected_at <= limit,
            ~exists().where(AgentSocket.agent_id == Agent.id),
        )
    ).all()
    for agent in gone:
        handling.do_requeue_agent(agent)
        agent.status, agent.disconnected_at = "offline", None
        db.session.commit()
    return len(gone)
