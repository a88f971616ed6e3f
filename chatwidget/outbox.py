"""The webhook delivery worker: claims due outbox rows, posts them, retries with backoff.

Safe with several server processes: a row is claimed under FOR UPDATE SKIP LOCKED
(PostgreSQL) and a conditional lease update (every database), so one process posts it
at a time. A process killed mid-delivery leaves a lease that expires; the row is then
posted again with the same event id, for the receiver to deduplicate on.
"""

import base64
import hashlib
import hmac
import logging
import random
import time
from datetime import timedelta

import requests
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from chatwidget.core.events import subscribe
from chatwidget.extensions import db
from chatwidget.models import DeliveryAttempt, OutboxEvent, Webhook
from chatwidget.models.types import utcnow

log = logging.getLogger(__name__)
BATCH = 20


def backoff_delay(attempt, base, cap):
    """Exponential backoff with jitter: half fixed, half random, so retries spread out."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _claim(config):
    """Lease up to BATCH due rows to this process; returns their ids."""
    now = utcnow()
    lease = now + timedelta(seconds=config["WEBHOOK_LEASE_S"])
    free = or_(OutboxEvent.lease_until.is_(None), OutboxEvent.lease_until < now)
    due = (
        select(OutboxEvent.id)
        .where(OutboxEvent.status == "pending", OutboxEvent.next_attempt_at <= now, free)
        .order_by(OutboxEvent.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for row_id in db.session.scalars(due).all():
        result = db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == row_id, free)
            .values(lease_until=lease, attempts=OutboxEvent.attempts + 1)
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    db.session.commit()
    return claimed


def sign(secret, timestamp, body):
    """base64(HMAC-SHA256(secret, timestamp + raw body)), as X-Signature carries it."""
    digest = hmac.new(secret.encode(), (timestamp + body).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _post(job, timeout):
    """Post one event; returns (status code or None, error text or None)."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "chatwidget-webhooks/1",
        "X-Event-Id": job["event_id"],
        "X-Event-Type": job["event"],
        "X-Signature": "primary=" + sign(job["secret"], timestamp, job["body"]),
        "X-Signature-Timestamp": timestamp,
    }
    try:
        response = requests.post(
            job["url"],
            data=job["body"].encode(),
            headers=headers,
            auth=job["auth"],
            timeout=timeout,
        )
    except requests.RequestException as exc:
        return None, "%s: %s" % (type(exc).__name__, exc)
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, "HTTP %s: %s" % (response.status_code, response.text[:200])


def _record(row, code, error, started, config):
    """Log the attempt and move the row on: delivered, retried later, or dead."""
    if row is None:  # its webhook was removed while the POST was in flight
        return
    now = utcnow()
    db.session.add(
        DeliveryAttempt(
            outbox_id=row.id,
            attempt=row.attempts,
            status_code=code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    )
    row.lease_until = None
    row.last_error = error
    if error is None:
        row.status, row.delivered_at = "delivered", now
    elif row.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        row.status = "dead"
    else:
        delay = backoff_delay(
            row.attempts, config["WEBHOOK_BACKOFF_BASE_S"], config["WEBHOOK_BACKOFF_MAX_S"]
        )
        row.next_attempt_at = now + timedelta(seconds=delay)
    db.session.commit()


def deliver_one(row_id, config):
    """Post one claimed row and record the outcome."""
    row = db.session.get(OutboxEvent, row_id)
    hook = db.session.get(Webhook, row.webhook_id) if row else None
    if row is None or hook is None:
        db.session.rollback()
        return
    job = {
        "event_id": row.event_id,
        "event": row.event,
        "body": row.body,
        "url": hook.url,
        "secret": hook.secret,
        "auth": (hook.basic_user, hook.basic_password) if hook.basic_user else None,
    }
    db.session.rollback()  # hold no transaction while the POST is in flight
    started = time.monotonic()
    code, error = _post(job, config["WEBHOOK_TIMEOUT_S"])
    _record(db.session.get(OutboxEvent, row_id), code, error, started, config)


def deliver_due(app):
    """Claim and deliver what is due now, one after the other; returns how many."""
    with app.app_context():
        try:
            claimed = _claim(app.config)
        except OperationalError as exc:  # another process holds the SQLite write lock
            db.session.rollback()
            log.info("outbox claim skipped: %s", exc)
            return 0
        for row_id in claimed:
            deliver_one(row_id, app.config)
        return len(claimed)


class OutboxWorker:
    """A background greenlet that delivers the outbox, woken after each commit that fills it."""

    def __init__(self, app):
        import gevent.event

        self.app = app
        self.wakeup = gevent.event.Event()
        self.greenlet = None

    def _on_event(self, name, payload):
        if name == "outbox.new":
            self.wakeup.set()

    def start(self):
        """Start delivering in the background (call once per server process)."""
        import gevent

        subscribe(self._on_event)
        self.greenlet = gevent.spawn(self._loop)
        return self

    def _loop(self):
        while True:
            try:
                delivered = deliver_due(self.app)
            except Exception:  # keep the worker alive; the row stays leased and is retried
                log.exception("outbox delivery failed")
                delivered = 0
            if delivered < BATCH:
                self.wakeup.wait(timeout=self.app.config["WEBHOOK_POLL_S"])
                self.wakeup.clear()
