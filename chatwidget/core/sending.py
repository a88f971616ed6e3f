"""Sending a message to a live conversation: the one verb every protocol calls.

A customer socket, an agent socket, a connector and the chats REST API all name the
sender with plain values (AsCustomer, AsAgent, AsEndUser) and get a Sent back. The message is
checked and stored by client_messages, with others in one transaction when the group
commit runs (posting), and published for after the commit: the socket bridge
(chatwidget.sockets.bridge) picks its rooms, and connector_outbox writes the outbox row
of an agent's reply to an SMS, FB or Twitter customer in the same transaction.
"""

from typing import Any

from flask import Flask
from gevent.event import AsyncResult

from chatwidget.core import posting
from chatwidget.core.client_messages import Sent
from chatwidget.core.senders import AsAgent, AsCustomer, AsEndUser
from chatwidget.core.virtual_agents import AsVirtualAgent

__all__ = [
    "AsAgent",
    "AsCustomer",
    "AsEndUser",
    "AsVirtualAgent",
    "Sender",
    "Sent",
    "do_send_message",
    "send_later",
]


# Who sends a message, as every protocol names them.
Sender = AsCustomer | AsAgent | AsEndUser | AsVirtualAgent


def do_send_message(sender: Sender, data: dict[str, Any]) -> Sent:
    """Check, store and commit a ChatMessage (or relay typing) from sender; published
    once committed. data: the sendMessage fields (type, id, text, to, tag, refId,
    attachments, activityType) as the adapter's schema loaded them. Raises CoreError
    (Forbidden, NotFound, InvalidInput, InvalidState) before anything is stored."""
    return posting.do_post(sender, data)


def send_later(app: Flask, sender: Sender, data: dict[str, Any]) -> AsyncResult | None:
    """do_send_message() handed to the served process's group commit without waiting:
    an AsyncResult set to its Sent (or the CoreError refusing it) once committed; None
    when the process does not post that way (then call do_send_message()). Callable
    outside an app context."""
    return posting.submit_later(app, sender, data)
