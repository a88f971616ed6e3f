"""Queues: skill groups that conversations wait in."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from chatwidget.core.errors import Conflict, InvalidInput
from chatwidget.extensions import db
from chatwidget.models import Queue
from chatwidget.models.types import utcnow

# INSERT … ON CONFLICT DO NOTHING is dialect-specific: the statement class per database.
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


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
        _insert_if_missing(name)
        queue = find_queue(name)
    return queue


def _insert_if_missing(name):
    """INSERT … ON CONFLICT DO NOTHING: two first customers at once both find the queue."""
    insert_or_ignore(Queue, {"name": name, "created_at": utcnow()}, ["name"])


def insert_or_ignore(model, values, unique):
    """INSERT … ON CONFLICT (unique) DO NOTHING, in the caller's transaction: of two
    first uses at once, neither fails and both then find the one row."""
    insert = _INSERTS.get(db.session.get_bind().dialect.name)
    if insert is None:  # pragma: no cover - the two supported databases are above
        db.session.add(model(**values))
        db.session.flush()
        return
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=unique))


def ensure_queues(names):
    """The queues with these names, created when missing (agents' --skill).

    Two agents created at once with the same new skill both get the one queue (a plain
    INSERT made the second fail as if its agent existed).
    """
    queues = []
    for name in names:
        name = _clean(name)
        queue = find_queue(name)
        if queue is None:
            _insert_if_missing(name)
            queue = find_queue(name)
        queues.append(queue)
    return queues
