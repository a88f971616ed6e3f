"""Which process delivers an outbox row, and what the answer does to the row.

Safe with several server processes: a row is claimed under FOR UPDATE SKIP LOCKED
(PostgreSQL) and a conditional lease update (every database), one row at a time, so one
process posts it at a time. A process killed mid-delivery leaves a lease that expires;
the row is then posted again with the same event id, for the receiver to deduplicate on.

A virtual agent's calls (rows with a conversation_pk) are claimed in order within their
chat: none while an earlier call of the same chat is pending (leased or waiting for its
retry), so a later message's call never overtakes an earlier one's. They have their own
limits (VIRTUAL_AGENT_*: a customer waits for the answer) where webhooks have WEBHOOK_*.

Each claim adds one to the row's `attempts`, and that number is the claim's fence: only
the process holding the latest attempt may schedule a retry or dead-letter the row, so
a process that lost its lease cannot overwrite the outcome of the one that took over.
"""

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Row, Select, Update, exists, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased

from chatwidget.core import bot_calls
from chatwidget.extensions import db
from chatwidget.models import DeliveryAttempt, OutboxEvent
from chatwidget.models.types import utcnow

BATCH = 20  # rows delivered per deliver_due() call before the worker looks at its wakeup
ABANDONED = "abandoned: the delivering process stopped before recording an answer"
_RECORD_TRIES = 3  # a SQLite write lock held by another process is retried, not fatal

Config = Mapping[str, Any]  # the app's config, where the WEBHOOK_* settings are read
_earlier = aliased(OutboxEvent)


def limits(config: Config, bot: bool) -> tuple[int, float, float]:
    """(max attempts, backoff base, backoff cap) of a webhook's row, or of a bot call's."""
    prefix = "VIRTUAL_AGENT_" if bot else "WEBHOOK_"
    return (
        config[prefix + "MAX_ATTEMPTS"],
        config[prefix + "BACKOFF_BASE_S"],
        config[prefix + "BACKOFF_MAX_S"],
    )


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: half fixed, half random, so retries spread out."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def lease_seconds(config: Config) -> float:
    """How long a claim lasts: WEBHOOK_LEASE_S, but always longer than one whole POST.

    A lease shorter than the request timeout would let a second live process claim a
    row whose POST is merely slow, and post it twice.
    """
    longest = max(config["WEBHOOK_TIMEOUT_S"], config["VIRTUAL_AGENT_TIMEOUT_S"])
    return max(config["WEBHOOK_LEASE_S"], longest + 1)


def _free(now: datetime) -> ColumnElement[bool]:
    """Rows no live process holds: never leased, or the lease ran out."""
    return or_(OutboxEvent.lease_until.is_(None), OutboxEvent.lease_until < now)


# A bot call waits for the calls of its chat made before it (webhook rows have no chat:
# NULL never equals, so nothing waits).
_NOT_OVERTAKING = ~exists().where(
    _earlier.conversation_pk == OutboxEvent.conversation_pk,
    _earlier.status == "pending",
    _earlier.id < OutboxEvent.id,
)


Candidate = Row[int, int, datetime | None, int | None, int | None]


def _candidates(now: datetime) -> Select[int, int, datetime | None, int | None, int | None]:
    """Due rows, oldest first; on PostgreSQL locked rows are skipped, not waited for."""
    return (
        select(
            OutboxEvent.id,
            OutboxEvent.attempts,
            OutboxEvent.lease_until,
            OutboxEvent.queue_id,
            OutboxEvent.conversation_pk,
        )
        .where(
            OutboxEvent.status == "pending",
            OutboxEvent.next_attempt_at <= now,
            _free(now),
            _NOT_OVERTAKING,
        )
        .order_by(OutboxEvent.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )


# _take's answer for a candidate it dead-lettered: no attempt is made (attempts start at 1)
DEAD_LETTERED = 0


def _take(row: Candidate, now: datetime, config: Config) -> int | None:
    """Lease one candidate if no other process got it first; returns its attempt,
    DEAD_LETTERED, or None (another process got it).

    A candidate still carrying a lease was abandoned by a process that died mid-delivery:
    that attempt gets its line in the log, and if it was the last one allowed, the row
    is dead-lettered instead of posted again.
    """
    abandoned = row.lease_until is not None
    attempt = DEAD_LETTERED
    if abandoned and row.attempts >= limits(config, row.queue_id is not None)[0]:
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
    """Lease the oldest due row to this process; returns (row id, attempt) or None.

    A bot call whose last try was abandoned (its process died mid-call) is dead-lettered
    here, and its chat escalated (bot_calls.do_give_up) as after any last failed try.
    """
    now = utcnow()
    claimed = None
    given_up = []
    for row in db.session.execute(_candidates(now)).all():
        attempt = _take(row, now, config)
        if attempt == DEAD_LETTERED:
            if row.conversation_pk is not None:
                given_up.append(row.conversation_pk)
        elif attempt is not None:
            claimed = (row.id, attempt)
            break
    db.session.commit()  # also releases PostgreSQL's locks on the candidates not taken
    for conversation_pk in given_up:
        bot_calls.do_give_up(conversation_pk)
    return claimed


def _outcome(row_id: int, attempt: int, error: str | None, config: Config, bot: bool) -> Update:
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
    max_attempts, base, cap = limits(config, bot)
    if attempt >= max_attempts:
        return (
            update(OutboxEvent)
            .where(*mine)
            .values(status="dead", lease_until=None, last_error=error)
        )
    delay = backoff_delay(attempt, base, cap)
    return (
        update(OutboxEvent)
        .where(*mine)
        .values(next_attempt_at=now + timedelta(seconds=delay), lease_until=None, last_error=error)
    )


def _record_once(
    row_id: int, attempt: int, code: int | None, error: str | None, duration_ms: int, config: Config
) -> bool:
    """One try at logging the attempt and moving the row on, in one transaction; whether
    this dead-lettered the row."""
    row = db.session.get(OutboxEvent, row_id)
    if row is None:  # its webhook (its chat, its queue) was removed meanwhile
        db.session.rollback()
        return False
    bot = row.queue_id is not None
    # An UPDATE's result is a CursorResult, which Session.execute is not typed to say.
    moved = cast(
        CursorResult[Any], db.session.execute(_outcome(row_id, attempt, error, config, bot))
    )
    dead = error is not None and attempt >= limits(config, bot)[0] and moved.rowcount == 1
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
    return dead


def record(
    row_id: int, attempt: int, code: int | None, error: str | None, duration_ms: int, config: Config
) -> bool:
    """Log the attempt and move the row on, retrying a busy SQLite write lock; whether
    this dead-lettered the row (its last try failed).

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
    return False  # not reached: the last try returns or raises


def cancel(row_id: int) -> None:
    """A claimed row no longer wanted (a bot call whose chat left the bot): never posted."""
    db.session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == row_id, OutboxEvent.status == "pending")
        .values(status="cancelled", lease_until=None)
    )
    db.session.commit()
