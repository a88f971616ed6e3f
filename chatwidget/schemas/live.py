"""Wire formats of the live conversations' Socket.IO events (CONTRACT §4, §5):
messageArrived, conversationInfo and conversationAssigned, dumped from the core's plain
values (messages.Stored and Typing, conversation_view.View).

A customer's own sockets get copies naming the customer by its secret (for_customer);
every other socket, and what is stored, names it by its public id.
"""

from typing import Any

from chatwidget.core import media
from chatwidget.core.conversation_view import Facts, Person, View
from chatwidget.core.customer_view import Own, named_customer
from chatwidget.core.messages import Typing
from chatwidget.timestamps import format_utc

Wire = dict[str, Any]


def message(stored: Any, conversation_id: str) -> Wire:
    """A stored message (a Stored, or a Message row) as messageArrived carries it."""
    wire = {
        "id": stored.message_id,
        "seq": stored.seq,
        "timestamp": format_utc(stored.created_at),
        "type": stored.type,
        "conversationId": conversation_id,
        "from": stored.sender,
        "to": stored.to or [],
    }
    if stored.type == "ChatMessage":
        wire.update(
            text=stored.text,
            tag=stored.tag or "",
            refId=stored.ref_id,
            attachments=media.wire_attachments(stored.attachments) if stored.attachments else [],
        )
    else:
        wire.update(activityType=stored.activity_type, info=stored.info or {})
    return wire


def typing(relayed: Typing, conversation_id: str) -> Wire:
    """Typing as messageArrived carries it (never stored: no seq)."""
    return {
        "id": relayed.id,
        "timestamp": format_utc(relayed.created_at),
        "type": "ActivityMessage",
        "conversationId": conversation_id,
        "from": relayed.sender,
        "to": relayed.to,
        "activityType": "typing",
        "info": relayed.info,
    }


def arrived(payload: dict[str, Any]) -> tuple[Wire, Wire]:
    """A message.new event's messageArrived: (for everyone, for the customer's own
    sockets); the same wire twice when the message does not name the customer."""
    relayed, cid = payload["message"], payload["conversationId"]
    wire = typing(relayed, cid) if isinstance(relayed, Typing) else message(relayed, cid)
    own: Own | None = payload["own"]
    return wire, (for_customer(wire, own) if own is not None else wire)


def _own(entry: Any, own: Own) -> Any:
    return dict(entry, id=own.secret) if entry and entry.get("id") == own.public_id else entry


def for_customer(wire: Wire, own: Own) -> Wire:
    """The wire with the customer's own entry carrying its secret: a copy, the wire itself
    is not changed."""
    copy = dict(wire, to=[_own(t, own) for t in wire.get("to") or ()])
    copy["from"] = _own(wire.get("from"), own)
    info = wire.get("info")
    if info and "participant" in info:
        copy["info"] = dict(info, participant=_own(info["participant"], own))
    return copy


def _describe(facts: Facts) -> Wire:
    queue = {"id": facts.queue[0], "name": facts.queue[1]} if facts.queue else None
    return {
        "conversationId": facts.conversation_id,
        "chatId": facts.chat_id,
        "channel": facts.channel,
        "state": facts.state,
        "queue": queue,
        "customer": dict(facts.customer, refId=facts.ref_id),
        "requestId": facts.request_id,
        "createdAt": format_utc(facts.created_at),
        "endedAt": format_utc(facts.ended_at),
        "endReason": facts.end_reason,
    }


def _participant(person: Person) -> Wire:
    return {
        "id": person.public_id,
        "name": person.name,
        "role": person.role,
        "joinedAt": format_utc(person.joined_at),
        "leftAt": format_utc(person.left_at),
    }


def _own_message(wire: Wire, own: Own) -> Wire:
    named = named_customer(wire.get("from"), wire.get("to"), wire.get("info"))
    return for_customer(wire, own) if named == own.public_id else wire


def conversation_info(view: View) -> Wire:
    """conversationInfo (and conversationAssigned): the conversation, its messages and
    its participants; for a customer's own socket, naming the customer by its secret."""
    cid = view.conversation.conversation_id
    messages = [message(m, cid) for m in view.messages]
    participants = [_participant(p) for p in view.participants]
    own = view.own
    if own is not None:
        messages = [_own_message(m, own) for m in messages]
        participants = [_own(p, own) for p in participants]
    return {
        "conversation": _describe(view.conversation),
        "messages": messages,
        "participant": participants,
        "role": view.role,
    }
