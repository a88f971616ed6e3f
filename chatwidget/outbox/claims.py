"""Which process delivers an outbox row, and what the answer does to the row.

Safe with several server processes: a row is claimed under FOR UPDATE SKIP LOCKED
(PostgreSQL) and a conditional lease update (every database), one row at a time, so one
process posts it at a time. A process killed mid-delivery leaves a lease that expires;
the row is then posted again with the same event id, for the receiver to deduplicate on.

Each claim adds one to the row's `attempts`, and that number is the claim's fence: only
the process holding the latest attempt may schedule a retry or dead-letter the row, so
a process that lost its lease cannot overwrite the outcome of the one that took over.
"""

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Row, Select, Update, or_, select, update
from sqlalchemy.exc import OperationalError

from chatwidget.extensions import db
from chatwidget.models import DeliveryAttempt, OutboxEvent
from chatwidget.models.types import utcnow

BATCH = 20  # rows delivered per deliver_due() call before the worker looks at its wakeup
ABANDONED = "abandoned: the delivering process stopped before recording an answer"
_RECORD_TRIES = 3  # a SQLite write lock held by another process is retried, not fatal

Config = Mapping[str, Any]  # the app's config, where the WEBHOOK_* settings are read


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


def record(
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
