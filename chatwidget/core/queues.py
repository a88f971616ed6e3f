"""Queues: skill groups that conversations wait in."""

import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NotRequired, TypedDict

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from chatwidget.core.errors import Conflict, InvalidInput
from chatwidget.core.signatures import check_http_url
from chatwidget.extensions import Model, db
from chatwidget.models import Queue
from chatwidget.models.types import utcnow

# INSERT … ON CONFLICT DO NOTHING is dialect-specific: the statement class per database.
_INSERTS: dict[str, Callable[[type[Model]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class NewQueue(TypedDict):
    """A queue as create-queue prints it: with its virtual agent's URL and secret, if any."""

    id: int
    name: str
    virtualAgentUrl: NotRequired[str]
    secret: NotRequired[str]


def _clean(name: str | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("a queue name is 1 to 100 characters", errors={"name": [name]})
    return name


def do_create_queue(name: str, virtual_agent_url: str | None = None) -> Queue:
    """Create a queue; Conflict if the name is taken.

    With a virtual agent's URL (absolute http or https, else InvalidInput) the queue
    gets the secret that signs the calls to it (core.signatures), in clear since it
    is an HMAC key: the caller shows it this once, like an API user's secret.
    """
    name = _clean(name)
    va_secret = None
    if virtual_agent_url is not None:
        check_http_url(virtual_agent_url, "virtualAgentUrl", "the virtual agent URL")
        va_secret = secrets.token_urlsafe(32)
    queue = Queue(name=name, virtual_agent_url=virtual_agent_url, virtual_agent_secret=va_secret)
    db.session.add(queue)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("a queue named %s exists" % name) from None
    return queue


def describe_new(queue: Queue) -> NewQueue:
    """A just-created queue: {"id", "name"}, plus "virtualAgentUrl" and the "secret" that
    signs the calls to it when it has a virtual agent (the only time the secret shows)."""
    out = NewQueue(id=queue.id, name=queue.name)
    if queue.virtual_agent_url and queue.virtual_agent_secret:
        out["virtualAgentUrl"] = queue.virtual_agent_url
        out["secret"] = queue.virtual_agent_secret
    return out


def find_queue(name: str | None) -> Queue | None:
    """The queue with this name, or None."""
    return db.session.scalar(select(Queue).filter_by(name=(name or "").strip()))


def queue_for_subject(subject: str | None) -> Queue:
    """The queue a conversation with this subject waits in; DEFAULT_QUEUE when unknown.

    The default queue is created on first use (in the caller's transaction).
    """
    queue = find_queue(subject) if subject else None
    if queue is not None:
        return queue
    return _find_or_insert(current_app.config["DEFAULT_QUEUE"])


def _find_or_insert(name: str) -> Queue:
    """The queue with this name, inserted first when missing (in the caller's transaction)."""
    queue = find_queue(name)
    if queue is None:
        _insert_if_missing(name)
        queue = db.session.scalars(select(Queue).filter_by(name=name.strip())).one()
    return queue


def _insert_if_missing(name: str) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two first customers at once both find the queue."""
    insert_or_ignore(Queue, {"name": name, "created_at": utcnow()}, ["name"])


def insert_or_ignore(model: type[Model], values: dict[str, Any], unique: Sequence[str]) -> None:
    """INSERT … ON CONFLICT (unique) DO NOTHING, in the caller's transaction: of two
    first uses at once, neither fails and both then find the one row."""
    insert = _INSERTS.get(db.session.get_bind().dialect.name)
    if insert is None:  # pragma: no cover - the two supported databases are above
        db.session.add(model(**values))
        db.session.flush()
        return
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=unique))


def ensure_queues(names: Iterable[str]) -> list[Queue]:
    """The queues with these names, created when missing (agents' --skill).

    Two agents created at once with the same new skill both get the one queue (a plain
    INSERT made the second fail as if its agent existed).
    """
    return [_find_or_insert(_clean(name)) for name in names]
