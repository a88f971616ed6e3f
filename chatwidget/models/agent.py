"""Agents, the queues (skill groups) they serve, and their live sockets."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chatwidget.extensions import Model, db
from chatwidget.models.types import utcnow

agent_skill = Table(
    "agent_skill",
    db.metadata,
    Column("agent_id", ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True),
    Column("queue_id", ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True),
)


class Queue(Model):
    """A skill group (customer channel `subject`) and a CCAI menu (`menu_id`) at once."""

    __tablename__ = "queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    virtual_agent_url: Mapped[str | None] = mapped_column(String(2000))
    # Kept in clear: the HMAC key that signs the calls to virtual_agent_url (shown once,
    # at creation, like an API user's secret).
    virtual_agent_secret: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Agent(Model):
    """A person answering chats; `active_chats` is changed only by compare-and-set updates."""

    __tablename__ = "agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    max_chats: Mapped[int] = mapped_column(default=3)
    status: Mapped[str] = mapped_column(String(12), default="offline")
    active_chats: Mapped[int] = mapped_column(default=0)
    last_assigned_at: Mapped[datetime | None]
    disconnected_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Admins run the team from the console (agents, queues, API users, webhooks, dashboard).
    is_admin: Mapped[bool] = mapped_column(default=False)
    # A deactivated agent keeps its history but can no longer sign in or be routed to.
    deactivated_at: Mapped[datetime | None]
    skills: Mapped[list[Queue]] = relationship(secondary=agent_skill, lazy="selectin")


class ServerProcess(Model):
    """A running server process; a stale heartbeat means its sockets are gone."""

    __tablename__ = "server_process"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AgentSocket(Model):
    """One connected agent socket, so every process knows who is online."""

    __tablename__ = "agent_socket"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(String(40), index=True)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentSession(Model):
    """A console sign-in: the browser's cookie holds a random token, we keep its hash.

    Server-side so that signing out, deactivating an agent or the expiry ends it for good
    (a signed cookie alone would stay valid until it expired)."""

    __tablename__ = "agent_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedResponse(Model):
    """A reply the team keeps ready, inserted in the console by typing `/shortcut`."""

    __tablename__ = "canned_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(String(40), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
