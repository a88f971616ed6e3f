"""Agents: accounts, passwords, tokens and status."""

import os
from collections.abc import Callable, Iterable
from typing import Any, TypedDict, TypeVar

from flask import current_app
from gevent import monkey
from gevent.threadpool import ThreadPool
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from chatwidget.core.errors import Conflict, InvalidInput, Unauthorized
from chatwidget.core.queues import ensure_queues
from chatwidget.extensions import db
from chatwidget.models import Agent

STATUSES = ("available", "away", "offline")
_SALT = "agent-token"
# Checked against when the e-mail is unknown, so both halves cost the same time.
_DUMMY_HASH = generate_password_hash("not a password")
_R = TypeVar("_R")


class AgentView(TypedDict):
    """An agent as the CLI and APIs show it."""

    id: int
    email: str
    name: str
    skills: list[str]
    maxChats: int
    status: str
    isAdmin: bool


def do_create_agent(
    email: str | None,
    name: str | None,
    password: str | None,
    skills: Iterable[str] = (),
    max_chats: int = 3,
    is_admin: bool = False,
) -> Agent:
    """Create an agent; the password is stored as a scrypt hash. An admin also runs the
    team from the console (agents, queues, API users, webhooks, dashboard)."""
    email = (email or "").strip().lower()
    if "@" not in email:
        raise InvalidInput("a valid e-mail is required", errors={"email": [email]})
    password = password or ""
    if len(password) < 8:
        raise InvalidInput("the password needs at least 8 characters", errors={"password": []})
    if max_chats < 1:
        raise InvalidInput("max-chats must be at least 1", errors={"max_chats": [max_chats]})
    agent = Agent(
        email=email,
        name=(name or email).strip(),
        password_hash=hash_password(password),
        max_chats=max_chats,
        skills=ensure_queues(skills),
        is_admin=bool(is_admin),
    )
    db.session.add(agent)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("an agent with e-mail %s exists" % email) from None
    return agent


def describe(agent: Agent) -> AgentView:
    """An agent as the CLI and APIs show it."""
    return AgentView(
        id=agent.id,
        email=agent.email,
        name=agent.name,
        skills=[q.name for q in agent.skills],
        maxChats=agent.max_chats,
        status=agent.status,
        isAdmin=bool(agent.is_admin),
    )


def authenticate(email: str | None, password: str | None) -> Agent | None:
    """The agent with this e-mail and password, or None; same cost either way."""
    email = (email or "").strip().lower()
    # Read on a connection of its own, back in the pool before the hash: the session would
    # hold its connection through the check, and 40 sign-ins at once took every connection
    # of the pool (/healthz waited 8 s for one).
    with db.engine.connect() as connection:
        row = connection.execute(_CREDENTIALS, {"email": email}).first()
    stored = row.password_hash if row else _DUMMY_HASH
    ok = _off_the_loop(check_password_hash, stored, password or "")
    return db.session.get(Agent, row.id) if ok and row else None


# A deactivated agent's password no longer signs in: the same answer as a wrong one.
_CREDENTIALS = select(Agent.id, Agent.password_hash).where(
    Agent.email == bindparam("email"), Agent.deactivated_at.is_(None)
)
_hashing: list[
    ThreadPool
] = []  # the served process's ThreadPool for password hashes, made on first use


def hash_password(password: str) -> str:
    """The scrypt hash stored for a password, computed off the event loop."""
    return _off_the_loop(generate_password_hash, password)


def _off_the_loop(func: Callable[..., _R], *args: Any) -> _R:
    """func(*args) on a thread in a served (monkey-patched) process, the caller's greenlet
    waiting: a password hash is ~100 ms of scrypt, which releases the GIL; on the loop it
    would stop every socket of the process meanwhile.

    A pool of its own, one thread per core: a flood of sign-ins queues here, not in gevent's
    shared pool (which also resolves host names), and scrypt's 32 MB each stay bounded.
    """
    if not monkey.is_module_patched("threading"):
        return func(*args)
    if not _hashing:
        _hashing.append(ThreadPool(max(1, os.cpu_count() or 1)))
    result: _R = _hashing[0].apply(func, args)
    return result


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_token(agent: Agent) -> tuple[str, int]:
    """A signed, expiring token for scripts and sockets; returns (token, seconds)."""
    return _serializer().dumps({"a": agent.id}), current_app.config["AGENT_TOKEN_TTL_S"]


def agent_from_token(token: str | None) -> Agent:
    """The agent a token stands for; Unauthorized when forged or expired."""
    try:
        data = _serializer().loads(token or "", max_age=current_app.config["AGENT_TOKEN_TTL_S"])
    except SignatureExpired:
        raise Unauthorized("agent token expired") from None
    except BadSignature:
        raise Unauthorized("invalid agent token") from None
    agent = db.session.get(Agent, data.get("a")) if isinstance(data, dict) else None
    if agent is None or agent.deactivated_at is not None:
        raise Unauthorized("invalid agent token")
    return agent
