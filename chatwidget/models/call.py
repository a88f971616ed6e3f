"""Captured calls: finished chats in the seed-000 ChatCall shape."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chatwidget.extensions import Model
from chatwidget.models.types import utcnow


class Call(Model):
    """One chat session. Its contacts and their messages are kept as one JSON document.

    A captured chat is written once and read whole (page, export, webhook), so one row
    per chat keeps ingest to a single insert; CallKey rows index what purges search.
    """

    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(32), unique=True)
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    master_call_id: Mapped[str | None] = mapped_column(String(255), index=True)
    source: Mapped[str] = mapped_column(String(16), default="capture")
    status: Mapped[str] = mapped_column(String(16), default="Complete")
    utc_start: Mapped[datetime]
    utc_end: Mapped[datetime | None]
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    call_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    metadata_times: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def duration_sec(self) -> int | None:
        """Whole seconds from start to end; None while the chat is live."""
        if self.utc_end is None:
            return None
        return int((self.utc_end - self.utc_start).total_seconds())


class CallKey(Model):
    """A value a customer purge can find a call by: an e-mail, a phone, a metadata value."""

    __tablename__ = "call_key"
    __table_args__ = (Index("ix_call_key_value", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_pk: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(255))
