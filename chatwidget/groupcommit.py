"""Group commit: what concurrent requests want stored, written in one transaction.

On SQLite a process writes one transaction after the other whatever it does (one writer
at a time, and sqlite3's C code never yields to other greenlets), and much of what a
small write costs is the transaction around it: a pooled connection, the statements'
fixed cost, the commit and its WAL pages, the checkpoints that follow. A GroupCommit
is one greenlet that takes every item waiting for it and stores them with one
store_many(items) call, in one transaction; each submitter resumes only after that
commit, with its own result. Nothing waits for a batch to fill, but a GroupCommit may
be given a delay (as PostgreSQL's commit_delay): once woken by an item it waits that
long for others to join it. Without one a lone item is stored at once, and batches grow
only while items arrive faster than they can be stored.

The delay is for items queued with submit_later, whose senders go on sending meanwhile
(a socket's messages, acked once committed): waiting gathers more of them per commit. A
submitter that waits (submit: an HTTP request) sends nothing more until it is answered,
and with a few such clients every one of them soon waits in the batch: waiting out the
delay would only leave the process idle. So an item submitted that way cuts the delay
short: the batch waits only until the loop has nothing else to run (every request
already under way has come as far as it can, submitting its own item if it has one), and
never longer than the delay.

Should store_many fail (one duplicate among them, the database gone), nothing of the
batch is kept, and each item is stored again on its own by store_one, so that each
submitter gets the outcome it would have had alone.

A GroupCommit may be given a sync, which makes its commits durable (posting's commits
are written without waiting for the disk, and sync waits for the disk off the loop): no
submitter resumes before a sync that began after its commit has returned. The syncs run
in a greenlet of their own, one after the other, each for every batch committed before
it began, while the next batches are stored: a slow sync holds up only the submitters
already committed, and whatever is committed meanwhile shares the next one. A batch's
events (the `around` block's) are not held for the sync, only its submitters. A sync
that fails ends the syncs: its submitters are handed to sync_failed, never resumed.
"""

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Generic, Self, TypeVar

import gevent
import gevent.event
from flask import Flask
from gevent import Greenlet
from gevent.event import AsyncResult

from chatwidget.extensions import db

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
# An item waiting for its commit, and where its submitter waits for the outcome.
Submitted = tuple[Item, AsyncResult]
# (result, None) once stored, or (None, the error) when storing it failed.
Outcome = tuple[Result | None, Exception | None]


class GroupCommit(Generic[Item, Result]):
    """One greenlet storing, each in one transaction, the batches of items submitted."""

    def __init__(
        self,
        app: Flask,
        name: str,
        store_one: Callable[[Item], Result],
        store_many: Callable[[list[Item]], Iterable[Result]],
        most: int = 100,
        setup: Callable[[], object] | None = None,
        delay: float = 0.0,
        around: Callable[[], AbstractContextManager[object]] | None = None,
        sync: Callable[[], object] | None = None,
        sync_failed: Callable[[Exception], object] | None = None,
    ) -> None:
        self.app = app
        # Makes the batches committed before the call durable (or None): e.g. syncing the
        # WAL from a thread while the loop runs. Submitters resume only after it.
        self.sync = sync
        # Called with the error once a sync failed; the syncs stop and the batches
        # committed before it are never resumed (a served process ends: checkpoint.give_up).
        self.sync_failed = sync_failed
        if sync is not None and sync_failed is None:
            raise ValueError("%s: a sync needs a sync_failed" % name)
        # A context manager entered around each batch, results included (or None).
        self.around: Callable[[], AbstractContextManager[object]] = around or nullcontext
        self.delay = delay  # seconds to wait, once woken, for more items to join the batch
        self.setup = setup  # run once in the greenlet's app context before the first batch
        self.name = name
        self.store_one = store_one  # item -> result, or raises; commits
        self.store_many = store_many  # [item] -> [result], all or nothing; commits
        self.most = most
        self.waiting: list[Submitted[Item]] = []
        # (batch, outcomes) committed, waiting for a sync to resume
        self.unsynced: list[tuple[list[Submitted[Item]], list[Outcome[Result]]]] = []
        self._committed = gevent.event.Event()
        self.batches = 0
        self.stored = 0
        self._wake = gevent.event.Event()
        self._hurry = gevent.event.Event()  # a submitter waits: no delay for this batch
        self.greenlets: list[Greenlet] = []

    def start(self) -> Self:
        self.greenlets = [gevent.spawn(self._loop)]
        if self.sync is not None:
            self.greenlets.append(gevent.spawn(self._sync_loop))
        return self

    def stop(self) -> None:
        """Kill the greenlets (tests): whoever still waits, waits for ever."""
        gevent.killall(self.greenlets)

    def submit(self, item: Item) -> Result:
        """Wait until item is committed (with whatever else was waiting); its result. The
        batch is stored without waiting the delay."""
        result = self.submit_later(item)
        self._hurry.set()
        return result.get()

    def submit_later(self, item: Item) -> AsyncResult:
        """Queue item without waiting: an AsyncResult, set once it is committed (items are
        stored, and their results set, in the order they were submitted)."""
        result = gevent.event.AsyncResult()
        self.waiting.append((item, result))
        self._wake.set()
        return result

    def _loop(self) -> None:
        # One app context for the greenlet's life, not one per batch: its database
        # session (and what setup gives it) serves batch after batch.
        with self.app.app_context():
            if self.setup is not None:
                self.setup()
            while True:
                self._wake.wait()
                if self.delay:
                    self._gather(time.monotonic() + self.delay)
                self._wake.clear()
                self._hurry.clear()
                self._drain()

    def _gather(self, deadline: float) -> None:
        """Wait for other items to join the batch, until deadline; once a submitter waits,
        only until the loop has nothing else to run."""
        if not self._hurry.wait(deadline - time.monotonic()):
            return
        idle = gevent.get_hub().loop.idle()
        ran = gevent.event.Event()
        idle.start(ran.set)
        try:
            ran.wait(max(0.0, deadline - time.monotonic()))
        finally:
            idle.stop()

    def _drain(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[: self.most], self.waiting[self.most :]
            try:
                with self.around():
                    self._store(batch)
            except BaseException as error:  # never leave a submitter waiting
                log.exception("%s: storing a batch failed", self.name)
                for _, result in batch:
                    if not result.ready():
                        result.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                db.session.rollback()  # the next batch starts clean

    def _store(self, batch: list[Submitted[Item]]) -> None:
        self.batches += 1
        self.stored += len(batch)
        outcomes: list[Outcome[Result]] | None = None
        if len(batch) > 1:
            try:
                outcomes = [(value, None) for value in self.store_many([i for i, _ in batch])]
            except Exception as error:
                log.info("%s: a batch of %d failed (%s); each alone", self.name, len(batch), error)
        if outcomes is None:
            outcomes = [self._store_one(item) for item, _ in batch]
        if self.sync is None:
            _resume(batch, outcomes)
        else:
            self.unsynced.append((batch, outcomes))
            self._committed.set()

    def _sync_loop(self) -> None:
        # Started only for a GroupCommit given a sync, which __init__ checked has a sync_failed.
        assert self.sync is not None and self.sync_failed is not None
        while True:
            self._committed.wait()
            self._committed.clear()
            committed, self.unsynced = self.unsynced, []
            try:
                self.sync()
            except Exception as error:  # committed, perhaps on disk: neither "ok" nor not
                log.exception("%s: syncing %d batches failed", self.name, len(committed))
                self.sync_failed(error)
                return
            for batch, outcomes in committed:
                _resume(batch, outcomes)

    def _store_one(self, item: Item) -> Outcome[Result]:
        try:
            return self.store_one(item), None
        except Exception as error:
            return None, error


def _resume(batch: list[Submitted[Item]], outcomes: list[Outcome[Result]]) -> None:
    """Give each submitter of batch its outcome: (value, None) or (None, error)."""
    for (_, result), (value, error) in zip(batch, outcomes, strict=True):
        if result.ready():  # _drain already failed it
            continue
        if error is None:
            result.set(value)
        else:
            result.set_exception(error)
