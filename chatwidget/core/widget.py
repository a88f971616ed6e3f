"""What the widget asks besides the chat itself: availability, rating, offline messages."""

import secrets
import uuid
from datetime import timedelta
from typing import Any, TypedDict

from flask import current_app
from sqlalchemy import exists, func, or_, select, update

from chatwidget.core import call_metadata, conversations, messages
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from chatwidget.core.queues import find_queue, queue_for_subject
from chatwidget.extensions import db
from chatwidget.models import Agent, AgentSocket, Call, Conversation, Participant
from chatwidget.models.agent import agent_skill
from chatwidget.models.types import utcnow


class Availability(TypedDict):
    """Whether a queue has an agent free now, and how many conversations wait in it."""

    available: bool
    waiting: int


def availability(subject: str | None) -> Availability:
    """{"available", "waiting"} of the queue a conversation with this subject would wait in.

    available: an agent with the queue's skill is `available` with spare capacity and is
    connected, or is within its grace period (AGENT_GRACE_S) after its socket dropped, so
    it is routed to as soon as it is back. waiting: conversations waiting in the queue.
    Reads only: a default queue not yet created has nobody and nothing waiting.
    """
    queue = (find_queue(subject) if subject else None) or find_queue(
        current_app.config["DEFAULT_QUEUE"]
    )
    if queue is None:
        return Availability(available=False, waiting=0)
    grace = utcnow() - timedelta(seconds=current_app.config["AGENT_GRACE_S"])
    agent = (
        select(Agent.id)
        .join(agent_skill, agent_skill.c.agent_id == Agent.id)
        .where(
            agent_skill.c.queue_id == queue.id,
            Agent.status == "available",
            Agent.active_chats < Agent.max_chats,
            or_(exists().where(AgentSocket.agent_id == Agent.id), Agent.disconnected_at >= grace),
        )
    )
    waiting = select(func.count(Conversation.id)).where(
        Conversation.queue_id == queue.id, Conversation.state == "waiting"
    )
    return Availability(
        available=bool(db.session.scalar(select(exists(agent)))),
        waiting=db.session.scalar(waiting) or 0,
    )


def do_rate(
    conversation_id: str, participant_id: str, rating: int, comment: str | None = None
) -> Call | None:
    """The customer rates an ended conversation, once: stored with it and set in its
    call's Metadata as CustomerRating (a string, as seed 000's sample) and
    CustomerComment. NotFound for a wrong pair (nothing revealed); InvalidState before
    the end; Conflict the second time."""
    try:
        conversation, _ = conversations.check_customer(conversation_id, participant_id)
    except Forbidden:  # as the transcripts answer: neither half of the pair is confirmed
        raise NotFound("no conversation %s for this participant" % conversation_id) from None
    if conversation.state != "ended":
        raise InvalidState("the conversation has not ended: rate it once it has")
    comment = (comment or "").strip() or None
    if not compare_and_set(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.rating.is_(None))
        .values(rating=rating, rating_comment=comment, rated_at=utcnow())
    ):
        db.session.rollback()
        raise Conflict("this conversation has already been rated")
    metadata = {"CustomerRating": str(rating)}
    if comment:
        metadata["CustomerComment"] = comment
    has_call = db.session.scalar(
        select(exists().where(Call.session_id == conversation.conversation_id))
    )
    if has_call:  # committed with the rating, in one transaction
        return call_metadata.do_session_metadata(conversation.conversation_id, None, metadata)
    db.session.commit()
    return None


def do_offline(data: dict[str, Any]) -> Conversation:
    """A message left while nobody could answer: a conversation in state `offline`, the
    text its first ChatMessage from the customer, for agents to answer by e-mail."""
    limit = current_app.config["MAX_MESSAGE_CHARS"]
    text = data["text"].strip()
    if not text or len(text) > limit:
        reason = "1 to %d characters." % limit
        raise InvalidInput("text: " + reason, errors={"text": [reason]})
    name, email = (data.get("name") or "").strip(), data["email"].strip()
    conversation = Conversation(
        conversation_id=str(uuid.uuid4()),
        channel="web",
        state="offline",
        queue_id=queue_for_subject(data.get("subject")).id,
        customer={k: v for k, v in (("firstName", name), ("email", email)) if v},
        email=email.lower(),
    )
    db.session.add(conversation)
    db.session.flush()
    customer = Participant(
        participant_id=secrets.token_urlsafe(24),  # nobody holds it: nobody joins
        public_id="cus_" + secrets.token_urlsafe(12),
        conversation_pk=conversation.id,
        role="customer",
        name=(name or email)[:200],
    )
    db.session.add(customer)
    db.session.flush()
    messages.store(conversation, messages.who(customer), "ChatMessage", None, customer, text=text)
    db.session.commit()
    return conversation
