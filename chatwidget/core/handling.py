"""What happens to a conversation after routing: accept, transfer, end, re-queue."""

from typing import Any

from sqlalchemy import select, update

from chatwidget.core import capacity, live_calls, messages, routing
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from chatwidget.core.events import publish
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Participant, Queue
from chatwidget.models.types import utcnow

END_REASONS = ("customer", "agent", "timeout", "api", "connector")


def _skill_ids(agent: Agent) -> set[int]:
    return {q.id for q in agent.skills}


def do_accept(agent: Agent, conversation: Conversation) -> None:
    """An agent picks a waiting conversation of one of its queues."""
    messages.check_open(conversation)
    if conversation.queue_id not in _skill_ids(agent):
        raise Forbidden("this conversation waits in a queue you do not serve")
    if conversation.state != "waiting":
        raise Conflict("this conversation is not waiting (it is %s)" % conversation.state)
    if not routing.do_assign(conversation, agent, require_available=False):
        db.session.refresh(agent)
        if agent.active_chats >= agent.max_chats:
            raise Conflict("you are at your limit of %d chats" % agent.max_chats)
        raise Conflict("this conversation was just taken")


def check_handler(agent: Any, conversation: Any) -> None:
    """Forbidden unless the conversation is assigned to this agent; InvalidState once it has
    ended (whoever held it: an agent is told why, not that it is not theirs)."""
    messages.check_open(conversation)
    if conversation.state != "assigned" or conversation.agent_id != agent.id:
        raise Forbidden("this conversation is not assigned to you")


def check_participant(agent: Agent, conversation: Conversation) -> Participant:
    """This agent's participant in a conversation assigned to it, else Forbidden (and the
    refusals of check_handler() first)."""
    check_handler(agent, conversation)
    participant = db.session.scalar(
        select(Participant).filter_by(
            conversation_pk=conversation.id, agent_id=agent.id, left_at=None
        )
    )
    if participant is None:
        raise Forbidden("you are not in this conversation")
    return participant


def check_reader(agent: Agent, conversation: Conversation) -> None:
    """Forbidden unless the agent is or was in the conversation, or it waits in one of the
    agent's queues (conversationInfo, the console's customer panel)."""
    if conversation.state == "waiting" and conversation.queue_id in _skill_ids(agent):
        return
    was_in = db.session.scalar(
        select(Participant.id).filter_by(conversation_pk=conversation.id, agent_id=agent.id)
    )
    if was_in is None:
        raise Forbidden("this conversation is not yours")


def do_transfer_to_queue(agent: Agent, conversation: Conversation, queue_id: Any) -> None:
    """Hand a conversation back to a queue (front of it) for another agent."""
    messages.check_open(conversation)
    queue = db.session.get(Queue, queue_id) if isinstance(queue_id, int) else None
    if queue is None:
        raise NotFound("no queue %s" % queue_id)
    check_handler(agent, conversation)
    if routing.do_requeue(conversation, agent.id, queue.id):
        routing.do_drain(_skill_ids(agent), exclude=(conversation.id, agent.id))


def do_transfer_to_agent(agent: Agent, conversation: Conversation, target_id: Any) -> None:
    """Give a conversation straight to another agent who has room."""
    messages.check_open(conversation)
    target = db.session.get(Agent, target_id) if isinstance(target_id, int) else None
    if target is None:
        raise NotFound("no agent %s" % target_id)
    if target.id == agent.id:
        raise InvalidInput("that is you", errors={"agentId": [target_id]})
    check_handler(agent, conversation)
    first, second = sorted((agent.id, target.id))  # agent rows in id order: no lock cycles
    db.session.execute(select(Agent.id).where(Agent.id.in_((first, second))).with_for_update())
    if not capacity.take_capacity(target.id, require_available=False):
        db.session.rollback()
        raise Conflict("%s has no room for another chat" % target.name)
    capacity.free_capacity(agent.id)
    if not compare_and_set(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.agent_id == agent.id)
        .values(agent_id=target.id, assigned_at=utcnow())
    ):
        db.session.rollback()
        raise Conflict("this conversation changed meanwhile")
    routing.leave_agent(conversation, agent.id)
    db.session.refresh(conversation)
    routing.join_agent(conversation, target)
    db.session.commit()
    routing.do_drain(_skill_ids(agent))


def do_end(
    conversation: Conversation,
    reason: str,
    by: dict[str, Any] | None = None,
    finished_by: dict[str, Any] | None = None,
) -> None:
    """End a conversation: endOfConversation to all (sent by `by`, a who() of the
    participant, else the system), the agent's capacity freed, and the call captured.
    finished_by: the chats API's record of who finished it, stored with the end."""
    if reason not in END_REASONS:
        raise InvalidInput("unknown end reason %s" % reason)
    messages.check_open(conversation)
    agent_id = conversation.agent_id if conversation.state == "assigned" else None
    if agent_id:
        db.session.execute(select(Agent.id).where(Agent.id == agent_id).with_for_update())
    was_waiting = conversation.state == "waiting"
    if not compare_and_set(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.state == conversation.state)
        .values(state="ended", ended_at=utcnow(), end_reason=reason)
        .values({"finished_by": finished_by} if finished_by else {})
    ):
        db.session.rollback()
        raise InvalidState("the conversation changed meanwhile; try again")
    db.session.refresh(conversation)
    messages.activity(conversation, "endOfConversation", info={"reason": reason}, sender=by)
    if agent_id:
        capacity.free_capacity(agent_id)
    if was_waiting:
        routing.publish_queue(conversation.queue_id)
    ended = {"conversationId": conversation.conversation_id, "conversationPk": conversation.id}
    publish(db.session, "conversation.ended", ended)
    live_calls.do_capture_ended(conversation)  # the call is written in the same transaction
    db.session.commit()
    if agent_id:
        agent = db.session.get(Agent, agent_id)
        if agent is not None:
            routing.do_drain(_skill_ids(agent))


def held_by(agent: Agent) -> list[Conversation]:
    """The conversations an agent is serving now, oldest assignment first."""
    return list(
        db.session.scalars(
            select(Conversation)
            .filter_by(agent_id=agent.id, state="assigned")
            .order_by(Conversation.assigned_at, Conversation.id)
        )
    )


def do_requeue_agent(agent: Agent) -> list[Conversation]:
    """An agent gone past the grace period: its conversations go back, to the front.

    All of them first (newest first, so the oldest ends at the very front), then each is
    routed oldest first: the order they waited in is kept.
    """
    conversations = list(
        db.session.scalars(
            select(Conversation)
            .filter_by(agent_id=agent.id, state="assigned")
            .order_by(Conversation.queued_at.desc(), Conversation.id.desc())
        )
    )
    moved = [c for c in conversations if routing.do_requeue(c, agent.id, route_now=False)]
    for conversation in reversed(moved):
        db.session.refresh(conversation)
        if conversation.state == "waiting":
            routing.do_route(conversation, exclude=agent.id)
    return moved
