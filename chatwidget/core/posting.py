"""Group commit: the chat messages of concurrent senders stored in one transaction.

On SQLite a process stores messages one after the other whatever it does (one writer at
a time, and sqlite3's C code never yields to other greenlets), and what a message then
costs is mostly the transaction around it: a session, a connection from the pool, the
commit and its WAL write, more than its own few statements. So a served process hands
each socket's chat message to one poster greenlet, which stores every message waiting at
that moment in one transaction and commits once. Each sender is acked only after that
commit, with the outcome it would have had alone: its id and seq, or its own error (a
message that fails validation is refused and the others are stored). Should the batch
fail in the database, it is rolled back and each message is posted again on its own, so
one bad message cannot fail another. Nothing waits for a batch to fill: the poster takes
what is waiting, so a lone message is stored at once, and batches grow only when
messages arrive faster than one at a time can be stored.

Where the poster does not run (PostgreSQL, whose transactions run side by side; tests
driving the app without the server), post() is do_post() in the caller's own session.
"""

import logging

from flask import current_app

from chatwidget.core import conversations
from chatwidget.core.errors import CoreError
from chatwidget.extensions import db

log = logging.getLogger(__name__)
_KEY = "chatwidget_poster"


def post(lookup, data):
    """do_post(*lookup(), data): (wire, stored?), through the poster if one runs.

    lookup() reads the (conversation, sender) pair in the session it runs in (the
    poster's, inside the batch's transaction) and refuses as it sees fit.
    """
    poster = current_app.extensions.get(_KEY)
    if poster is None or (data.get("type") or "ChatMessage") != "ChatMessage":
        return conversations.do_post(*lookup(), data)  # typing is relayed, never stored
    return poster.submit(lookup, data)


def start(app):
    """Run this process's poster, on SQLite only; returns it (or None)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return None
    poster = app.extensions[_KEY] = Poster(app)
    return poster.start()


class Poster:
    """One greenlet that stores and commits the chat messages waiting for it."""

    def __init__(self, app):
        import gevent.event

        self.app = app
        self.waiting = []
        self._wake = gevent.event.Event()

    def start(self):
        import gevent

        gevent.spawn(self._loop)
        return self

    def submit(self, lookup, data):
        """Wait for the message to be committed; returns or raises as do_post would."""
        import gevent.event

        result = gevent.event.AsyncResult()
        self.waiting.append((lookup, data, result))
        self._wake.set()
        return result.get()

    def _loop(self):
        while True:
            self._wake.wait()
            self._wake.clear()
            batch, self.waiting = self.waiting, []
            try:
                with self.app.app_context():
                    self.store(batch)
            except Exception as error:  # never leave a sender waiting
                log.exception("the poster failed")
                for _, _, result in batch:
                    if not result.ready():
                        result.set_exception(error)

    def store(self, batch):
        """Post every (lookup, data, result) of the batch; commit once; answer each."""
        if len(batch) == 1:
            return self._alone(batch[0])
        answers = []
        try:
            for lookup, data, result in batch:
                try:
                    answers.append((result, conversations.post(*lookup(), data), None))
                except CoreError as error:  # raised before writing: the others go on
                    answers.append((result, None, error))
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.warning("a batch of %d messages failed; posting each alone", len(batch))
            for item in batch:
                self._alone(item)
            return
        for result, value, error in answers:
            if error is None:
                result.set(value)
            else:
                result.set_exception(error)

    def _alone(self, item):
        lookup, data, result = item
        try:
            result.set(conversations.do_post(*lookup(), data))
        except Exception as error:
            db.session.rollback()
            result.set_exception(error)
