"""Running the team from the console: agents as an admin sees and changes them.

Deactivating an agent ends it everywhere at once: its console sessions are deleted, its
sockets disconnected (in whichever process holds them: python-socketio passes the
disconnect on through the Redis message queue), and the conversations it held go back
to the front of their queues, as when its grace period runs out.
"""

import hashlib
from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from chatwidget.core import agents, console_sessions, handling
from chatwidget.core.errors import Conflict, InvalidInput, NotFound
from chatwidget.core.events import publish
from chatwidget.core.queues import ensure_queues
from chatwidget.extensions import db
from chatwidget.models import Agent, AgentSession, AgentSocket, Conversation, Queue
from chatwidget.models.agent import agent_skill
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc


class TeamAgent(TypedDict):
    """An agent as the admin pages list it."""

    id: int
    email: str
    name: str
    isAdmin: bool
    active: bool
    status: str
    maxChats: int
    activeChats: int
    skills: list[str]
    createdAt: str


class TeamQueue(TypedDict):
    """A queue with how many active agents serve it and how many wait in it."""

    id: int
    name: str
    virtualAgentUrl: str | None
    agents: int
    waiting: int
    secret: NotRequired[str]  # at creation only, when it has a virtual agent


def describe(agent: Agent) -> TeamAgent:
    """An agent as the admin pages list it."""
    return TeamAgent(
        id=agent.id,
        email=agent.email,
        name=agent.name,
        isAdmin=bool(agent.is_admin),
        active=agent.deactivated_at is None,
        status=agent.status,
        maxChats=agent.max_chats,
        activeChats=agent.active_chats,
        skills=sorted(q.name for q in agent.skills),
        createdAt=format_utc(agent.created_at),
    )


def list_agents() -> list[TeamAgent]:
    """Every agent: active ones first, then by name."""
    rows = db.session.scalars(
        select(Agent).order_by(Agent.deactivated_at.is_not(None), func.lower(Agent.name), Agent.id)
    )
    return [describe(agent) for agent in rows]


def get_agent(agent_id: int) -> Agent:
    """The agent with this id, or NotFound."""
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        raise NotFound("no agent %s" % agent_id)
    return agent


def do_create(data: dict[str, Any]) -> Agent:
    """A new agent from the admin page (as `create-agent`)."""
    return agents.do_create_agent(
        data["email"],
        data["name"],
        data["password"],
        _skill_names(data.get("skills")),
        data.get("maxChats", 3),
        data.get("isAdmin", False),
    )


def _skill_names(names: Iterable[str] | None) -> list[str]:
    """Each queue name once: a name given twice would be a second identical agent_skill
    row, which the database refuses."""
    return list(dict.fromkeys(name.strip() for name in names or ()))


def do_update(
    admin: Agent, agent_id: int, data: dict[str, Any], keep_token: str | None = None
) -> Agent:
    """Change an agent; `active: false` deactivates it. An admin may neither deactivate
    nor un-admin itself (Conflict): the team would risk having no admin left.

    keep_token: the caller's own console session token, kept when it changes its own
    password (its other sessions end, as every session of another agent does)."""
    agent = get_agent(agent_id)
    if agent.id == admin.id and (data.get("active") is False or data.get("isAdmin") is False):
        raise Conflict("you cannot deactivate or un-admin yourself; ask another admin")
    _apply(agent, data)
    try:
        db.session.commit()
    except IntegrityError:  # another admin gave it the same skill at the same time
        db.session.rollback()
        raise Conflict("the agent changed meanwhile; try again") from None
    if "password" in data:
        _close_sessions(agent.id, keep_token if agent.id == admin.id else None)
    if data.get("active") is False:
        do_deactivate(agent)
    return agent


def _apply(agent: Agent, data: dict[str, Any]) -> None:
    """The plain fields of an update, validated like create-agent's; the password is
    checked and hashed first, before anything is written."""
    if "password" in data:
        if len(data["password"]) < 8:
            reason = "at least 8 characters"
            raise InvalidInput("password: " + reason, errors={"password": [reason]})
        agent.password_hash = agents.hash_password(data["password"])
    if "name" in data:
        name = data["name"].strip()
        if not name:
            raise InvalidInput("name: may not be blank", errors={"name": ["may not be blank"]})
        agent.name = name
    if "maxChats" in data:
        agent.max_chats = data["maxChats"]
    if "isAdmin" in data:
        agent.is_admin = data["isAdmin"]
    if "skills" in data:
        agent.skills = ensure_queues(_skill_names(data["skills"]))
    if data.get("active") is False and agent.deactivated_at is None:
        agent.deactivated_at = utcnow()
        agent.status = "offline"  # never routed to again, whatever else happens
    elif data.get("active") is True:
        agent.deactivated_at = None


def _close_sessions(agent_id: int, keep_token: str | None = None) -> None:
    """End an agent's console sessions, all but keep_token's."""
    if not keep_token:
        console_sessions.do_close_all(agent_id)
        return
    kept = hashlib.sha256(keep_token.encode()).hexdigest()  # as console_sessions keeps it
    db.session.execute(
        delete(AgentSession).where(
            AgentSession.agent_id == agent_id, AgentSession.token_hash != kept
        )
    )
    db.session.commit()


def do_deactivate(agent: Agent) -> None:
    """The rest of a deactivation, once the flag is committed: sessions, sockets, chats."""
    console_sessions.do_close_all(agent.id)
    handling.do_requeue_agent(agent)
    db.session.commit()
    sids = list(db.session.scalars(select(AgentSocket.sid).filter_by(agent_id=agent.id)))
    # The socket layer disconnects them once this commits: nothing is held while the
    # sockets' disconnect handlers write.
    publish(db.session, "agent.deactivated", {"agentId": agent.id, "sids": sids})
    db.session.commit()


def list_queues() -> list[TeamQueue]:
    """Every queue with how many active agents serve it and how many wait in it."""
    serving = (
        select(func.count(agent_skill.c.agent_id))
        .join(Agent, Agent.id == agent_skill.c.agent_id)
        .where(agent_skill.c.queue_id == Queue.id, Agent.deactivated_at.is_(None))
        .scalar_subquery()
    )
    waiting = (
        select(func.count(Conversation.id))
        .where(Conversation.queue_id == Queue.id, Conversation.state == "waiting")
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Queue, serving.label("agents"), waiting.label("waiting")).order_by(
            func.lower(Queue.name), Queue.id
        )
    )
    return [describe_queue(queue, agents_, waiting_) for queue, agents_, waiting_ in rows]


def describe_new_queue(queue: Queue) -> TeamQueue:
    """A just-created queue, with the secret signing its virtual agent's calls (if any)."""
    out = describe_queue(queue)
    if queue.virtual_agent_secret:
        out["secret"] = queue.virtual_agent_secret
    return out


def describe_queue(queue: Queue, agents_: int = 0, waiting: int = 0) -> TeamQueue:
    """A queue as the admin pages list it."""
    return TeamQueue(
        id=queue.id,
        name=queue.name,
        virtualAgentUrl=queue.virtual_agent_url,
        agents=agents_,
        waiting=waiting,
    )
