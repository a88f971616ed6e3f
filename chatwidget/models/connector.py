"""Connectors (SMS, Facebook, Twitter gateways): their sockets and their outbox."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chatwidget.extensions import Model
from chatwidget.models.types import utcnow


class ConnectorSocket(Model):
    """A registered connector socket, tagged with the process that holds it."""

    __tablename__ = "connector_socket"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    process_id: Mapped[str] = mapped_column(String(40), index=True)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConnectorMessage(Model):
    """A message for a channel's connector, kept until a connector acknowledges it."""

    __tablename__ = "connector_message"
    __table_args__ = (Index("ix_connector_pending", "channel", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[str] = mapped_column(String(255))
    conversation_pk: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
