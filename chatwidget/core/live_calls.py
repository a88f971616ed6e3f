"""Live conversations become calls: captured in the seed-000 shape when they end.

One code path for both origins: an ended conversation is turned into a ChatCall
document and stored by capture.do_capture, which also queues the summary webhook.
"""

from typing import Any

from sqlalchemy import delete, select

from chatwidget.core import capture
from chatwidget.core.purge import on_purge
from chatwidget.extensions import db
from chatwidget.models import Call, Conversation, Message, Participant, Queue

_TYPES = {"customer": "Customer", "agent": "Agent", "bot": "Bot", "system": "System"}


def _system_line(message: Message) -> str | None:
    """An activity as a line of the System contact."""
    info = message.info or {}
    who = (info.get("participant") or {}).get("name", "")
    lines: dict[str | None, str] = {
        "participantJoined": "%s joined the conversation." % who,
        "participantLeft": "%s left the conversation." % who,
        "handOff": "Waiting in queue %s." % info.get("queue", ""),
        "noAgentAvailable": "No agent available (position %s)." % info.get("position", "?"),
        "endOfConversation": "Conversation ended (%s)." % info.get("reason", ""),
    }
    return lines.get(message.activity_type)


def _content(message: Message) -> str:
    if message.text:
        return message.text
    names = ", ".join(a.get("name", "file") for a in message.attachments or [])
    return "[attachment: %s]" % names


def _contact(participant: Participant, customer: dict[str, Any]) -> dict[str, Any]:
    contact: dict[str, Any] = {"Type": _TYPES.get(participant.role, participant.role.title())}
    if participant.role == "customer":
        contact.update(
            FirstName=customer.get("firstName"),
            LastName=customer.get("lastName"),
            Email=customer.get("email"),
            Phone=customer.get("phone"),
        )
    else:
        contact["FirstName"] = participant.name
    if participant.agent_id:
        contact["ReferenceId"] = str(participant.agent_id)
    contact["Messages"] = []
    return {k: v for k, v in contact.items() if v is not None}


def chat_call(conversation: Conversation) -> capture.ChatCall:
    """The ChatCall document of an ended conversation (whispers left out)."""
    people = db.session.scalars(
        select(Participant).where(Participant.conversation_pk == conversation.id)
    ).all()
    customer = dict(conversation.customer or {})
    contacts: dict[str | None, dict[str, Any]] = {
        p.public_id: _contact(p, customer) for p in people
    }  # as messages name them
    for p in people:
        if p.role == "customer" and conversation.ref_id:
            contacts[p.public_id]["ReferenceId"] = conversation.ref_id
    system: dict[str, Any] = {"Type": "System", "Messages": []}
    rows = db.session.scalars(
        select(Message).where(Message.conversation_pk == conversation.id).order_by(Message.seq)
    )
    for m in rows:
        if m.type == "ChatMessage" and m.tag != "whisper":
            target = contacts.get((m.sender or {}).get("id"), system)
            target["Messages"].append({"Content": _content(m), "UtcTimestamp": m.created_at})
        elif m.type == "ActivityMessage" and _system_line(m):
            system["Messages"].append({"Content": _system_line(m), "UtcTimestamp": m.created_at})
    stamps = [m["UtcTimestamp"] for c in (*contacts.values(), system) for m in c["Messages"]]
    return {
        "SessionId": conversation.conversation_id,
        "MasterCallId": None,
        "UtcStart": conversation.created_at,
        "UtcEnd": max([conversation.ended_at, *stamps]),
        "Contacts": [*contacts.values(), system],
        "Metadata": _metadata(conversation),
    }


def _metadata(conversation: Conversation) -> dict[str, Any]:
    queue = db.session.get(Queue, conversation.queue_id)
    customer = conversation.customer or {}
    values = {
        "conversationId": conversation.conversation_id,
        "channel": conversation.channel,
        "queue": queue.name if queue else None,
        "refId": conversation.ref_id,
        "requestId": conversation.request_id,
        "url": customer.get("url"),
        "language": customer.get("language"),
        "endReason": conversation.end_reason,
    }
    return {k: v for k, v in values.items() if v is not None}


def do_capture_ended(conversation: Conversation) -> Call | None:
    """Store the ended conversation as a call; commits the caller's transaction with it."""
    if capture.session_exists(conversation.conversation_id):
        return None
    return capture.do_capture(chat_call(conversation), source="channel")


@on_purge
def purge_conversations(call_pks: list[int]) -> None:
    """A purged call takes its conversation along: participants and messages cascade."""
    sessions = select(Call.session_id).where(Call.id.in_(call_pks))
    db.session.execute(
        delete(Conversation)
        .where(Conversation.conversation_id.in_(sessions), Conversation.state == "ended")
        .execution_options(synchronize_session=False)
    )
