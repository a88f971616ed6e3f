"""A stored message as the sockets carry it (messageArrived, conversationInfo, acks,
the connectors' outbox), and which of those a customer may see."""

from sqlalchemy import select

from chatwidget.core import media
from chatwidget.extensions import db
from chatwidget.models import Message
from chatwidget.timestamps import format_utc


def to_wire(message, conversation_id):
    """A stored message as messageArrived carries it."""
    wire = {
        "id": message.message_id,
        "seq": message.seq,
        "timestamp": format_utc(message.created_at),
        "type": message.type,
        "conversationId": conversation_id,
        "from": message.sender,
        "to": message.to or [],
    }
    if message.type == "ChatMessage":
        wire.update(
            text=message.text,
            tag=message.tag or "",
            refId=message.ref_id,
            attachments=media.wire_attachments(message.attachments) if message.attachments else [],
        )
    else:
        wire.update(activityType=message.activity_type, info=message.info or {})
    return wire


def visible_to_customer(wire, public_id):
    """Whispers never; targeted messages only to those named in `to` and to their sender
    (a stored wire, naming the customer by its public id)."""
    if wire.get("tag") == "whisper":
        return False
    targets = [t.get("id") for t in wire.get("to") or []]
    sender = (wire.get("from") or {}).get("id")
    return not targets or public_id in targets or public_id == sender


def history(conversation, after_seq=0):
    """Stored messages with seq > after_seq, in order, as wire dicts."""
    rows = db.session.scalars(
        select(Message)
        .where(Message.conversation_pk == conversation.id, Message.seq > after_seq)
        .order_by(Message.seq)
    )
    return [to_wire(m, conversation.conversation_id) for m in rows]
