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

Should store_many fail (one duplicate among them, the database gone), nothing of the
batch is kept, and each item is stored again on its own by store_one, so that each
submitter gets the outcome it would have had alone. A GroupCommit may be given a sync,
called after the commit and before any submitter resumes: the commit is then written
without waiting for the disk, and sync waits for it off the loop (posting does so).
"""

import contextlib
import logging

import gevent
import gevent.event

from chatwidget.extensions import db

log = logging.getLogger(__name__)


class GroupCommit:
    """One greenlet storing, each in one transaction, the batches of items submitted."""

    def __init__(
        self,
        app,
        name,
        store_one,
        store_many,
        most=100,
        setup=None,
        delay=0.0,
        around=None,
        sync=None,
    ):
        self.app = app
        # Called once a batch is committed, before any submitter learns of it (or None):
        # makes the commit durable, e.g. syncing the WAL from a thread while the loop runs.
        self.sync = sync
        # A context manager entered around each batch, results included (or None).
        self.around = around or contextlib.nullcontext
        self.delay = delay  # seconds to wait, once woken, for more items to join the batch
        self.setup = setup  # run once in the greenlet's app context before the first batch
        self.name = name
        self.store_one = store_one  # item -> result, or raises; commits
        self.store_many = store_many  # [item] -> [result], all or nothing; commits
        self.most = most
        self.waiting = []
        self.batches = 0
        self.stored = 0
        self._wake = gevent.event.Event()
        self.greenlet = None

    def start(self):
        self.greenlet = gevent.spawn(self._loop)
        return self

    def submit(self, item):
        """Wait until item is committed (with whatever else was waiting); its result."""
        return self.submit_later(item).get()

    def submit_later(self, item):
        """Queue item without waiting: an AsyncResult, set once it is committed (items are
        stored, and their results set, in the order they were submitted)."""
        result = gevent.event.AsyncResult()
        self.waiting.append((item, result))
        self._wake.set()
        return result

    def _loop(self):
        # One app context for the greenlet's life, not one per batch: its database
        # session (and what setup gives it) serves batch after batch.
        with self.app.app_context():
            if self.setup is not None:
                self.setup()
            while True:
                self._wake.wait()
                if self.delay:
                    gevent.sleep(self.delay)
                self._wake.clear()
                self._drain()

    def _drain(self):
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

    def _store(self, batch):
        self.batches += 1
        self.stored += len(batch)
        outcomes = None
        if len(batch) > 1:
            try:
                outcomes = [(value, None) for value in self.store_many([i for i, _ in batch])]
            except Exception as error:
                log.info("%s: a batch of %d failed (%s); each alone", self.name, len(batch), error)
        if outcomes is None:
            outcomes = [self._store_one(item) for item, _ in batch]
        if self.sync is not None:
            self.sync()
        for (_, result), (value, error) in zip(batch, outcomes, strict=True):
            if error is None:
                result.set(value)
            else:
                result.set_exception(error)

    def _store_one(self, item):
        try:
            return self.store_one(item), None
        except Exception as error:
            return None, error
