"""The chats API's outbound webhooks: chat.created, chat.message, chat.ended (CONTRACT §3).

Delivered from the same persistent outbox as call.summary (retries with backoff, dead
letters, redelivery, the delivery log), signed with each endpoint's secret
(core.signatures: `X-Signature: primary=…[ secondary=…]`, `X-Signature-Timestamp`).
"""

from collections.abc import Callable
from typing import Any

from chatwidget.core import webhooks
from chatwidget.core.events import publish
from chatwidget.extensions import db

CHAT_EVENTS = ("chat.created", "chat.message", "chat.ended")


def _check(event: str, message: dict[str, Any] | None) -> None:
    if event not in CHAT_EVENTS:
        raise ValueError("not a chat webhook event: %r" % event)
    if (event == "chat.message") != (message is not None):
        raise ValueError("a message goes with chat.message, and only with it")


def chat_event_body(
    event: str, chat: dict[str, Any], message: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The body a receiver gets: {"event", "chat"} and, for chat.message only, "message"."""
    _check(event, message)
    body: dict[str, Any] = {"event": event, "chat": chat}
    if message is not None:
        body["message"] = message
    return body


def enqueue_chat_event(
    event: str,
    chat: dict[str, Any] | Callable[[], dict[str, Any]],
    message: dict[str, Any] | None = None,
) -> None:
    """Queue event for every active webhook subscribed to it, in the current transaction.

    chat is the chat object as the chats API answers it, or a function that makes it
    (called only when some webhook takes the event); message (chat.message only) the
    message as `…/messages` lists it. Nothing is committed here: the rows are written
    with the caller's change and vanish with its rollback; once the caller commits, the
    delivery worker is woken. The body is encoded now, so chat and message must be JSON
    values. ValueError for an unknown event or a misplaced message (a bug in the caller,
    not bad input), whether or not a webhook takes the event.
    """
    _check(event, message)

    def body() -> dict[str, Any]:
        return chat_event_body(event, chat() if callable(chat) else chat, message)

    if webhooks.enqueue(db.session.connection(), event, [body]):
        publish(db.session, "outbox.new", {})  # after the commit only: a rollback drops it
