"""The connectors' outbox: outbound messages kept until a connector acknowledges them.

Written in the transaction of the message they carry (an agent's reply in an SMS, FB or
Twitter conversation), claimed under a lease by the channel's connector sockets.
"""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update

from chatwidget.core.atomic import compare_and_set
from chatwidget.core.events import publish
from chatwidget.extensions import db
from chatwidget.models import ConnectorMessage, ConnectorSocket
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc

CONNECTOR_CHANNELS = ("sms", "fb", "twitter")
LEASE_S = 30


def do_register(sid: str, channel: str, process_id: str) -> None:
    """Record a connector socket of this process for its channel."""
    db.session.merge(ConnectorSocket(sid=sid, channel=channel, process_id=process_id))
    db.session.commit()


def do_unregister(sid: str) -> None:
    """Forget a connector socket; what it did not acknowledge goes out again once its
    lease (LEASE_S) runs out, to whichever connector of the channel is registered then."""
    db.session.execute(delete(ConnectorSocket).where(ConnectorSocket.sid == sid))
    db.session.commit()


def enqueue(
    channel: str, ref_id: str, wire: dict[str, Any], conversation_pk: int | None = None
) -> dict[str, Any]:
    """Keep a message for the channel's connector, in the caller's transaction."""
    wire = dict(wire, refId=ref_id, channel=channel)
    db.session.add(
        ConnectorMessage(
            message_id=wire["id"],
            channel=channel,
            ref_id=ref_id,
            conversation_pk=conversation_pk,
            body=wire,
        )
    )
    publish(db.session, "connector.pending", {"channel": channel})
    return wire


def do_send_outbound(
    channel: str, ref_id: str, text: str, sender: dict[str, Any]
) -> dict[str, Any]:
    """A message with no conversation (a campaign SMS) for the channel's connector."""
    wire: dict[str, Any] = {
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


def forwards(payload: dict[str, Any]) -> bool:
    """Whether a message.new goes out through the connector: an agent's reply (no
    whisper) in an SMS, FB or Twitter conversation, to the customer or to everyone.
    chatwidget.sockets.connector_delivery enqueue()s it, in the transaction storing it."""
    message = payload["message"]
    if payload["channel"] not in CONNECTOR_CHANNELS or not payload["refId"]:
        return False
    if message.type != "ChatMessage" or (message.sender or {}).get("role") != "agent":
        return False
    if message.tag == "whisper":
        return False
    return not message.to or any(t.get("role") == "customer" for t in message.to)


def do_claim(channel: str, limit: int = 100) -> list[dict[str, Any]]:
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
        if compare_and_set(
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


def do_acknowledge(message_id: str) -> None:
    """The connector took the message: it is delivered and never sent again."""
    compare_and_set(
        update(ConnectorMessage)
        .where(ConnectorMessage.message_id == message_id, ConnectorMessage.status == "pending")
        .values(status="delivered", delivered_at=utcnow(), lease_until=None)
    )
    db.session.commit()
