"""The delivery loop: claim a due row, post it, record the answer; woken after commits."""

import logging
import time
from typing import Self

import gevent
import gevent.event
from flask import Flask
from gevent import Greenlet
from sqlalchemy.exc import OperationalError

from chatwidget.core import webhooks
from chatwidget.core.events import subscribe
from chatwidget.extensions import db
from chatwidget.models import OutboxEvent, Webhook
from chatwidget.models.types import utcnow
from chatwidget.outbox import bot_delivery
from chatwidget.outbox.claims import BATCH, Config, claim_one, record
from chatwidget.outbox.post import Job, post

log = logging.getLogger(__name__)


def _job(row: OutboxEvent | None) -> Job | None:
    """What the POST needs, read in a short transaction; None when the row is gone."""
    hook = db.session.get(Webhook, row.webhook_id) if row and row.webhook_id else None
    job: Job | None = None
    if row is not None and hook is not None:
        job = {
            "event_id": row.event_id,
            "event": row.event,
            "body": row.body,
            "url": hook.url,
            "secrets": webhooks.signing_secrets(hook, utcnow()),
            "auth": (hook.basic_user, hook.basic_password) if hook.basic_user else None,
        }
    db.session.rollback()  # hold no transaction (nor SQLite lock) while the POST is in flight
    return job


def deliver_one(row_id: int, attempt: int, config: Config) -> None:
    """Post one claimed row and record the outcome (a virtual agent's call: bot_delivery)."""
    row = db.session.get(OutboxEvent, row_id)
    if row is not None and row.webhook_id is None:
        return bot_delivery.deliver(row_id, attempt, config)
    job = _job(row)
    if job is None:
        return
    started = time.monotonic()
    code, error = post(job, config["WEBHOOK_TIMEOUT_S"])
    duration_ms = int((time.monotonic() - started) * 1000)
    log.info("webhook event %s attempt %d: %s", job["event_id"], attempt, error or code)
    record(row_id, attempt, code, error, duration_ms, config)


def deliver_due(app: Flask, limit: int = BATCH) -> int:
    """Claim and deliver what is due now, one row after the other; returns how many.

    One row is claimed at a time so that a lease never has to outlast the POSTs of
    the rows queued before it.
    """
    delivered = 0
    with app.app_context():
        while delivered < limit:
            try:
                claimed = claim_one(app.config)
            except OperationalError as exc:  # another process holds the SQLite write lock
                db.session.rollback()
                log.info("outbox claim skipped: %s", exc)
                break
            if claimed is None:
                break
            deliver_one(*claimed, app.config)
            delivered += 1
    return delivered


class OutboxWorker:
    """A background greenlet that delivers the outbox, woken after each commit that fills it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wakeup = gevent.event.Event()
        self.greenlet: Greenlet | None = None

    def _on_event(self, name: str, payload: object) -> None:
        """After a commit that wrote outbox rows: deliver now, not at the next poll."""
        if name == "outbox.new":
            self.wakeup.set()

    def start(self) -> Self:
        """Start delivering in the background (call once per server process)."""
        subscribe(self._on_event)
        self.greenlet = gevent.spawn(self._loop)
        return self

    def _loop(self) -> None:
        """Deliver what is due, then sleep until woken or the poll interval passes."""
        while True:
            # Cleared before looking, so a commit during the delivery wakes the next round.
            self.wakeup.clear()
            try:
                delivered = deliver_due(self.app)
            except Exception:  # keep the worker alive; the row stays leased and is retried
                log.exception("outbox delivery failed")
                delivered = 0
            if delivered < BATCH:
                self.wakeup.wait(timeout=self.app.config["WEBHOOK_POLL_S"])
