"""Messages of live conversations: stored with a gap-free seq and published for after the
commit; typing relayed at once. How a message reads on the wire is
chatwidget.schemas.live's: the events carry plain values."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from chatwidget.core import customer_view, message_rows
from chatwidget.core.errors import InvalidInput, InvalidState
from chatwidget.core.events import dispatch_now, publish
from chatwidget.extensions import db
from chatwidget.models import Message, Participant
from chatwidget.models.types import utcnow
from chatwidget.patches.prepared import Prepared

ACTIVITY_TYPES = (
    "greetings",
    "typing",
    "participantAdded",
    "participantRemoved",
    "participantJoined",
    "participantLeft",
    "endOfConversation",
    "handOff",
    "noAgentAvailable",
)
SYSTEM = {"id": "system", "name": "System", "role": "system"}


def who(participant: Any) -> dict[str, Any]:
    """A participant as messages name it: by its public id (a customer's participant_id is
    its secret, which only its own sockets see: for_customer())."""
    return {"id": participant.public_id, "name": participant.name, "role": participant.role}


# Compiled once (chatwidget.patches.prepared); a message's own row: core.message_rows.
_message = Message.__table__
_participant = Participant.__table__
_AGENTS_IN = Prepared(
    select(_participant.c.agent_id).where(
        _participant.c.conversation_pk == bindparam("pk"),
        _participant.c.role == "agent",
        _participant.c.left_at.is_(None),
    )
)
# Columns the ORM would fill from their defaults when not given: always written here.
_DEFAULTS = {"to": list, "tag": str, "attachments": list}


def agents_in(conversation: Any) -> list[int]:
    """Ids of the agents currently in a conversation (a LiveConversation read them
    with itself, in the same transaction)."""
    known = getattr(conversation, "agents", None)
    return known if known is not None else _AGENTS_IN.scalars(pk=conversation.id)


def _is_reply(sender: dict[str, Any], kind: str, fields: dict[str, Any]) -> bool:
    """An agent's ChatMessage the customer sees (a whisper is no response to them)."""
    return (
        kind == "ChatMessage" and sender.get("role") == "agent" and fields.get("tag") != "whisper"
    )


class Stored(SimpleNamespace):
    """A message as store() wrote it: the row's columns as attributes, not an ORM object
    (reading it after the commit costs no query, building it no instrumentation)."""


_COLUMNS = tuple(column.key for column in _message.columns)


class Draft(NamedTuple):
    """A message checked and ready to store (draft()): store_all() writes it."""

    conversation: Any
    customer: Any  # the conversation's customer participant, when at hand
    row: message_rows.Row


def draft(
    conversation: Any,
    sender: dict[str, Any],
    kind: str,
    message_id: str | None = None,
    customer: Any = None,
    **fields: Any,
) -> Draft:
    """The Draft of a message, for store_all() (store()'s arguments)."""
    values = {
        "message_id": message_id or str(uuid.uuid4()),
        "conversation_pk": conversation.id,
        "type": kind,
        "sender": sender,
        "created_at": utcnow(),
        **{name: make() for name, make in _DEFAULTS.items()},
        **fields,
    }
    return Draft(conversation, customer, message_rows.Row(values, _is_reply(sender, kind, fields)))


def store_all(drafts: Sequence[Draft]) -> list[Stored]:
    """Store messages in the caller's transaction, in their order, each with its
    conversation's next seq, and publish each for after the commit; returns them as
    written (Stored). On PostgreSQL a batch of chat messages is one round trip."""
    db.session.flush()  # pending ORM changes first, as the ORM's own insert would have
    written = message_rows.write_all([d.row for d in drafts])
    stored = []
    for (conversation, customer, row), (message_pk, seq) in zip(drafts, written, strict=True):
        message = Stored(**{**dict.fromkeys(_COLUMNS), **row.values, "seq": seq, "id": message_pk})
        publish_message(conversation, message, customer)
        stored.append(message)
    return stored


def store(
    conversation: Any,
    sender: dict[str, Any],
    kind: str,
    message_id: str | None = None,
    customer: Any = None,
    **fields: Any,
) -> Stored:
    """Store a message in the caller's transaction and publish it for after the commit;
    returns it as written (a Stored). customer: the conversation's customer participant
    when the caller has it at hand (else read if the message names it)."""
    return store_all([draft(conversation, sender, kind, message_id, customer, **fields)])[0]


def _fan_out(conversation: Any, message: Any, customer: Any = None) -> dict[str, Any]:
    """The message.new payload of a message (a Stored, or a Typing): plain values, which
    the socket bridge dumps (chatwidget.schemas.live). `own`: the customer the message
    names, whose own sockets get a copy naming it by its secret (customer_view.Own)."""
    return {
        "message": message,
        "conversationId": conversation.conversation_id,
        "conversationPk": conversation.id,
        "channel": conversation.channel,
        "refId": conversation.ref_id,
        # Read with the conversation already: whether a customer's message goes to its
        # virtual agent (state "va") costs the relay no query.
        "state": conversation.state,
        "agents": agents_in(conversation),
        "own": customer_view.own(conversation, message, customer),
    }


def publish_message(conversation: Any, message: Stored, customer: Any = None) -> None:
    """Queue the fan-out of a stored message: rooms are chosen by the socket bridge."""
    publish(db.session, "message.new", _fan_out(conversation, message, customer))


def plain(message: Message) -> Stored:
    """A stored message as plain values (no ORM object to expire at the commit)."""
    return Stored(**{name: getattr(message, name) for name in _COLUMNS})


def activity(
    conversation: Any,
    activity_type: str,
    info: dict[str, Any] | None = None,
    sender: dict[str, Any] | None = None,
    to: list[dict[str, Any]] | None = None,
) -> Stored:
    """Store a server-made ActivityMessage."""
    return store(
        conversation,
        sender or SYSTEM,
        "ActivityMessage",
        activity_type=activity_type,
        info=info or {},
        to=to or [],
    )


class Typing(NamedTuple):
    """Typing, relayed at once and never stored: the fields of its ActivityMessage."""

    id: str
    created_at: datetime
    sender: dict[str, Any]
    to: list[dict[str, Any]]
    info: dict[str, Any]


def relay_typing(conversation: Any, participant: Any, to: list[dict[str, Any]]) -> Typing:
    """Typing is relayed to the others at once and never stored."""
    typing = Typing(str(uuid.uuid4()), utcnow(), who(participant), to, {})
    customer = participant if participant.role == "customer" else None
    dispatch_now("message.new", dict(_fan_out(conversation, typing, customer), transient=True))
    return typing


def find_by_id(conversation: Any, message_id: str) -> Message | None:
    """A stored message of this conversation by its id, or None."""
    return db.session.scalar(
        select(Message).filter_by(conversation_pk=conversation.id, message_id=message_id)
    )


def check_open(conversation: Any) -> None:
    """InvalidState once a conversation has ended."""
    if conversation.state == "ended":
        raise InvalidState("the conversation has ended")


def check_client_id(value: Any) -> str | None:
    """A client-supplied message id must be a UUID (so it cannot collide by accident);
    returned in canonical form (lower case, hyphens), which is what is stored and looked
    up: any case, braces or a urn:uuid: prefix name the same message (CONTRACT §4)."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput("id must be a UUID", errors={"id": ["Not a valid UUID."]}) from None


def find_greeting(conversation: Any, customer: Any) -> Message | None:
    """The greetings activity stored at the customer's first join, or None."""
    return db.session.scalar(
        select(Message)
        .filter_by(conversation_pk=conversation.id, activity_type="greetings")
        .order_by(Message.seq)
        .limit(1)
    )
