"""Webhook endpoints and the outbox rows that feed them."""

import json
import secrets
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select

from chatwidget.core.errors import InvalidInput, NotFound
from chatwidget.core.events import publish
from chatwidget.extensions import db
from chatwidget.models import OutboxEvent, Webhook

EVENTS = ("call.summary", "chat.created", "chat.message", "chat.ended")


def add_webhook(url, events=None, basic_user=None, basic_password=None):
    """Register an endpoint for some events (default call.summary); returns it with its secret."""
    events = sorted(set(events or ["call.summary"]))
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise InvalidInput("unknown event %s; known: %s" % (", ".join(unknown), ", ".join(EVENTS)))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("the webhook URL must be an absolute http or https URL")
    if bool(basic_user) != bool(basic_password):
        raise InvalidInput("give both --basic-user and --basic-password, or neither")
    hook = Webhook(
        url=url,
        events=events,
        basic_user=basic_user,
        basic_password=basic_password,
        secret=secrets.token_urlsafe(32),
    )
    db.session.add(hook)
    db.session.commit()
    return hook


def remove_webhook(hook_id):
    """Stop delivering to an endpoint; its pending events are dropped with it."""
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound("no webhook %s" % hook_id)
    db.session.delete(hook)
    db.session.commit()


def list_webhooks():
    """Every endpoint, oldest first."""
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def describe(hook, with_secret=False):
    """A webhook as the CLI prints it (the Basic password never)."""
    out = {"id": hook.id, "url": hook.url, "events": hook.events, "active": hook.active}
    out["basicUser"] = hook.basic_user
    if with_secret:
        out["secret"] = hook.secret
    return out


def enqueue(event, body):
    """Write one outbox row per endpoint subscribed to event, in the caller's transaction.

    The caller commits; the delivery worker is woken after that commit.
    """
    hooks = db.session.scalars(select(Webhook).filter_by(active=True)).all()
    targets = [h for h in hooks if event in h.events]
    if not targets:
        return
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    for hook in targets:
        db.session.add(
            OutboxEvent(event_id=str(uuid.uuid4()), webhook_id=hook.id, event=event, body=text)
        )
    publish(db.session, "outbox.new", None)
