"""Events published by core verbs and delivered only after their transaction commits.

A verb calls publish(); the event waits on the session and reaches the subscribers
once the commit succeeded, so nothing announces a row that was rolled back.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)
Subscriber = Callable[[str, dict[str, Any]], None]
_subscribers: list[Subscriber] = []
_in_transaction: list[Subscriber] = []
_KEY = "chatwidget_pending_events"
# The list collecting committed events while held() is in force.
_held: ContextVar[list[tuple[str, dict[str, Any]]] | None] = ContextVar(
    "chatwidget_held_events", default=None
)


def subscribe(callback: Subscriber) -> Subscriber:
    """Register callback(name, payload), called after each commit that published."""
    if callback not in _subscribers:
        _subscribers.append(callback)
    return callback


def subscribe_in_transaction(callback: Subscriber) -> Subscriber:
    """Register callback(name, payload), called as each event is published, in the
    publishing transaction: what it writes is committed (or rolled back) with the change
    (connector_outbox's rows). It may raise, failing the change."""
    if callback not in _in_transaction:
        _in_transaction.append(callback)
    return callback


def publish(session: Session | scoped_session[Any], name: str, payload: dict[str, Any]) -> None:
    """Queue an event on the session until it commits, then hand it to the
    in-transaction subscribers (whose own events follow it)."""
    session.info.setdefault(_KEY, []).append((name, payload))
    for callback in _in_transaction:
        callback(name, payload)


@contextmanager
def held() -> Iterator[None]:
    """Deliver the events of the commits made within only on leaving the block.

    The group commit stores a batch's messages in one commit and fans them out once
    the whole batch is committed, one message after the other.
    """
    pending: list[tuple[str, dict[str, Any]]] = []
    token = _held.set(pending)
    try:
        yield
    finally:
        _held.reset(token)
        for name, payload in pending:
            dispatch_now(name, payload)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    committed = session.info.pop(_KEY, [])
    pending = _held.get()
    if pending is not None:
        pending.extend(committed)
        return
    for name, payload in committed:
        dispatch_now(name, payload)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


def dispatch_now(name: str, payload: dict[str, Any]) -> None:
    """Deliver an event that changes no stored state (typing) straight away."""
    for callback in list(_subscribers):
        try:
            callback(name, payload)
        except Exception:  # one broken subscriber must not hide the event from others
            log.exception("event subscriber failed for %s", name)
