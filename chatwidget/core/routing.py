"""Routing: queue, assign to the least-busy available agent, transfer, end, re-queue.

Every change of who serves a conversation is a compare-and-set UPDATE: an agent's
`active_chats` only grows while below `max_chats`, a conversation only leaves
`waiting` once. Both hold under concurrent processes on PostgreSQL (the row lock
re-checks the condition) and SQLite (one writer at a time). When a path touches an
agent row and a conversation row, it takes the agent's first, so two paths never
wait on each other in a cycle.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from chatwidget.core import capacity, conversation_view, messages
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.events import publish
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Participant, Queue
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc


def position(conversation: Conversation) -> int:
    """1-based place of a waiting conversation in its queue."""
    waiting_before = db.session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.queue_id == conversation.queue_id,
            Conversation.state == "waiting",
            Conversation.queued_at <= conversation.queued_at,
        )
    )
    return waiting_before or 0


def queue_snapshot(queue_id: int) -> dict[str, Any]:
    """A queue and its waiting conversations, oldest first, as queueUpdated lists it."""
    queue = db.session.get_one(Queue, queue_id)
    rows = db.session.execute(
        select(Conversation.conversation_id, Conversation.queued_at)
        .where(Conversation.queue_id == queue_id, Conversation.state == "waiting")
        .order_by(Conversation.queued_at, Conversation.id)
    ).all()
    waiting = [
        {"conversationId": r.conversation_id, "since": format_utc(r.queued_at), "position": i}
        for i, r in enumerate(rows, 1)
    ]
    return {"id": queue.id, "name": queue.name, "waiting": waiting}


def publish_queue(queue_id: int) -> None:
    """Queue a queueUpdated for after the commit."""
    publish(db.session, "queue.changed", {"queueId": queue_id, "queue": queue_snapshot(queue_id)})


def do_enqueue(conversation: Conversation) -> Agent | None:
    """A new conversation enters its queue (handOff), then gets an agent if one is free."""
    if not compare_and_set(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.state == "new")
        .values(state="waiting", queued_at=utcnow())
    ):
        db.session.rollback()
        return None
    return _handed_off(conversation)


def do_requeue(
    conversation: Conversation,
    agent_id: int,
    queue_id: int | None = None,
    route_now: bool = True,
) -> bool:
    """Take a conversation from its agent back to the front of a queue (its own by default).

    Routed again at once (never back to the agent it left) unless route_now is False.
    Returns False when the conversation was no longer this agent's.
    """
    db.session.execute(select(Agent.id).where(Agent.id == agent_id).with_for_update())
    queue_id = queue_id or conversation.queue_id
    if not compare_and_set(
        update(Conversation)
        .where(
            Conversation.id == conversation.id,
            Conversation.state == "assigned",
            Conversation.agent_id == agent_id,
        )
        .values(state="waiting", queue_id=queue_id, queued_at=_front_of(queue_id), agent_id=None)
    ):
        db.session.rollback()
        return False
    capacity.free_capacity(agent_id)
    leave_agent(conversation, agent_id)
    _handed_off(conversation, route_now, exclude=agent_id)
    return True


def _handed_off(
    conversation: Conversation, route_now: bool = True, exclude: int | None = None
) -> Agent | None:
    db.session.refresh(conversation)
    queue = db.session.get_one(Queue, conversation.queue_id)
    messages.activity(conversation, "handOff", info={"queue": queue.name})
    publish_queue(conversation.queue_id)
    db.session.commit()
    return do_route(conversation, exclude) if route_now else None


def _front_of(queue_id: int) -> datetime:
    """A queued_at that sorts before every conversation waiting in the queue."""
    oldest = db.session.scalar(
        select(func.min(Conversation.queued_at)).where(
            Conversation.queue_id == queue_id, Conversation.state == "waiting"
        )
    )
    now = utcnow()
    return min(oldest, now) - timedelta(milliseconds=1) if oldest else now


def do_route(conversation: Conversation, exclude: int | None = None) -> Agent | None:
    """Give a waiting conversation an agent (not `exclude`), or say none is available."""
    for agent in capacity.candidates(conversation.queue_id):
        if agent.id == exclude:
            continue
        if do_assign(conversation, agent):
            return agent
        db.session.refresh(conversation)
        if conversation.state != "waiting":
            return None
    queue = db.session.get_one(Queue, conversation.queue_id)
    messages.activity(
        conversation,
        "noAgentAvailable",
        info={"queue": queue.name, "position": position(conversation)},
    )
    db.session.commit()
    return None


def do_assign(conversation: Conversation, agent: Agent, require_available: bool = True) -> bool:
    """Give a waiting conversation to agent, atomically; False if either changed meanwhile."""
    if not capacity.take_capacity(agent.id, require_available):
        db.session.rollback()
        return False
    if not compare_and_set(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.state == "waiting")
        .values(state="assigned", agent_id=agent.id, assigned_at=utcnow())
    ):
        db.session.rollback()
        return False
    join_agent(conversation, agent)
    publish_queue(conversation.queue_id)
    db.session.commit()
    return True


def join_agent(conversation: Conversation, agent: Agent) -> None:
    """Add the agent as a participant, announce it, and hand it the conversation."""
    participant_id = "agent-%d-%s" % (agent.id, conversation.conversation_id)
    participant = Participant(
        participant_id=participant_id,
        public_id=participant_id,  # an agent's id is no secret: it lets nobody join
        conversation_pk=conversation.id,
        role="agent",
        name=agent.name,
        agent_id=agent.id,
    )
    existing = db.session.scalar(
        select(Participant).filter_by(participant_id=participant.participant_id)
    )
    if existing is not None:  # the same agent back in the same conversation
        existing.left_at, existing.joined_at, participant = None, utcnow(), existing
    db.session.add(participant)
    db.session.flush()
    db.session.refresh(conversation)
    messages.activity(
        conversation, "participantJoined", info={"participant": messages.who(participant)}
    )
    view = conversation_view.view(conversation, "agent")  # as it is in this transaction
    publish(db.session, "conversation.assigned", {"agentId": agent.id, "view": view})


def leave_agent(conversation: Conversation, agent_id: int) -> None:
    """Mark the agent's participant as gone and announce it (before it stops receiving)."""
    participant = db.session.scalar(
        select(Participant).filter_by(
            conversation_pk=conversation.id, agent_id=agent_id, left_at=None
        )
    )
    if participant is None:
        return
    messages.activity(
        conversation, "participantLeft", info={"participant": messages.who(participant)}
    )
    participant.left_at = utcnow()


def do_drain(queue_ids: Iterable[int], exclude: tuple[int, int] | None = None) -> None:
    """Assign waiting conversations of these queues while agents have room: the oldest
    waiting of all of them first, whichever queue it waits in.

    exclude: a (conversation pk, agent id) pair never to match, so that a conversation an
    agent just transferred away does not come straight back to it.
    """
    open_queues, passed, misses = set(queue_ids), set[int](), 0
    while open_queues and misses < 3:
        waiting = db.session.scalars(
            select(Conversation)
            .where(
                Conversation.queue_id.in_(open_queues),
                Conversation.state == "waiting",
                Conversation.id.not_in(passed),
            )
            .order_by(Conversation.queued_at, Conversation.id)
            .limit(1)
        ).first()
        if waiting is None:
            break
        agents = capacity.candidates(waiting.queue_id)
        if exclude and waiting.id == exclude[0]:
            agents = [a for a in agents if a.id != exclude[1]]
            if not agents:
                passed.add(waiting.id)
                continue
        if not agents:  # nobody can take this queue's conversations: the others may
            open_queues.discard(waiting.queue_id)
            continue
        if any(do_assign(waiting, a) for a in agents):
            misses = 0
        else:
            # Every try lost a race: another process took this conversation or the
            # capacity. Look again (the oldest still waiting, fresh candidates); a few
            # times at most, since each loss means someone else made progress.
            misses += 1
