"""The chats API's webhooks chat.created, chat.message and chat.ended, written as their
change is: in its transaction (an in-transaction subscriber of the core's events), so a
chat that failed to open, a message that was not stored or an end that rolled back fires
nothing, and one that happened always fires.

The chat object is dumped here, with the chats API's own schema: the body a receiver
gets is exactly what GET /apps/api/v1/chats/:id answers at that moment.
"""

from typing import Any

from chatwidget.core import chat_messages, chat_view, webhooks
from chatwidget.core.chat_webhooks import enqueue_chat_event
from chatwidget.core.events import subscribe_in_transaction
from chatwidget.extensions import db
from chatwidget.models import Conversation
from chatwidget.schemas.chat_messages import ListedMessageSchema
from chatwidget.schemas.chats import ChatSchema

_CHAT = ChatSchema()
_MESSAGE = ListedMessageSchema()
# core event → chats webhook event
_EVENTS = {"conversation.opened": "chat.created", "conversation.ended": "chat.ended"}


def chat_object(conversation: Conversation) -> dict[str, Any]:
    """The chat object's JSON values, as the chats API answers them."""
    dumped: dict[str, Any] = _CHAT.dump(chat_view.chat_view(conversation))
    return dumped


def write_chat_events(name: str, payload: dict[str, Any]) -> None:
    """Queue chat.created, chat.message or chat.ended for the webhooks that take it."""
    if name == "message.new":
        _chat_message(payload)
        return
    event = _EVENTS.get(name)
    if event is not None:  # the chat object is made only if some webhook takes the event
        pk = payload["conversationPk"]
        enqueue_chat_event(event, lambda: chat_object(db.session.get_one(Conversation, pk)))


def _chat_message(payload: dict[str, Any]) -> None:
    """chat.message for a chat message (not an activity, not a whisper). On every
    message: nothing is read unless some webhook takes chat.message (a cached answer)."""
    stored = payload["message"]
    if stored.type != "ChatMessage" or stored.tag == "whisper":
        return
    if "chat.message" not in webhooks.subscribed_events(cached=True):
        return
    conversation = db.session.get_one(Conversation, payload["conversationPk"])
    message = chat_messages.message_view(conversation, stored.id)
    if message is not None:
        dumped = _MESSAGE.dump(message)
        enqueue_chat_event("chat.message", chat_object(conversation), dumped)


def install() -> None:
    """Subscribe once per process."""
    subscribe_in_transaction(write_chat_events)
