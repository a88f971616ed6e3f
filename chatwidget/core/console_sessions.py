"""Console sign-ins kept on the server (CONTRACT §5: `/console`, session cookie).

The browser's cookie carries a random token; the database keeps only its SHA-256, the
agent and when it expires (CONSOLE_SESSION_TTL_S after sign-in, 12 hours by default).
Signing out, deactivating the agent or the expiry ends a session everywhere at once: a
stolen cookie is worth nothing afterwards, unlike a signed cookie that stays valid until
its own expiry.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from chatwidget.extensions import db
from chatwidget.models import Agent, AgentSession
from chatwidget.models.types import utcnow

# last_seen_at is written at most this often per session: a console polls nothing, but
# every API call and socket connect would otherwise be a write.
_SEEN_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def fingerprint(token: object) -> str | None:
    """What names a session outside the database (its sockets' room): the token's hash,
    which grants nothing; None for no token."""
    return _hash(token) if token and isinstance(token, str) else None


def do_open(agent: Agent) -> str:
    """A new session for agent; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    ttl = timedelta(seconds=current_app.config["CONSOLE_SESSION_TTL_S"])
    db.session.add(AgentSession(token_hash=_hash(token), agent_id=agent.id, expires_at=now + ttl))
    # Expired rows of anyone go with each sign-in, so the table stays small unattended.
    db.session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
    db.session.commit()
    return token


def do_resume(token: object) -> Agent | None:
    """The active agent a session token stands for, or None (unknown, expired, signed out,
    deactivated). A lookup by hash: equal hashes mean equal tokens, and the comparison
    happens in the database's index, not on the token itself. Commits the session's
    last-seen time when it is older than _SEEN_EVERY (hence do_)."""
    if not token or not isinstance(token, str):
        return None
    row = db.session.scalar(select(AgentSession).filter_by(token_hash=_hash(token)))
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    agent = db.session.get(Agent, row.agent_id)
    if agent is None or agent.deactivated_at is not None:
        return None
    if now - row.last_seen_at > _SEEN_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return agent


def do_close(token: object) -> None:
    """Sign out: the session ends (nothing happens for an unknown token)."""
    if token and isinstance(token, str):
        db.session.execute(delete(AgentSession).filter_by(token_hash=_hash(token)))
        db.session.commit()


def do_close_all(agent_id: int) -> None:
    """End every session of an agent (deactivated, or a password changed)."""
    db.session.execute(delete(AgentSession).filter_by(agent_id=agent_id))
    db.session.commit()
