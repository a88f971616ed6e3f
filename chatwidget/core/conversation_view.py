"""How a live conversation reads to a participant: conversationInfo and its parts.

Below conversations, routing and the sockets, which all hand a conversation to
someone: the one place that says what a viewer of each role is shown.
"""

from sqlalchemy import select

from chatwidget.core import customer_view, message_wire, messages
from chatwidget.extensions import db
from chatwidget.models import Participant, Queue
from chatwidget.timestamps import format_utc


def participants(conversation):
    """Everyone in the conversation, as conversationInfo lists them."""
    rows = db.session.scalars(
        select(Participant)
        .where(Participant.conversation_pk == conversation.id)
        .order_by(Participant.id)
    )
    out = []
    for p in rows:
        entry = messages.who(p)
        entry["joinedAt"] = format_utc(p.joined_at)
        entry["leftAt"] = format_utc(p.left_at)
        out.append(entry)
    return out


def describe(conversation):
    """The conversation object of conversationInfo and conversationAssigned."""
    queue = db.session.get(Queue, conversation.queue_id)
    return {
        "conversationId": conversation.conversation_id,
        "channel": conversation.channel,
        "state": conversation.state,
        "queue": {"id": queue.id, "name": queue.name} if queue else None,
        "customer": dict(conversation.customer or {}, refId=conversation.ref_id),
        "requestId": conversation.request_id,
        "createdAt": format_utc(conversation.created_at),
        "endedAt": format_utc(conversation.ended_at),
        "endReason": conversation.end_reason,
    }


def info(conversation, role, customer=None, after_seq=0):
    """conversationInfo: the conversation, the messages this viewer may see, participants.
    role "customer": for that customer's own socket (customer: its participant)."""
    history = message_wire.history(conversation, after_seq)
    if role == "customer":
        history = [m for m in history if message_wire.visible_to_customer(m, customer.public_id)]
    out = {
        "conversation": describe(conversation),
        "messages": history,
        "participant": participants(conversation),
        "role": role,
    }
    return customer_view.own_info(out, customer) if role == "customer" else out
