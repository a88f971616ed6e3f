"""What a customer's own sockets see: the customer named by its secret.

A customer's participant id (from init) is the secret that lets its holder join the
conversation and read its transcript. Everything stored and everything agents,
connectors, webhooks and calls see names the customer by its public id instead
(messages.who); only the copies made here, for the customer's own sockets, carry the
secret in the customer's own entry.
"""

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


def named_customer(wire):
    """The public id of the customer a wire names in from, to or info.participant, or None
    (a conversation has one customer)."""
    sender = wire.get("from")
    if sender and sender.get("role") == "customer":
        return sender["id"]
    for entry in wire.get("to") or ():
        if entry.get("role") == "customer":
            return entry["id"]
    named = (wire.get("info") or {}).get("participant")
    if named and named.get("role") == "customer":
        return named["id"]
    return None


def _own(entry, public_id, secret):
    return dict(entry, id=secret) if entry and entry.get("id") == public_id else entry


def for_customer(wire, public_id, secret):
    """The wire with the customer's own entry carrying its secret: a copy, the wire itself
    is not changed."""
    own = dict(wire, to=[_own(t, public_id, secret) for t in wire.get("to") or ()])
    own["from"] = _own(wire.get("from"), public_id, secret)
    info = wire.get("info")
    if info and "participant" in info:
        own["info"] = dict(info, participant=_own(info["participant"], public_id, secret))
    return own


def own_copy(conversation, wire, customer=None):
    """The customer's copy of a wire of this conversation, or None when the wire does not
    name the customer (then it is the same for everyone). customer: its participant when
    the caller has it at hand (a customer's own message), else it is read."""
    public_id = named_customer(wire)
    if public_id is None:
        return None
    if customer is not None and customer.public_id == public_id:
        secret = customer.participant_id
    else:
        secret = _SECRET.scalar(pk=conversation.id, public=public_id)
    return for_customer(wire, public_id, secret)


def own_info(info, customer):
    """conversationInfo (or its ack) for the customer's own socket: its messages and its
    entry in the participant list with its secret."""
    public_id, secret = customer.public_id, customer.participant_id
    return dict(
        info,
        messages=[
            for_customer(m, public_id, secret) if named_customer(m) == public_id else m
            for m in info["messages"]
        ],
        participant=[_own(p, public_id, secret) for p in info["participant"]],
    )
