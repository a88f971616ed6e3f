"""A virtual agent's calls through the outbox (CONTRACT §7): kept, posted, answered.

keep_call() writes the call of an end user's message in the message's transaction (an
in-transaction subscriber, installed at app start, as the connectors' outbox is): the
wire formats are chatwidget.schemas', which core may not import. The worker hands each
claimed call to deliver(): the POST, signed with the queue's secret, waits
VIRTUAL_AGENT_TIMEOUT_S for the whole answer; a 200 with a well-formed answer is
applied (core.bot_calls.do_answer), anything else is a failed try, retried with backoff
(VIRTUAL_AGENT_*), and after the last one the chat is escalated (va_failed).
"""

import json
import logging
import time
from typing import Any

from marshmallow import ValidationError

from chatwidget.core import bot_calls, chat_messages
from chatwidget.core.chat_view import chat_view
from chatwidget.core.errors import CoreError
from chatwidget.core.events import subscribe_in_transaction
from chatwidget.extensions import db
from chatwidget.models import Conversation, OutboxEvent, Queue
from chatwidget.outbox.claims import Config, cancel, record
from chatwidget.outbox.post import Job, exchange
from chatwidget.schemas.virtual_agents import BotAnswerSchema, BotCallSchema

log = logging.getLogger(__name__)
ANSWER_LIMIT = 1 << 20  # bytes of a bot's answer read at most; a longer one is a failure
_CALL = BotCallSchema()
_ANSWER = BotAnswerSchema()


def keep_call(name: str, payload: dict[str, Any]) -> None:
    """An end user's message to a chat with its virtual agent is kept as the call to it,
    in the transaction storing the message. Other messages cost one dict lookup."""
    if name != "message.new" or not bot_calls.calls_bot(payload):
        return
    conversation = db.session.get_one(Conversation, payload["conversationPk"])
    message = chat_messages.message_view(conversation, payload["message"].id)
    body = _CALL.dump({"event": "message", "chat": chat_view(conversation), "message": message})
    bot_calls.enqueue_call(conversation, body)


def install() -> None:
    """Subscribe keep_call once per process (every process that stores messages)."""
    subscribe_in_transaction(keep_call)


def _job(row: OutboxEvent) -> Job | None:
    """What the POST of a call needs; None (the row cancelled) when the call no longer
    matters: its chat left the bot (escalated, ended) or its queue lost the bot."""
    queue = db.session.get(Queue, row.queue_id)
    job: Job | None = None
    if (
        queue is not None
        and queue.virtual_agent_url
        and queue.virtual_agent_secret
        and row.conversation_pk is not None
        and bot_calls.with_bot(row.conversation_pk)
    ):
        job = {
            "event_id": row.event_id,
            "event": row.event,
            "body": row.body,
            "url": queue.virtual_agent_url,
            "secrets": [queue.virtual_agent_secret],
            "auth": None,
        }
    db.session.rollback()  # hold no transaction (nor SQLite lock) while the POST is in flight
    return job


def _apply(conversation_pk: int, event_id: str, answer: bytes | None) -> str | None:
    """Apply a 2xx answer; the error text of a malformed one (a failed try), else None."""
    try:
        data = _ANSWER.load(json.loads(answer or b""))
    except (ValueError, ValidationError) as exc:
        return "malformed answer: %s" % str(exc)[:300]
    escalate = data["escalate"]
    reason = None if escalate is None else escalate["reason"] or ""
    texts = [message["content"] for message in data["messages"]]
    try:
        bot_calls.do_answer(conversation_pk, event_id, texts, reason)
    except CoreError as exc:  # checked before anything was posted
        db.session.rollback()
        return "malformed answer: %s" % exc
    return None


def deliver(row_id: int, attempt: int, config: Config) -> None:
    """Post one claimed call, apply its answer, record the outcome; escalate the chat
    (va_failed) when that was the last try."""
    row = db.session.get(OutboxEvent, row_id)
    conversation_pk = row.conversation_pk if row is not None else None
    job = _job(row) if row is not None else None
    if job is None or conversation_pk is None:
        cancel(row_id)
        return
    started = time.monotonic()
    code, error, answer = exchange(job, config["VIRTUAL_AGENT_TIMEOUT_S"], ANSWER_LIMIT)
    if error is None:
        error = _apply(conversation_pk, job["event_id"], answer)
    duration_ms = int((time.monotonic() - started) * 1000)
    log.info("virtual agent call %s attempt %d: %s", job["event_id"], attempt, error or code)
    if record(row_id, attempt, code, error, duration_ms, config):
        bot_calls.do_give_up(conversation_pk)
