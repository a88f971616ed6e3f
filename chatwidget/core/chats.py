"""Chats of the chats API (CONTRACT §3, §7): opened, found, and their end users.

A chat is a live conversation like any other: created here it is routed to agents,
shown in the console and reachable from every other protocol; every conversation,
whatever opened it, is a chat found by its integer id. A chat opened here has the
channel "api" and the sessionId of its call is its id as a string.
"""

import secrets
from typing import Any, NamedTuple

from sqlalchemy import bindparam, or_, select

from chatwidget.core import virtual_agents
from chatwidget.core.errors import InvalidInput, NotFound
from chatwidget.core.events import publish
from chatwidget.core.queues import queue_for_subject
from chatwidget.extensions import db
from chatwidget.models import Conversation, EndUser, Participant, Queue
from chatwidget.models.types import MAX_ROW_ID, utcnow
from chatwidget.patches.prepared import Prepared

CHANNEL = "api"


def get_chat(chat_id: int) -> Conversation:
    """The conversation whose chat id this is, or NotFound."""
    conversation = db.session.get(Conversation, chat_id) if 0 < chat_id <= MAX_ROW_ID else None
    if conversation is None:
        raise NotFound("no chat %s" % chat_id)
    return conversation


class ChatRef(NamedTuple):
    """What a chat's message needs of its conversation, read without the ORM: the chats
    API's message route is its busiest."""

    id: int
    conversation_id: str
    state: str
    end_user_id: int | None


_REF = Prepared(
    select(
        Conversation.id, Conversation.conversation_id, Conversation.state, Conversation.end_user_id
    ).where(Conversation.id == bindparam("pk"))
)


def chat_ref(chat_id: int) -> ChatRef:
    """get_chat()'s ChatRef: the same NotFound."""
    known = 0 < chat_id <= MAX_ROW_ID
    row = _REF.first(pk=chat_id) if known else None
    if row is None:
        raise NotFound("no chat %s" % chat_id)
    return ChatRef(*row)


def check_live(conversation: Conversation | ChatRef) -> None:
    """InvalidInput (400, the vendor's words) unless the chat is still going on."""
    if conversation.state in ("ended", "offline"):
        raise InvalidInput("Chat is already ended")


def _queue(menu_id: int | None) -> Queue:
    """The queue a menu id names; DEFAULT_QUEUE when none is given."""
    if menu_id is None:
        return queue_for_subject(None)
    queue = db.session.get(Queue, menu_id)
    if queue is None:
        raise InvalidInput(
            "no menu %s" % menu_id, errors={"chat": {"menu_id": ["No menu with this id."]}}
        )
    return queue


def _end_user(end_user_id: int | None, phone: str | None, email: str | None) -> EndUser:
    """The chat's end user: the one named by id, else the one with this phone or e-mail,
    else a new one (named later by POST …/end-user), in the caller's transaction."""
    if end_user_id is not None:
        user = db.session.get(EndUser, end_user_id)
        if user is None:
            raise InvalidInput(
                "no end user %s" % end_user_id,
                errors={"chat": {"end_user_id": ["No end user with this id."]}},
            )
        return user
    known = [EndUser.phone == phone] if phone else []
    known += [EndUser.email == email] if email else []
    if known:
        user = db.session.scalar(select(EndUser).where(or_(*known)).order_by(EndUser.id))
        if user is not None:
            return user
    user = EndUser(phone=phone, email=email, created_at=utcnow())
    db.session.add(user)
    db.session.flush()
    return user


def _customer_name(user: EndUser) -> str:
    return str(user.name or user.email or user.phone or user.identifier or "Customer")[:200]


def do_create_chat(chat: dict[str, Any], end_user: dict[str, Any]) -> Conversation:
    """Open a chat for an end user in a menu's queue and start it: with the menu's virtual
    agent (va_assigned), else routed (handOff, then an agent when one is free).
    chat: menu_id, end_user_id, lang, email, context, transcript; end_user: phone.
    Nothing is stored when the menu or the end user is unknown."""
    email = (chat.get("email") or "").strip().lower() or None
    phone = end_user.get("phone") or None
    queue = _queue(chat.get("menu_id"))
    user = _end_user(chat.get("end_user_id"), phone, email)
    extra = {k: chat[k] for k in ("context", "transcript") if chat.get(k) is not None}
    customer = {"email": email or user.email, "phone": phone or user.phone}
    conversation = Conversation(
        conversation_id="chat-pending-" + secrets.token_hex(8),
        channel=CHANNEL,
        state="new",
        queue_id=queue.id,
        customer={k: v for k, v in customer.items() if v},
        email=customer["email"],
        phone=customer["phone"],
        end_user_id=user.id,
        lang=chat.get("lang"),
        chat_context=extra or None,
    )
    db.session.add(conversation)
    db.session.flush()
    # CONTRACT §2: the call of a chat opened here has its id as sessionId.
    conversation.conversation_id = str(conversation.id)
    db.session.add(
        Participant(
            participant_id=secrets.token_urlsafe(24),  # nobody joins with it: the API speaks
            public_id="cus_" + secrets.token_urlsafe(12),
            conversation_pk=conversation.id,
            role="customer",
            name=_customer_name(user),
        )
    )
    publish(db.session, "conversation.opened", {"conversationPk": conversation.id})
    db.session.commit()
    virtual_agents.do_start(conversation)
    db.session.refresh(conversation)
    return conversation
