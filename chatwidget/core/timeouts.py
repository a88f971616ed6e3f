"""Time-outs: silent conversations end, long waits get the offline notice.

Run by every process's scheduler; ending goes through handling.do_end's compare-and-set
and the notice through a conditional update, so two processes never act twice.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from chatwidget.core import handling, messages, routing
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import CoreError
from chatwidget.extensions import db
from chatwidget.models import Conversation, Queue
from chatwidget.models.types import utcnow

OFFLINE_TEXT = (
    "All our agents are busy. Leave your e-mail and your question here and we will answer "
    "as soon as we can."
)
BATCH = 100


def do_end_inactive() -> int:
    """End conversations with no stored message for INACTIVITY_TIMEOUT_S; returns how many."""
    limit = utcnow() - timedelta(seconds=current_app.config["INACTIVITY_TIMEOUT_S"])
    silent = db.session.scalars(
        select(Conversation)
        # Offline messages wait for an agent's e-mail, not for the customer to write on.
        .where(
            Conversation.state.not_in(("ended", "offline")),
            Conversation.last_message_at < limit,
        )
        .order_by(Conversation.last_message_at)
        .limit(BATCH)
    ).all()
    ended = 0
    for conversation in silent:
        try:
            handling.do_end(conversation, "timeout")
            ended += 1
        except CoreError:  # another process ended it, or it changed meanwhile
            db.session.rollback()
    return ended


def do_notify_long_waits() -> int:
    """Tell customers waiting over QUEUE_TIMEOUT_S that nobody is free; once each."""
    limit = utcnow() - timedelta(seconds=current_app.config["QUEUE_TIMEOUT_S"])
    waiting = db.session.scalars(
        select(Conversation)
        .where(
            Conversation.state == "waiting",
            Conversation.queued_at < limit,
            Conversation.offline_notified_at.is_(None),
        )
        .limit(BATCH)
    ).all()
    for conversation in waiting:
        if not compare_and_set(
            update(Conversation)
            .where(Conversation.id == conversation.id, Conversation.offline_notified_at.is_(None))
            .values(offline_notified_at=utcnow())
        ):
            db.session.rollback()
            continue
        queue = db.session.get_one(Queue, conversation.queue_id)
        info = {
            "queue": queue.name,
            "position": routing.position(conversation),
            "offline": True,
            "message": OFFLINE_TEXT,
        }
        messages.activity(conversation, "noAgentAvailable", info=info)
        db.session.commit()
    return len(waiting)
