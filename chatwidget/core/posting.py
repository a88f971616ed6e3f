"""Group commit of chat messages: concurrent senders' messages stored in one transaction.

A served process hands each socket's chat message to a GroupCommit
(chatwidget.groupcommit), which stores every message waiting at that moment in one
transaction and commits once: the session, the pooled connection, the commit and its
WAL pages are shared, where on their own they cost more than the message's few
statements (on PostgreSQL: the round trips of BEGIN and COMMIT, and the connection a
handler would hold, idle in transaction, while the loop runs others). Each sender is
acked only after that commit, with the outcome it would have had alone: its id and seq,
or its own error (a message refused by validation is refused and the others are stored).
Should the batch fail in the database, nothing of it is kept and each message is posted
again on its own. The served process does not make a
socket wait for that commit before reading its next event (submit_later, whose
AsyncResult the sockets' post_acked wraps in a Later): acks follow later, in order.

At SQLITE_SYNCHRONOUS=FULL (the default) the commit is written without waiting for the
disk, and the acks wait for the WAL's sync, made off the loop while later batches are
stored; the messages are fanned out to the others in their conversations once committed,
without that wait (see GroupCommit).

A batch locks its conversations' rows (the seq UPDATE) in id order, whatever order its
messages came in: two processes sharing a PostgreSQL database then never deadlock.
On PostgreSQL a batch is four round trips whatever its size (BEGIN, its senders read
together, its messages written in one pipeline, COMMIT) rather than three a message:
each round trip waits for the loop, and one after the other they bounded the batch's
messages a second to one over a message's round trips (docs/performance.md).

Where no group commit runs (tests driving the app without the server), do_post() is
client_messages.do_post() in the caller's own session.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app
from gevent.event import AsyncResult
from sqlalchemy import text
from sqlalchemy.orm import Session

from chatwidget import checkpoint
from chatwidget.core import client_messages, events, messages, sender_batch, senders
from chatwidget.core.errors import CoreError
from chatwidget.extensions import db
from chatwidget.groupcommit import GroupCommit
from chatwidget.patches.prepared import pinned

_KEY = "chatwidget_posting"
_PIPELINED = "chatwidget_posting_pipelined"


def do_post(who: senders.Who, data: dict[str, Any]) -> client_messages.Sent:
    """do_post(*who.lookup(), data): its client_messages.Sent, with others in one
    transaction if the group commit runs.

    who.lookup() reads the (conversation, sender) pair in the session it runs in (inside
    the batch's transaction, where sender_batch.look_up_all reads a batch's at once) and
    refuses as it sees fit.
    """
    group = current_app.extensions.get(_KEY)
    if group is None or (data.get("type") or "ChatMessage") != "ChatMessage":
        return client_messages.do_post(*who.lookup(), data)  # typing is relayed, never stored
    answer = group.submit((who, data))
    if isinstance(answer, CoreError):
        raise answer
    sent: client_messages.Sent = answer
    return sent


def submit_later(app: Flask, who: senders.Who, data: dict[str, Any]) -> AsyncResult | None:
    """Hand a chat message to the served process's group commit without waiting for it:
    the AsyncResult set once it is committed, to its Sent or the CoreError that refused
    it. None when that is not how the process posts (no group commit, or not
    pipelined, or typing, which is relayed): do_post() it then.

    Callable outside an app context: the group's greenlet has its own.
    """
    group = app.extensions.get(_KEY)
    if group is None or not app.extensions.get(_PIPELINED):
        return None
    if (data.get("type") or "ChatMessage") != "ChatMessage":
        return None
    return group.submit_later((who, data))


# A message handed to the group commit: who sends it, and its payload.
Item = tuple[senders.Who, dict[str, Any]]


def _post_one(item: Item) -> client_messages.Sent:
    who, data = item
    try:
        return client_messages.do_post(*who.lookup(), data)
    except Exception:
        db.session.rollback()
        raise


def _in_lock_order(looked: list[senders.Pair | CoreError]) -> list[int]:
    """The batch's indexes, its conversations' rows in id order (submission order within
    one): the seq UPDATEs then lock rows in the same order in every process's batches,
    so two batches sharing conversations wait for each other and never deadlock."""

    def conversation_pk(i: int) -> int:
        looked_up = looked[i]
        return -1 if isinstance(looked_up, CoreError) else int(looked_up[0].id)

    return sorted(range(len(looked)), key=conversation_pk)


def _resend_key(conversation: Any, data: dict[str, Any]) -> tuple[int, str] | None:
    """(conversation pk, client id) of a message naming its id, else None."""
    try:
        message_id = messages.check_client_id(data.get("id"))
    except CoreError:
        return None  # prepare() refuses it
    return (int(conversation.id), message_id) if message_id else None


def _prepare(
    items: list[Item], looked: list[senders.Pair | CoreError], answers: list[Any]
) -> tuple[dict[int, messages.Draft], dict[int, int]]:
    """client_messages.prepare() of each message looked up, in lock order: the drafts to
    store, by index, in that order; and the resends of one of them (a client id sent
    twice in the batch), by index, with the first's index. Refusals, and resends of a
    message stored before, are set in answers."""
    drafted: dict[int, messages.Draft] = {}
    first: dict[tuple[int, str], int] = {}
    resends: dict[int, int] = {}
    for i in _in_lock_order(looked):
        looked_up = looked[i]
        if isinstance(looked_up, CoreError):
            continue
        key = _resend_key(looked_up[0], items[i][1])
        if key in first:  # acked as the first, as if that were stored before it
            resends[i] = first[key]
            continue
        try:
            prepared = client_messages.prepare(*looked_up, items[i][1])
        except CoreError as error:  # refused before it wrote anything: the others go on
            answers[i] = error
            continue
        if isinstance(prepared, messages.Draft):
            drafted[i] = prepared
            if key:
                first[key] = i
        else:
            answers[i] = prepared
    return drafted, resends


def _post_many(items: list[Item]) -> list[client_messages.Sent | CoreError]:
    try:
        with pinned():
            looked = sender_batch.look_up_all([who for who, _ in items])
            answers: list[Any] = list(looked)  # the refused keep their error
            drafted, resends = _prepare(items, looked, answers)
            stored = client_messages.store_all(list(drafted.values()))
            for i, sent in zip(drafted, stored, strict=True):
                answers[i] = sent
            for i, j in resends.items():
                answers[i] = answers[j]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return answers


def _own_connection() -> None:
    """Give the group commit's session a connection of its own for the process's life.

    A session otherwise checks a connection out of the pool for each transaction and
    back in (with a reset) after it: ~40 µs a batch, as much as a message's statements.
    The session still begins and commits a transaction for each batch on it.
    """
    # Flask-SQLAlchemy types its registry for its own Session subclass; a plain Session
    # bound to one connection is all the group commit uses.
    db.session.registry.set(Session(bind=db.engine.connect()))  # type: ignore[arg-type]


def _own_connection_unsynced() -> None:
    """_own_connection(), its commits written to the WAL without waiting for the disk:
    the group commit syncs the WAL itself (checkpoint.wal_syncer), off the loop."""
    _own_connection()
    db.session.execute(text("PRAGMA synchronous=NORMAL"))
    db.session.commit()


@contextmanager
def _batch(gate: Any) -> Iterator[None]:
    """Around a batch: no checkpoint while it is stored (checkpoint.Turns), and its
    events held until it is committed (events.held), then fanned out at once: the
    others in the conversation do not wait for the disk, its senders' acks do."""
    with events.held(), gate.writer():
        yield


def start(app: Flask, pipelined: bool = False) -> Any:
    """Run the group commit of chat messages; returns it.

    pipelined: sockets hand messages over without waiting (post_acked), as the served
    process does; tests driving the test client, which wants each ack at once, do not.
    """
    delay = app.config["GROUP_COMMIT_DELAY_MS"] / 1000
    sync, gate = checkpoint.wal_syncer(app), checkpoint.gate(app)
    group = GroupCommit(
        app,
        "posting",
        _post_one,
        _post_many,
        setup=_own_connection if sync is None else _own_connection_unsynced,
        delay=delay,
        around=lambda: _batch(gate),
        sync=sync,  # durable before any ack, the loop storing on while the disk syncs
        sync_failed=checkpoint.give_up,
    )
    app.extensions[_KEY], app.extensions[_PIPELINED] = group, pipelined
    return group.start()
