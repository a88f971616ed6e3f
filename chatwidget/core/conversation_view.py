"""How a live conversation reads to a participant: the plain values of conversationInfo.

Below conversations, routing and the sockets, which all hand a conversation to
someone: the one place that says what a viewer of each role is shown. The wire format
is chatwidget.schemas.live's.
"""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select

from chatwidget.core import customer_view, messages
from chatwidget.extensions import db
from chatwidget.models import Conversation, Message, Participant, Queue


class Facts(NamedTuple):
    """The conversation itself, as conversationInfo and conversationAssigned describe it."""

    conversation_id: str
    chat_id: int  # the chats API's id of it (CONTRACT §7)
    channel: str
    state: str
    queue: tuple[int, str] | None  # (id, name)
    customer: dict[str, Any]
    ref_id: str | None
    request_id: str | None
    created_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None


class Person(NamedTuple):
    """A participant as conversationInfo lists it (public_id: how everyone names it)."""

    public_id: str
    name: str
    role: str
    joined_at: datetime | None
    left_at: datetime | None


class View(NamedTuple):
    """conversationInfo's plain values: the conversation, the messages this viewer may
    see (messages.Stored), everyone in it, the viewer's role, and for a customer's own
    socket the customer (customer_view.Own)."""

    conversation: Facts
    messages: list[messages.Stored]
    participants: list[Person]
    role: str
    own: customer_view.Own | None


def people(conversation: Any) -> list[Person]:
    """Everyone in the conversation, in the order they joined it."""
    rows = db.session.scalars(
        select(Participant)
        .where(Participant.conversation_pk == conversation.id)
        .order_by(Participant.id)
    )
    return [Person(p.public_id, p.name, p.role, p.joined_at, p.left_at) for p in rows]


def facts(conversation: Conversation) -> Facts:
    """The conversation's own fields, with its queue's id and name."""
    queue = db.session.get(Queue, conversation.queue_id)
    return Facts(
        conversation.conversation_id,
        conversation.id,
        conversation.channel,
        conversation.state,
        (queue.id, queue.name) if queue else None,
        dict(conversation.customer or {}),
        conversation.ref_id,
        conversation.request_id,
        conversation.created_at,
        conversation.ended_at,
        conversation.end_reason,
    )


def _stored_after(conversation: Conversation, after_seq: int) -> list[messages.Stored]:
    rows = db.session.scalars(
        select(Message)
        .where(Message.conversation_pk == conversation.id, Message.seq > after_seq)
        .order_by(Message.seq)
    )
    return [messages.plain(m) for m in rows]


def view(
    conversation: Conversation, role: str, customer: Participant | None = None, after_seq: int = 0
) -> View:
    """conversationInfo: the conversation, the messages after after_seq this viewer may
    see, participants. role "customer": for that customer's own socket (customer: its
    participant)."""
    history = _stored_after(conversation, after_seq)
    own = None
    if role == "customer":
        assert customer is not None, "a customer's view is its own"
        own = customer_view.Own(customer.public_id, customer.participant_id)
        history = [
            m
            for m in history
            if customer_view.visible_to_customer(m.tag, m.to, m.sender, customer.public_id)
        ]
    return View(facts(conversation), history, people(conversation), role, own)
