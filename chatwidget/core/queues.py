"""Queues: skill groups that conversations wait in."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chatwidget.core.errors import Conflict, InvalidInput
from chatwidget.extensions import db
from chatwidget.models import Queue


def _clean(name):
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("a queue name is 1 to 100 characters", errors={"name": [name]})
    return name


def create_queue(name, virtual_agent_url=None):
    """Create a queue; Conflict if the name is taken."""
    queue = Queue(name=_clean(name), virtual_agent_url=virtual_agent_url)
    db.session.add(queue)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("a queue named %s exists" % name) from None
    return queue


def find_queue(name):
    """The queue with this name, or None."""
    return db.session.scalar(select(Queue).filter_by(name=(name or "").strip()))


def queue_for_subject(subject):
    """The queue a conversation with this subject waits in; DEFAULT_QUEUE when unknown.

    The default queue is created on first use (in the caller's transaction).
    """
    queue = find_queue(subject) if subject else None
    if queue is not None:
        return queue
    name = current_app.config["DEFAULT_QUEUE"]
    queue = find_queue(name)
    if queue is None:
        queue = Queue(name=name)
        db.session.add(queue)
        db.session.flush()
    return queue


def ensure_queues(names):
    """The queues with these names, created when missing (agents' --skill)."""
    queues = []
    for name in names:
        queue = find_queue(name) or Queue(name=_clean(name))
        db.session.add(queue)
        queues.append(queue)
    return queues
