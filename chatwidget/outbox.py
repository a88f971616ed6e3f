"""The webhook delivery worker: claims due outbox rows, posts them, retries with backoff.

Safe with several server processes: a row is claimed under FOR UPDATE SKIP LOCKED
(PostgreSQL) and a conditional lease update (every database), one row at a time, so one
process posts it at a time. A process killed mid-delivery leaves a lease that expires;
the row is then posted again with the same event id, for the receiver to deduplicate on.

Each claim adds one to the row's `attempts`, and that number is the claim's fence: only
the process holding the latest attempt may schedule a retry or dead-letter the row, so
a process that lost its lease cannot overwrite the outcome of the one that took over.
"""

import base64
import hashlib
import hmac
import logging
import random
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any, Self, TypedDict, cast

import gevent
import gevent.event
import requests
from flask import Flask
from gevent import Greenlet, monkey
from sqlalchemy import ColumnElement, CursorResult, Row, Select, Update, or_, select, update
from sqlalchemy.exc import OperationalError

from chatwidget.core.events import subscribe
from chatwidget.extensions import db
from chatwidget.models import DeliveryAttempt, OutboxEvent, Webhook
from chatwidget.models.types import utcnow

log = logging.getLogger(__name__)
BATCH = 20  # rows delivered per deliver_due() call before the worker looks at its wakeup
ABANDONED = "abandoned: the delivering process stopped before recording an answer"
_RECORD_TRIES = 3  # a SQLite write lock held by another process is retried, not fatal

Config = Mapping[str, Any]  # the app's config, where the WEBHOOK_* settings are read


class Job(TypedDict):
    """What the POST of one outbox row needs."""

    event_id: str
    event: str
    body: str
    url: str
    secret: str
    auth: tuple[str, str | None] | None


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: half fixed, half random, so retries spread out."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def lease_seconds(config: Config) -> float:
    """How long a claim lasts: WEBHOOK_LEASE_S, but always longer than one whole POST.

    A lease shorter than the request timeout would let a second live process claim a
    row whose POST is merely slow, and post it twice.
    """
    return max(config["WEBHOOK_LEASE_S"], config["WEBHOOK_TIMEOUT_S"] + 1)


def _free(now: datetime) -> ColumnElement[bool]:
    """Rows no live process holds: never leased, or the lease ran out."""
    return or_(OutboxEvent.lease_until.is_(None), OutboxEvent.lease_until < now)


def _candidates(now: datetime) -> Select[int, int, datetime | None]:
    """Due rows, oldest first; on PostgreSQL locked rows are skipped, not waited for."""
    return (
        select(OutboxEvent.id, OutboxEvent.attempts, OutboxEvent.lease_until)
        .where(OutboxEvent.status == "pending", OutboxEvent.next_attempt_at <= now, _free(now))
        .order_by(OutboxEvent.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )


def _take(row: Row[int, int, datetime | None], now: datetime, config: Config) -> int | None:
    """Lease one candidate if no other process got it first; returns its attempt or None.

    A candidate still carrying a lease was abandoned by a process that died mid-delivery:
    that attempt gets its line in the log, and if it was the last one allowed, the row
    is dead-lettered instead of posted again.
    """
    abandoned = row.lease_until is not None
    attempt = None
    if abandoned and row.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        values: dict[str, object] = {"status": "dead", "lease_until": None, "last_error": ABANDONED}
    else:
        lease = now + timedelta(seconds=lease_seconds(config))
        attempt = row.attempts + 1
        values = {"lease_until": lease, "attempts": attempt}
    # The WHERE re-checks the lease: on SQLite, where FOR UPDATE does not exist, two
    # processes may pick the same candidate and only one update may win.
    # An UPDATE's result is a CursorResult, which Session.execute is not typed to say.
    won = cast(
        CursorResult[Any],
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == row.id, OutboxEvent.attempts == row.attempts, _free(now))
            .values(**values)
        ),
    )
    if won.rowcount != 1:
        return None
    if abandoned:
        db.session.add(DeliveryAttempt(outbox_id=row.id, attempt=row.attempts, error=ABANDONED))
    return attempt


def claim_one(config: Config) -> tuple[int, int] | None:
    """Lease the oldest due row to this process; returns (row id, attempt) or None."""
    now = utcnow()
    claimed = None
    for row in db.session.execute(_candidates(now)).all():
        attempt = _take(row, now, config)
        if attempt is not None:
            claimed = (row.id, attempt)
            break
    db.session.commit()  # also releases PostgreSQL's locks on the candidates not taken
    return claimed


def sign(secret: str, timestamp: str, body: str) -> str:
    """base64(HMAC-SHA256(secret, timestamp + raw body)), as X-Signature carries it."""
    digest = hmac.new(secret.encode(), (timestamp + body).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _headers(job: Job) -> dict[str, str]:
    """The delivery headers: event id and type, and a fresh timestamp with its signature."""
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "chatwidget-webhooks/1",
        "X-Event-Id": job["event_id"],
        "X-Event-Type": job["event"],
        "X-Signature": "primary=" + sign(job["secret"], timestamp, job["body"]),
        "X-Signature-Timestamp": timestamp,
    }


def _deadline(seconds: float) -> AbstractContextManager[object]:
    """A total time limit on the POST where gevent can enforce it (the server).

    requests' timeout bounds each socket wait, not the whole exchange: a receiver that
    trickles bytes could outlive the lease. Outside gevent (tests calling deliver_due
    from a thread) the per-wait timeouts are all there is.
    """
    if monkey.is_module_patched("socket"):
        return gevent.Timeout(seconds)
    return nullcontext()


def _send(job: Job, timeout: float) -> tuple[int, str | None]:
    """The POST itself; returns (status code, error text or None)."""
    # No redirects: following one would turn the POST into a GET without the body.
    with requests.post(
        job["url"],
        data=job["body"].encode(),
        headers=_headers(job),
        # Never a user without a password: both or neither are stored (core/webhooks).
        auth=job["auth"],  # type: ignore[arg-type]
        timeout=timeout,
        allow_redirects=False,
        stream=True,
    ) as response:
        code = response.status_code
        if 200 <= code < 300:
            return code, None
        # Only the start of the answer: enough for the log, and a huge error page
        # cannot hold the worker.
        head = next(response.iter_content(512), b"").decode("utf-8", "replace")
        return code, "HTTP %s: %s" % (code, head[:200])


def _post(job: Job, timeout: float) -> tuple[int | None, str | None]:
    """Post one event; returns (status code or None, error text or None)."""
    deadline = _deadline(timeout)
    try:
        with deadline:
            return _send(job, timeout)
    except requests.RequestException as exc:
        return None, "%s: %s" % (type(exc).__name__, exc)
    except gevent.Timeout as exc:
        if exc is not deadline:  # someone else's timeout: not ours to swallow
            raise
        return None, "Timeout: no complete answer within %ss" % timeout


def _outcome(row_id: int, attempt: int, error: str | None, config: Config) -> Update:
    """The UPDATE that moves the row on: delivered, retried later, or dead."""
    now = utcnow()
    mine: tuple[ColumnElement[bool], ...] = (
        OutboxEvent.id == row_id,
        OutboxEvent.status == "pending",
    )
    if error is None:
        # A 2xx wins even from a holder that lost its lease: the receiver has the event.
        return (
            update(OutboxEvent)
            .where(*mine)
            .values(status="delivered", delivered_at=now, lease_until=None, last_error=None)
        )
    # A failure only counts for the latest claim (the fence); a stale one is just logged.
    mine += (OutboxEvent.attempts == attempt,)
    if attempt >= config["WEBHOOK_MAX_ATTEMPTS"]:
        return (
            update(OutboxEvent)
            .where(*mine)
            .values(status="dead", lease_until=None, last_error=error)
        )
    delay = backoff_delay(
        attempt, config["WEBHOOK_BACKOFF_BASE_S"], config["WEBHOOK_BACKOFF_MAX_S"]
    )
    return (
        update(OutboxEvent)
        .where(*mine)
        .values(next_attempt_at=now + timedelta(seconds=delay), lease_until=None, last_error=error)
    )


def _record_once(
    row_id: int, attempt: int, code: int | None, error: str | None, duration_ms: int, config: Config
) -> None:
    """One try at logging the attempt and moving the row on, in one transaction."""
    db.session.execute(_outcome(row_id, attempt, error, config))
    if db.session.get(OutboxEvent, row_id) is None:  # its webhook was removed meanwhile
        db.session.rollback()
        return
    db.session.add(
        DeliveryAttempt(
            outbox_id=row_id,
            attempt=attempt,
            status_code=code,
            error=error,
            duration_ms=duration_ms,
        )
    )
    db.session.commit()


def _record(
    row_id: int, attempt: int, code: int | None, error: str | None, duration_ms: int, config: Config
) -> None:
    """Log the attempt and move the row on, retrying a busy SQLite write lock.

    Giving up here would leave the row leased, and it would be posted again once the
    lease ran out although the receiver may already have acknowledged it.
    """
    for tries_left in range(_RECORD_TRIES - 1, -1, -1):
        try:
            return _record_once(row_id, attempt, code, error, duration_ms, config)
        except OperationalError:
            db.session.rollback()
            if not tries_left:
                raise


def _job(row_id: int) -> Job | None:
    """What the POST needs, read in a short transaction; None when the row is gone."""
    row = db.session.get(OutboxEvent, row_id)
    hook = db.session.get(Webhook, row.webhook_id) if row else None
    job: Job | None = None
    if row is not None and hook is not None:
        job = {
            "event_id": row.event_id,
            "event": row.event,
            "body": row.body,
            "url": hook.url,
            "secret": hook.secret,
            "auth": (hook.basic_user, hook.basic_password) if hook.basic_user else None,
        }
    db.session.rollback()  # hold no transaction (nor SQLite lock) while the POST is in flight
    return job


def deliver_one(row_id: int, attempt: int, config: Config) -> None:
    """Post one claimed row and record the outcome."""
    job = _job(row_id)
    if job is None:
        return
    started = time.monotonic()
    code, error = _post(job, config["WEBHOOK_TIMEOUT_S"])
    duration_ms = int((time.monotonic() - started) * 1000)
    log.info("webhook event %s attempt %d: %s", job["event_id"], attempt, error or code)
    _record(row_id, attempt, code, error, duration_ms, config)


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
