"""What a customer may see, and how its own sockets name it.

A customer's participant id (from init) is the secret that lets its holder join the
conversation and read its transcript. Everything stored and everything agents,
connectors, webhooks and calls see names the customer by its public id instead
(messages.who); only the copies made for the customer's own sockets
(chatwidget.schemas.live) carry the secret, which the core hands them as a plain value
(Own).
"""

from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from chatwidget.models import Participant
from chatwidget.patches.prepared import Prepared

_participant = Participant.__table__
_SECRET = Prepared(
    select(_participant.c.participant_id).where(
        _participant.c.conversation_pk == bindparam("pk"),
        _participant.c.public_id == bindparam("public"),
        _participant.c.role == "customer",
    )
)


class Own(NamedTuple):
    """The customer a message names, for its own sockets' copy: by public id and secret."""

    public_id: str
    secret: str


def visible_to_customer(
    tag: str | None, to: list[dict[str, Any]] | None, sender: Any, public_id: str | None
) -> bool:
    """Whispers never; targeted messages only to those named in `to` and to their sender
    (a stored message, naming the customer by its public id)."""
    if tag == "whisper":
        return False
    targets = [t.get("id") for t in to or []]
    sender_id = (sender or {}).get("id")
    return not targets or public_id in targets or public_id == sender_id


def named_customer(sender: Any, to: Any, info: Any) -> str | None:
    """The public id of the customer a message names in its sender, to or
    info.participant, or None (a conversation has one customer)."""
    if sender and sender.get("role") == "customer":
        return str(sender["id"])
    for entry in to or ():
        if entry.get("role") == "customer":
            return str(entry["id"])
    named = (info or {}).get("participant")
    if named and named.get("role") == "customer":
        return str(named["id"])
    return None


def own(conversation: Any, message: Any, customer: Any = None) -> Own | None:
    """The customer a stored message of this conversation names, or None (then it reads
    the same for everyone). customer: its participant when the caller has it at hand (a
    customer's own message), else its secret is read."""
    public_id = named_customer(message.sender, message.to, message.info)
    if public_id is None:
        return None
    if customer is not None and customer.public_id == public_id:
        return Own(public_id, customer.participant_id)
    return Own(public_id, _SECRET.scalar(pk=conversation.id, public=public_id))
