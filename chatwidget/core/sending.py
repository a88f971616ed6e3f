"""Sending a message to a live conversation: the one verb every protocol calls.

A customer socket, an agent socket, a connector and (next) the chats REST API all name
the sender with plain values (AsCustomer, AsAgent) and get a Sent back. The message is
checked and stored by client_messages, with others in one transaction when the group
commit runs (posting), and published for after the commit: the socket bridge
(chatwidget.sockets.bridge) picks its rooms, and connector_outbox writes the outbox row
of an agent's reply to an SMS, FB or Twitter customer in the same transaction.
"""

from typing import Any, NamedTuple

from chatwidget.core import posting, senders


class AsCustomer(NamedTuple):
    """The customer of a conversation, proven by its participant id (its secret)."""

    conversation_id: str
    participant_id: str

    def lookup(self) -> tuple[senders.LiveConversation, senders.Sender]:
        """The conversation and the sender, or Forbidden (senders.customer_sender)."""
        return senders.customer_sender(self.conversation_id, self.participant_id)


class AsAgent(NamedTuple):
    """A signed-in agent, in a conversation assigned to it."""

    agent_id: int
    conversation_id: str

    def lookup(self) -> tuple[senders.LiveConversation, senders.Sender]:
        """The conversation and the sender, or Forbidden/NotFound (senders.agent_sender)."""
        return senders.agent_sender(self.agent_id, self.conversation_id)


class Sent(NamedTuple):
    """A sent message: its id and seq (None for typing, which is never stored), and
    whether it is stored (False for typing)."""

    message_id: str
    seq: int | None
    conversation_id: str
    stored: bool


def sent(posted: tuple[dict[str, Any], bool]) -> Sent:
    """A Sent from what posting answers: (the message as published, stored?)."""
    message, stored = posted
    return Sent(message["id"], message.get("seq"), message["conversationId"], stored)


def do_send_message(sender: AsCustomer | AsAgent, data: dict[str, Any]) -> Sent:
    """Check, store and commit a ChatMessage (or relay typing) from sender; published
    once committed. data: the sendMessage fields (type, id, text, to, tag, refId,
    attachments, activityType) as the adapter's schema loaded them. Raises CoreError
    (Forbidden, NotFound, InvalidInput, InvalidState) before anything is stored."""
    return sent(posting.post(sender.lookup, data))
