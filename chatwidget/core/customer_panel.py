"""The console's customer panel: who the customer of a conversation is, what they rated,
and their earlier conversations (by the same e-mail or the same identified end user)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select

from chatwidget.core import conversations, handling
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, EndUser, Message, Queue
from chatwidget.timestamps import format_utc

EARLIER = 20  # earlier conversations shown at most, newest first
PREVIEW_CHARS = 200


def panel(agent: Agent, conversation_id: str) -> dict[str, Any]:
    """The panel of a conversation the agent may read (handling.check_reader)."""
    conversation = conversations.get(conversation_id)
    handling.check_reader(agent, conversation)
    customer = conversations.customer_of(conversation)
    details = dict(conversation.customer or {})
    return {
        "conversationId": conversation.conversation_id,
        "chatId": conversation.id,
        "state": conversation.state,
        "channel": conversation.channel,
        "queue": db.session.get_one(Queue, conversation.queue_id).name,
        "name": customer.name if customer else conversations.customer_name(details),
        "email": conversation.email,
        "phone": conversation.phone,
        "refId": conversation.ref_id,
        "url": details.get("url"),  # the page the widget was opened on (init's `url`)
        "createdAt": format_utc(conversation.created_at),
        "endedAt": format_utc(conversation.ended_at),
        "rating": conversation.rating,
        "ratingComment": conversation.rating_comment,
        "endUser": _end_user(conversation.end_user_id),
        "earlier": earlier(conversation),
    }


def _end_user(end_user_id: int | None) -> dict[str, str | None] | None:
    user = db.session.get(EndUser, end_user_id) if end_user_id is not None else None
    if user is None:
        return None
    return {"identifier": user.identifier, "name": user.name, "email": user.email}


def earlier(conversation: Conversation) -> list[dict[str, Any]]:
    """The customer's other conversations, newest first: same e-mail or same end user."""
    same = [
        column == value
        for column, value in (
            (Conversation.email, conversation.email),
            (Conversation.end_user_id, conversation.end_user_id),
        )
        if value is not None
    ]
    if not same:
        return []
    rows = db.session.scalars(
        select(Conversation)
        .where(or_(*same), Conversation.id != conversation.id)
        .order_by(Conversation.created_at.desc(), Conversation.id.desc())
        .limit(EARLIER)
    ).all()
    previews = _previews([c.id for c in rows])
    return [
        {
            "conversationId": c.conversation_id,
            "chatId": c.id,
            "state": c.state,
            "createdAt": format_utc(c.created_at),
            "endedAt": format_utc(c.ended_at),
            "rating": c.rating,
            "preview": previews.get(c.id),
        }
        for c in rows
    ]


def _previews(pks: Sequence[int]) -> dict[int, str]:
    """{conversation pk: the start of its first ChatMessage that is not a whisper}."""
    first = (
        select(Message.conversation_pk, func.min(Message.seq).label("seq"))
        .where(
            Message.conversation_pk.in_(pks),
            Message.type == "ChatMessage",
            Message.tag != "whisper",
        )
        .group_by(Message.conversation_pk)
        .subquery()
    )
    rows = db.session.execute(
        select(Message.conversation_pk, Message.text).join(
            first,
            and_(Message.conversation_pk == first.c.conversation_pk, Message.seq == first.c.seq),
        )
    )
    return {pk: (text or "")[:PREVIEW_CHARS] for pk, text in rows}
