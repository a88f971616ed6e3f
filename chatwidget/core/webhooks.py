"""Webhook endpoints, their signing secrets, and the outbox rows that feed them.

Every delivery, call.summary and chat.* alike, is signed (core.signatures): one rule
for receivers, and call.summary receivers that ignore the headers lose nothing.
"""

import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NotRequired, TypedDict

from flask import current_app
from sqlalchemy import Connection, insert, select, true, update

from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import Conflict, InvalidInput, NotFound
from chatwidget.core.signatures import check_http_url
from chatwidget.extensions import db
from chatwidget.models import OutboxEvent, Webhook
from chatwidget.models.types import utcnow

EVENTS = ("call.summary", "chat.created", "chat.message", "chat.ended")


class WebhookView(TypedDict):
    """A webhook as the CLI prints it: never its Basic password, its secret when asked."""

    id: int
    url: str
    events: list[str]
    active: bool
    basicUser: str | None
    secret: NotRequired[str]


def do_add_webhook(
    url: str,
    events: Sequence[str] | None = None,
    basic_user: str | None = None,
    basic_password: str | None = None,
) -> Webhook:
    """Register an endpoint for some events (default call.summary); returns it with its secret."""
    names = sorted(set(events or ["call.summary"]))
    unknown = [e for e in names if e not in EVENTS]
    if unknown:
        raise InvalidInput("unknown event %s; known: %s" % (", ".join(unknown), ", ".join(EVENTS)))
    check_http_url(url, "url", "the webhook URL")
    if bool(basic_user) != bool(basic_password):
        raise InvalidInput("give both --basic-user and --basic-password, or neither")
    hook = Webhook(
        url=url,
        events=names,
        basic_user=basic_user,
        basic_password=basic_password,
        secret=secrets.token_urlsafe(32),
    )
    db.session.add(hook)
    db.session.commit()
    _forget_events()
    return hook


def do_remove_webhook(hook_id: int) -> None:
    """Stop delivering to an endpoint; its pending events are dropped with it."""
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound("no webhook %s" % hook_id)
    db.session.delete(hook)
    db.session.commit()
    _forget_events()


def do_rotate_secret(hook_id: int) -> Webhook:
    """Give an endpoint a new signing secret; returns it with the new secret.

    For WEBHOOK_ROTATION_S after this the replaced secret signs too (`secondary=`), so
    the receiver can switch to the new one without refusing a delivery. Rotating again
    within that window drops the oldest secret: only the one just replaced stays.
    """
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound("no webhook %s" % hook_id)
    window = timedelta(seconds=current_app.config["WEBHOOK_ROTATION_S"])
    new_secret = secrets.token_urlsafe(32)
    # Conditional on the secret read: of two rotations at once, one wins and the other
    # fails, instead of printing a secret that was overwritten at once.
    if not compare_and_set(
        update(Webhook)
        .where(Webhook.id == hook.id, Webhook.secret == hook.secret)
        .values(
            secret=new_secret,
            previous_secret=hook.secret,
            previous_secret_until=utcnow() + window,
        )
    ):
        db.session.rollback()
        raise Conflict("webhook %s was rotated meanwhile; run it again" % hook_id)
    db.session.commit()
    db.session.refresh(hook)
    return hook


def signing_secrets(hook: Webhook, now: datetime) -> list[str]:
    """The secrets a delivery made at now is signed with: the current one first, then
    the replaced one while its rotation window lasts."""
    keys = [hook.secret]
    until = hook.previous_secret_until
    if hook.previous_secret and until is not None and now < until:
        keys.append(hook.previous_secret)
    return keys


def list_webhooks() -> list[Webhook]:
    """Every endpoint, oldest first."""
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def describe(hook: Webhook, with_secret: bool = False) -> WebhookView:
    """A webhook as the CLI prints it (the Basic password never)."""
    out = WebhookView(
        id=hook.id, url=hook.url, events=hook.events, active=hook.active, basicUser=hook.basic_user
    )
    if with_secret:
        out["secret"] = hook.secret
    return out


_ACTIVE_HOOKS = select(Webhook.__table__.c.id, Webhook.__table__.c.events).where(
    Webhook.__table__.c.active == true()
)
_INSERT_OUTBOX = insert(OutboxEvent.__table__)


_EVENTS_CACHE = "chatwidget.webhook_events"


def subscribed_events(cached: bool = False) -> frozenset[str]:
    """The events some active webhook takes: read now, or with cached=True at most
    WEBHOOK_EVENTS_CACHE_S ago.

    The cached answer is for the hot path (chat.message on every message), which would
    otherwise read the webhooks on each message: there, a webhook added in another
    process counts within that time (one added or removed in this process at once).
    """
    kept = current_app.extensions.get(_EVENTS_CACHE)
    now = time.monotonic()
    if not cached or kept is None or kept[0] <= now:
        rows = db.session.connection().execute(_ACTIVE_HOOKS)
        events = frozenset(event for _, hooked in rows for event in hooked)
        kept = (now + current_app.config["WEBHOOK_EVENTS_CACHE_S"], events)
        current_app.extensions[_EVENTS_CACHE] = kept
    return frozenset(kept[1])


def _forget_events() -> None:
    current_app.extensions.pop(_EVENTS_CACHE, None)


def subscribers(connection: Connection, event: str) -> list[int]:
    """The ids of the active webhooks that take event: the one rule of who gets what.

    One small read, nothing cached: a webhook added by another process counts at once.
    """
    return [hook_id for hook_id, events in connection.execute(_ACTIVE_HOOKS) if event in events]


def enqueue(
    connection: Connection,
    event: str,
    bodies: Iterable[dict[str, Any] | Callable[[], dict[str, Any]]],
) -> int:
    """For each body, one outbox row per webhook subscribed to event, on connection.

    Written in the connection's transaction. A body is a payload, or a function that
    makes it: most sites have no webhook, and then none is made. Returns how many rows
    were written; after committing them, the caller wakes the delivery worker with the
    event "outbox.new" (events.publish on a session, events.dispatch_now after a Core
    transaction).
    """
    hook_ids = subscribers(connection, event)
    if not hook_ids:
        return 0
    rows: list[dict[str, Any]] = []
    for body in bodies:
        payload = body() if callable(body) else body
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        rows.extend(
            {"event_id": str(uuid.uuid4()), "webhook_id": hook_id, "event": event, "body": text}
            for hook_id in hook_ids
        )
    connection.execute(_INSERT_OUTBOX, rows)
    return len(rows)
