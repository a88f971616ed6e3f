"""Live conversations, their participants and their messages."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chatwidget.extensions import Model
from chatwidget.models.types import utcnow


class Conversation(Model):
    """A live chat: `new` (never joined), `waiting`, `assigned`, `ended`; or `offline`, a
    message left through the widget's offline form, for agents to answer by e-mail."""

    __tablename__ = "conversation"
    __table_args__ = (Index("ix_conversation_waiting", "state", "queue_id", "queued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(12), default="new")
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"), index=True)
    customer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ref_id: Mapped[str | None] = mapped_column(String(255), index=True)
    email: Mapped[str | None] = mapped_column(String(255), index=True)
    phone: Mapped[str | None] = mapped_column(String(64), index=True)
    request_id: Mapped[str | None] = mapped_column(String(255))
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None]
    assigned_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    offline_notified_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(16))
    # The identified end user (widget identity) whose conversation this is. No FOREIGN
    # KEY: SQLite could only add one by rebuilding this table (see migration b69c7d6d3785);
    # end users are never deleted.
    end_user_id: Mapped[int | None] = mapped_column(index=True)
    # The customer's 1-5 rating and comment, given once after the end.
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    # When an agent first wrote to the customer (the dashboard's first-response time).
    first_response_at: Mapped[datetime | None]
    # An offline message an agent marked done (answered by e-mail, or nothing to answer).
    offline_done_at: Mapped[datetime | None]
    # The chats API's view of it (CONTRACT §3): the chat's language, the create call's
    # context, custom data and customer flags set since, and who finished it.
    lang: Mapped[str | None] = mapped_column(String(16))
    chat_context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    custom_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    customer_flags: Mapped[dict[str, bool] | None] = mapped_column(JSON)
    finished_by: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Escalation(Model):
    """A chat moved from its virtual agent to the human queue (chats API escalations):
    `created`, `queued`, `assigned`, `deflected` or `failed`, with the deflection channel
    offered to the customer while they wait."""

    __tablename__ = "escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_pk: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="created")
    reason: Mapped[str | None] = mapped_column(String(255))
    force_escalate: Mapped[bool] = mapped_column(default=False)
    deflection_channel: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Participant(Model):
    """Someone in a conversation. A customer's `participant_id` is the secret that lets it join;
    `public_id` is how everyone else (agents, connectors, stored messages, calls) names it.
    An agent's two ids are equal: its participant id grants nothing."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[str] = mapped_column(String(64), unique=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_pk: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200), default="")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]


class Message(Model):
    """A ChatMessage or stored ActivityMessage; `seq` counts 1, 2, 3 … per conversation."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("conversation_pk", "seq", name="uq_message_seq"),
        UniqueConstraint("conversation_pk", "message_id", name="uq_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64))
    conversation_pk: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    activity_type: Mapped[str | None] = mapped_column(String(24))
    sender: Mapped[dict[str, Any]] = mapped_column(JSON)
    to: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    text: Mapped[str | None] = mapped_column(Text)
    tag: Mapped[str] = mapped_column(String(12), default="")
    ref_id: Mapped[str | None] = mapped_column(String(255))
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    info: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
