"""The chats API's webhooks chat.created and chat.ended, written as their change is: in
its transaction (an in-transaction subscriber of the core's events), so a chat that
failed to open or to end fires nothing, and one that did always fires.

The chat object is dumped here, with the chats API's own schema: the body a receiver
gets is exactly what GET /apps/api/v1/chats/:id answers at that moment.
"""

from typing import Any

from chatwidget.core import chat_view, webhooks
from chatwidget.core.chat_webhooks import enqueue_chat_event
from chatwidget.core.events import subscribe_in_transaction
from chatwidget.extensions import db
from chatwidget.models import Conversation
from chatwidget.schemas.chats import ChatSchema

_CHAT = ChatSchema()
# core event → chats webhook event
_EVENTS = {"conversation.opened": "chat.created", "conversation.ended": "chat.ended"}


def chat_object(conversation: Conversation) -> dict[str, Any]:
    """The chat object's JSON values, as the chats API answers them."""
    dumped: dict[str, Any] = _CHAT.dump(chat_view.chat_view(conversation))
    return dumped


def write_chat_events(name: str, payload: dict[str, Any]) -> None:
    """Queue chat.created / chat.ended for the webhooks that take it."""
    event = _EVENTS.get(name)
    if event is None or event not in webhooks.subscribed_events():
        return
    conversation = db.session.get_one(Conversation, payload["conversationPk"])
    enqueue_chat_event(event, chat_object(conversation))


def install() -> None:
    """Subscribe once per process."""
    subscribe_in_transaction(write_chat_events)
