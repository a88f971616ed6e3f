"""SQLite WAL checkpoints on a native thread, so that no commit on the event loop runs one.

By default the connection whose commit takes the WAL past 1,000 pages then copies the
WAL into the database file and syncs it, inside that commit: 30–500 ms measured under
load (the relay benchmark at 1,000 messages/s), and under gevent the whole process, every
socket of it, waits meanwhile. A served process turns SQLite's automatic checkpoints off
on its connections (SQLITE_AUTOCHECKPOINT = 0) and checkpoints every
SQLITE_CHECKPOINT_INTERVAL_S (0.2 s) instead, on a connection of its own in a thread of gevent's
pool: sqlite3 releases the GIL while SQLite copies and syncs, and the loop runs on.

Often, not when the WAL is full: a commit's sync of the WAL waits for the disk to flush
whatever else it has been given, the checkpoint's pages included, so many small
checkpoints keep that wait short (at 1,000 messages/s, every 0.2 s: p99 10–17 ms over a
minute; every 1 s: commits of 100 ms and more). A PASSIVE checkpoint never waits for
writers or readers: it copies what it can, and the WAL restarts from its beginning once
all of it is copied. Processes that are not served
(flask commands, tests) keep SQLite's automatic checkpoints.
"""

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import gevent
import gevent.lock
from flask import Flask
from gevent import Greenlet

from chatwidget.extensions import db

if TYPE_CHECKING:
    from gevent.threadpool import ThreadPool

log = logging.getLogger(__name__)
T = TypeVar("T")

WAIT_S = 0.0005  # how often a greenlet looks whether the thread it waits for is done


def database_path(app: Flask) -> str | None:
    """The SQLite database file of app, or None (another database, or in memory)."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def checkpoint(path: str, synchronous: str = "FULL") -> tuple[int, int, int]:
    """Copy the WAL of the database at path into it (PASSIVE); (busy, pages in the WAL,
    pages copied) as SQLite reports them. Blocking: run it off the loop."""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=%s" % synchronous)
        return connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        connection.close()


def sync_wal(path: str) -> None:
    """fdatasync the WAL of the database at path (what a commit at synchronous=FULL does
    before it returns). Blocking: run it off the loop. The file is opened each time, so a
    WAL that SQLite deleted and made again is the one synced."""
    descriptor = os.open(path + "-wal", os.O_RDONLY)
    try:
        os.fdatasync(descriptor)
    finally:
        os.close(descriptor)


def wal_syncer(app: Flask) -> Callable[[], None] | None:
    """For a connection set to synchronous=NORMAL where the app wants FULL: a function
    that syncs the WAL from a thread of gevent's pool, the caller's greenlet waiting and
    the loop running meanwhile; None when there is nothing to sync (not an SQLite file,
    or the app itself runs at NORMAL or OFF)."""
    path = database_path(app)
    if path is None or app.config["SQLITE_SYNCHRONOUS"] not in ("FULL", "EXTRA"):
        return None
    pool = gevent.get_hub().threadpool
    return lambda: in_thread(pool, sync_wal, path)


def give_up(error: BaseException) -> NoReturn:
    """What a served process does once a WAL sync failed: end at once (exit status 74,
    EX_IOERR), as PostgreSQL does after a failed fsync.

    The messages committed before that sync may or may not be on disk, and the kernel
    may have dropped their pages with the error, so that a later sync succeeds without
    them: no ack may say "saved" any more, nor an error ack "nothing changed". Clients
    see their sockets close and resend what was not acked, by id, to a process that
    opens the database afresh (SQLite replays the WAL as it is on disk).
    """
    log.critical("syncing the WAL failed (%s): stopping the process", error)
    os._exit(74)


def in_thread(pool: "ThreadPool", run: Callable[..., T], *args: object) -> T:
    """run(*args) in a thread of pool, the calling greenlet waiting and the loop running
    meanwhile; its result, or its exception raised here.

    The thread leaves its outcome where the waiting greenlet looks every WAIT_S, as
    Turns does: under load a thread pool's own result reaches the greenlet long after
    the thread has finished (176 ms p90 at 2,000 messages/s), and a WAL sync's waiters
    are the senders' acks.
    """
    outcome: list[tuple[bool, Any]] = []  # (True, result) or (False, exception)

    def target() -> None:
        try:
            outcome.append((True, run(*args)))
        except BaseException as error:  # whatever ends the thread: the greenlet must hear
            outcome.append((False, error))

    pool.spawn(target)
    while not outcome:
        gevent.sleep(WAIT_S)
    [(ok, value)] = outcome
    if not ok:
        raise value
    return value


def start(app: Flask) -> Greenlet | None:
    """Checkpoint app's SQLite database from a native thread, every
    SQLITE_CHECKPOINT_INTERVAL_S, its connections no longer checkpointing themselves;
    returns the greenlet (None when the database is not an SQLite file)."""
    path = database_path(app)
    interval = app.config["SQLITE_CHECKPOINT_INTERVAL_S"]
    if path is None or interval <= 0:
        return None
    app.config["SQLITE_AUTOCHECKPOINT"] = 0
    with app.app_context():
        db.engine.dispose()  # pooled connections were opened checkpointing themselves
    synchronous = app.config["SQLITE_SYNCHRONOUS"]
    pool = gevent.get_hub().threadpool
    turns = gate(app)

    def loop() -> None:
        while True:
            gevent.sleep(interval)
            try:
                turns.checkpoint(pool, checkpoint, path, synchronous)
            except Exception:  # the next pass tries again
                log.exception("checkpointing %s failed", path)

    return gevent.spawn(loop)


class Turns:
    """The process's checkpoints and its busy writer (the group commit of chat messages)
    taking turns.

    SQLite starts the WAL again from its beginning only when a write begins with every
    frame of it copied; a checkpoint running beside a writer never copies the frames
    written meanwhile, so under steady load the WAL would grow without end (150 MB in a
    few minutes at 1,000 messages/s). Taking turns, each checkpoint copies all of it.

    The checkpoint's turn ends when its thread is done, not when the loop hears of it:
    at 2,000 messages/s a thread pool's result reached the waiting greenlet 176 ms (p90)
    after the thread had finished, for a checkpoint of 6.5 ms (p50), and the writer
    waited for all of it. So the thread clears `checkpointing` itself, and a writer
    waiting for its turn looks again every WAIT_S.
    """

    def __init__(self) -> None:
        self.writing = gevent.lock.Semaphore()  # held by the writer around a batch
        self.checkpointing = False  # set on the loop, cleared by the checkpoint's thread

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        """The writer's turn, around a batch: after any checkpoint still running."""
        with self.writing:
            while self.checkpointing:
                gevent.sleep(WAIT_S)
            yield

    def checkpoint(self, pool: "ThreadPool", run: Callable[..., T], *args: object) -> T:
        """run(*args) in a thread of pool once the writer is between batches, the writer
        kept out until the thread is done; its result."""
        with self.writing:
            self.checkpointing = True
        try:
            return pool.apply(self._done_after, (run, *args))
        finally:
            self.checkpointing = False  # also when the pool could not run it

    def _done_after(self, run: Callable[..., T], *args: object) -> T:
        try:
            return run(*args)
        finally:
            self.checkpointing = False


def gate(app: Flask) -> Turns:
    """The process's Turns between its checkpoints and its busy writer."""
    return app.extensions.setdefault("chatwidget_checkpoint_gate", Turns())
