"""Connectors: outbound messages kept until a connector acknowledges them, and inbound
messages that open or continue the customer's conversation on the connector's channel.
"""

import uuid
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from chatwidget.core import conversations, routing
from chatwidget.core.errors import InvalidInput
from chatwidget.core.events import publish
from chatwidget.extensions import db
from chatwidget.models import ConnectorMessage, ConnectorSocket, Conversation
from chatwidget.models.types import utcnow
from chatwidget.schemas.common import format_utc

CONNECTOR_CHANNELS = ("sms", "fb", "twitter")
LEASE_S = 30


def register(sid, channel, process_id):
    """Record a connector socket of this process for its channel."""
    db.session.merge(ConnectorSocket(sid=sid, channel=channel, process_id=process_id))
    db.session.commit()


def unregister(sid):
    """Forget a connector socket; what it did not acknowledge goes out again once its
    lease (LEASE_S) runs out, to whichever connector of the channel is registered then."""
    db.session.execute(delete(ConnectorSocket).where(ConnectorSocket.sid == sid))
    db.session.commit()


def enqueue(channel, ref_id, wire, conversation=None):
    """Keep a message for the channel's connector, in the caller's transaction."""
    wire = dict(wire, refId=ref_id, channel=channel)
    db.session.add(
        ConnectorMessage(
            message_id=wire["id"],
            channel=channel,
            ref_id=ref_id,
            conversation_pk=conversation.id if conversation is not None else None,
            body=wire,
        )
    )
    publish(db.session, "connector.pending", {"channel": channel})
    return wire


def send_outbound(channel, ref_id, text, sender):
    """A message with no conversation (a campaign SMS) for the channel's connector."""
    wire = {
        "id": str(uuid.uuid4()),
        "timestamp": format_utc(utcnow()),
        "type": "ChatMessage",
        "conversationId": None,
        "from": sender,
        "to": [],
        "text": text,
        "tag": "",
        "attachments": [],
    }
    wire = enqueue(channel, ref_id, wire)
    db.session.commit()
    return wire


def forward_reply(conversation, sender, wire):
    """An agent's reply in a connector conversation goes out through the connector."""
    if conversation.channel not in CONNECTOR_CHANNELS or not conversation.ref_id:
        return
    if sender.role != "agent" or wire.get("tag") == "whisper":
        return
    if wire.get("to") and not any(t.get("role") == "customer" for t in wire["to"]):
        return
    enqueue(conversation.channel, conversation.ref_id, wire, conversation)


def claim(channel, limit=100):
    """Lease the channel's oldest pending messages to this caller; returns their bodies."""
    now = utcnow()
    free = or_(ConnectorMessage.lease_until.is_(None), ConnectorMessage.lease_until < now)
    rows = db.session.scalars(
        select(ConnectorMessage)
        .where(ConnectorMessage.channel == channel, ConnectorMessage.status == "pending", free)
        .order_by(ConnectorMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        if routing._cas(
            update(ConnectorMessage)
            .where(ConnectorMessage.id == row.id, free)
            .values(
                lease_until=now + timedelta(seconds=LEASE_S),
                attempts=ConnectorMessage.attempts + 1,
            )
        ):
            claimed.append(row.body)
    db.session.commit()
    return claimed


def acknowledge(message_id):
    """The connector took the message: it is delivered and never sent again."""
    routing._cas(
        update(ConnectorMessage)
        .where(ConnectorMessage.message_id == message_id, ConnectorMessage.status == "pending")
        .values(status="delivered", delivered_at=utcnow(), lease_until=None)
    )
    db.session.commit()


def local_channels(process_id):
    """Channels with a registered connector socket on this process."""
    return set(
        db.session.scalars(
            select(ConnectorSocket.channel).where(ConnectorSocket.process_id == process_id)
        )
    )


def _open_conversation(channel, ref_id):
    """The customer's open conversation on this channel, or a new one already queued."""
    conversation = db.session.scalar(
        select(Conversation)
        .where(
            Conversation.channel == channel,
            Conversation.ref_id == ref_id,
            Conversation.state != "ended",
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if conversation is not None:
        return conversation
    data = {"channel": channel, "refId": ref_id}
    if channel == "sms":
        data["phone"] = ref_id
    conversation, _ = conversations.do_init(data)
    routing.enqueue(conversation)
    return conversation


def receive(channel, data):
    """A connector's inbound message from customer `refId`; returns (conversation, wire)."""
    ref_id = data.get("refId")
    if not isinstance(ref_id, str) or not ref_id.strip() or len(ref_id) > 255:
        raise InvalidInput("refId names the customer on the channel", errors={"refId": []})
    conversation = _open_conversation(channel, ref_id.strip())
    customer = conversations.customer_of(conversation)
    body = dict(data, conversationId=conversation.conversation_id, refId=ref_id.strip())
    wire, _ = conversations.do_post(conversation, customer, body)
    return conversation, wire
