"""Webhook endpoints as the admin pages show them: counts, the delivery log, redelivery.

A redelivered event goes back to `pending`, due now, unleased: the delivery worker
(chatwidget.outbox) claims it like any other due row. Its `attempts` are kept, so the
log's attempt numbers go on rising and the worker's fence (a claim's attempt number)
never repeats: the redelivery is one more try, and a failure makes it dead again.
"""

from typing import TypedDict

from sqlalchemy import ColumnElement, case, func, select, update

from chatwidget.core import webhooks
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import Conflict, NotFound
from chatwidget.core.events import publish
from chatwidget.extensions import db
from chatwidget.models import DeliveryAttempt, OutboxEvent, Webhook
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc

STATUSES = ("pending", "delivered", "dead")


class AdminWebhook(webhooks.WebhookView):
    """A webhook with its events counted by status."""

    createdAt: str
    counts: dict[str, int]


class Attempt(TypedDict):
    """One delivery attempt of an event."""

    attempt: int
    at: str
    statusCode: int | None
    error: str | None
    durationMs: int | None


class EventView(TypedDict):
    """An outbox event with its delivery log."""

    id: int
    eventId: str
    event: str
    status: str
    attempts: int
    createdAt: str
    deliveredAt: str | None
    lastError: str | None
    log: list[Attempt]


class EventsPage(TypedDict):
    items: list[EventView]
    page: int
    perPage: int
    total: int


def describe(
    hook: Webhook, counts: dict[str, int] | None = None, with_secret: bool = False
) -> AdminWebhook:
    """A webhook with its event counts (the Basic password never)."""
    return AdminWebhook(
        **webhooks.describe(hook, with_secret=with_secret),
        createdAt=format_utc(hook.created_at),
        counts=counts or dict.fromkeys(STATUSES, 0),
    )


def list_hooks() -> list[AdminWebhook]:
    """Every endpoint, oldest first, with its events counted by status in one query."""
    counted = {
        status: func.coalesce(func.sum(case((OutboxEvent.status == status, 1), else_=0)), 0)
        for status in STATUSES
    }
    rows = db.session.execute(
        select(Webhook, *(c.label(s) for s, c in counted.items()))
        .outerjoin(OutboxEvent, OutboxEvent.webhook_id == Webhook.id)
        .group_by(Webhook.id)
        .order_by(Webhook.id)
    )
    return [describe(row[0], {s: int(getattr(row, s)) for s in STATUSES}) for row in rows]


def get_hook(hook_id: int) -> Webhook:
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound("no webhook %s" % hook_id)
    return hook


def events(
    hook_id: int, status: str | None = None, page: int = 1, per_page: int = 25
) -> EventsPage:
    """One page of an endpoint's events, newest first, each with its delivery log."""
    get_hook(hook_id)
    where: list[ColumnElement[bool]] = [OutboxEvent.webhook_id == hook_id]
    if status:
        where.append(OutboxEvent.status == status)
    total = db.session.scalar(select(func.count(OutboxEvent.id)).where(*where)) or 0
    rows = list(
        db.session.scalars(
            select(OutboxEvent)
            .where(*where)
            .order_by(OutboxEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    logs = _logs([row.id for row in rows])
    items = [describe_event(row, logs.get(row.id, [])) for row in rows]
    return EventsPage(items=items, page=page, perPage=per_page, total=total)


def _logs(outbox_ids: list[int]) -> dict[int, list[Attempt]]:
    """The delivery attempts of these events, oldest first, by event id."""
    out: dict[int, list[Attempt]] = {}
    if not outbox_ids:
        return out
    rows = db.session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.outbox_id.in_(outbox_ids))
        .order_by(DeliveryAttempt.at, DeliveryAttempt.id)
    )
    for row in rows:
        out.setdefault(row.outbox_id, []).append(
            Attempt(
                attempt=row.attempt,
                at=format_utc(row.at),
                statusCode=row.status_code,
                error=row.error,
                durationMs=row.duration_ms,
            )
        )
    return out


def describe_event(row: OutboxEvent, log: list[Attempt]) -> EventView:
    return EventView(
        id=row.id,
        eventId=row.event_id,
        event=row.event,
        status=row.status,
        attempts=row.attempts,
        createdAt=format_utc(row.created_at),
        deliveredAt=format_utc(row.delivered_at),
        lastError=row.last_error,
        log=log,
    )


def do_redeliver(event_pk: int) -> EventView:
    """Send a dead or delivered event again, now; Conflict while it is still pending."""
    row = db.session.get(OutboxEvent, event_pk)
    if row is None:
        raise NotFound("no webhook event %s" % event_pk)
    if not compare_and_set(
        update(OutboxEvent)
        .where(OutboxEvent.id == row.id, OutboxEvent.status.in_(("dead", "delivered")))
        .values(status="pending", next_attempt_at=utcnow(), lease_until=None, delivered_at=None)
    ):
        db.session.rollback()
        raise Conflict("this event is still pending: the worker will deliver it")
    publish(db.session, "outbox.new", {})  # wake the delivery worker after the commit
    db.session.commit()
    db.session.refresh(row)
    return describe_event(row, _logs([row.id]).get(row.id, []))
