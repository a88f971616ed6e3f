"""The console's customer panel: who the customer of a conversation is, what they rated,
and their earlier conversations (by the same e-mail or the same identified end user);
for a chat, what the chats API told about the customer (custom data, customer flags),
the context it was created with and the deflection channel of its latest escalation."""

from collections.abc import Sequence
from typing import Any, TypedDict

from sqlalchemy import and_, func, or_, select

from chatwidget.core import chat_customer, conversations, escalations, handling
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, EndUser, Message, Queue
from chatwidget.timestamps import format_utc

EARLIER = 20  # earlier conversations shown at most, newest first
PREVIEW_CHARS = 200


class EndUserView(TypedDict):
    identifier: str | None
    name: str | None
    email: str | None


class Earlier(TypedDict):
    """One of the customer's other conversations."""

    conversationId: str
    chatId: int
    state: str
    createdAt: str
    endedAt: str | None
    rating: int | None
    preview: str | None


class CustomField(TypedDict):
    """One custom data field of the chats API: shown as `label: value`."""

    name: str
    label: str | None
    value: str | int | float | bool


class Panel(TypedDict):
    """The customer panel of a conversation."""

    conversationId: str
    chatId: int
    state: str
    channel: str
    queue: str
    name: str | None
    email: str | None
    phone: str | None
    refId: str | None
    url: str | None
    createdAt: str
    endedAt: str | None
    rating: int | None
    ratingComment: str | None
    endUser: EndUserView | None
    earlier: list[Earlier]
    customData: list[CustomField]
    customerFlags: chat_customer.CustomerFlags
    chatContext: dict[str, Any] | None
    deflectionChannel: str | None


def panel(agent: Agent, conversation_id: str) -> Panel:
    """The panel of a conversation the agent may read (handling.check_reader)."""
    conversation = conversations.get(conversation_id)
    handling.check_reader(agent, conversation)
    customer = conversations.customer_of(conversation)
    details = dict(conversation.customer or {})
    return Panel(
        conversationId=conversation.conversation_id,
        chatId=conversation.id,
        state=conversation.state,
        channel=conversation.channel,
        queue=db.session.get_one(Queue, conversation.queue_id).name,
        name=customer.name if customer else conversations.customer_name(details),
        email=conversation.email,
        phone=conversation.phone,
        refId=conversation.ref_id,
        url=details.get("url"),  # the page the widget was opened on (init's `url`)
        createdAt=format_utc(conversation.created_at),
        endedAt=format_utc(conversation.ended_at),
        rating=conversation.rating,
        ratingComment=conversation.rating_comment,
        endUser=_end_user(conversation.end_user_id),
        earlier=earlier(conversation),
        customData=_custom_data(conversation),
        customerFlags=chat_customer.flags_of(conversation),
        chatContext=(conversation.chat_context or {}).get("context"),
        deflectionChannel=_deflection(conversation),
    )


def _custom_data(conversation: Conversation) -> list[CustomField]:
    """The chat's custom data fields, in the order first given."""
    return [
        CustomField(name=name, label=field.get("label"), value=field.get("value"))
        for name, field in (conversation.custom_data or {}).items()
    ]


def _deflection(conversation: Conversation) -> str | None:
    """The deflection channel the customer chose in the chat's latest escalation."""
    escalation = escalations.latest(conversation)
    return escalation.deflection_channel if escalation is not None else None


def _end_user(end_user_id: int | None) -> EndUserView | None:
    user = db.session.get(EndUser, end_user_id) if end_user_id is not None else None
    if user is None:
        return None
    return EndUserView(identifier=user.identifier, name=user.name, email=user.email)


def earlier(conversation: Conversation) -> list[Earlier]:
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
        Earlier(
            conversationId=c.conversation_id,
            chatId=c.id,
            state=c.state,
            createdAt=format_utc(c.created_at),
            endedAt=format_utc(c.ended_at),
            rating=c.rating,
            preview=previews.get(c.id),
        )
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
