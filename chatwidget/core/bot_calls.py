"""A queue's virtual agent, called with each end-user message of its chats (CONTRACT §7).

A customer's ChatMessage stored while its chat is with the virtual agent (state "va")
writes one outbox row, in the message's own transaction: a rolled-back message calls
no bot. The outbox worker POSTs it to the queue's URL, signed with the queue's secret,
and retries it like a webhook (chatwidget.outbox.bot_delivery); a chat's calls go out
in order. The bot's answer is applied here: its messages posted in the chat from the
virtual agent through the one message path, then its `escalate`. When every try failed,
the chat goes to humans with the reason `va_failed`.
"""

import json
import logging
import uuid
from typing import Any

from flask import current_app
from sqlalchemy import insert

from chatwidget.core import escalations, sending
from chatwidget.core.errors import CoreError, InvalidInput, InvalidState, NotFound
from chatwidget.core.events import publish
from chatwidget.core.virtual_agents import AsVirtualAgent
from chatwidget.extensions import db
from chatwidget.models import Conversation, OutboxEvent

log = logging.getLogger(__name__)
EVENT = "va.message"  # the outbox row's event (and X-Event-Type); the body says "message"
FAILED = "va_failed"  # the escalation reason when the bot never answered
# Ids of the bot's messages derive from the call's event id and their place in the
# answer: an answer applied twice (a call posted again after a crash) stores them once.
_ANSWER_IDS = uuid.UUID("0b5e7c1a-9d24-4a55-8a8e-6f0c2b7e4d31")
_INSERT = insert(OutboxEvent.__table__)


def calls_bot(payload: dict[str, Any]) -> bool:
    """Whether a message.new is an end user's message to a chat with its virtual agent:
    read from the payload alone, so other messages cost nothing."""
    if payload.get("state") != "va":
        return False
    message = payload["message"]
    return message.type == "ChatMessage" and (message.sender or {}).get("role") == "customer"


def enqueue_call(conversation: Conversation, body: dict[str, Any]) -> None:
    """Keep the call to the chat's virtual agent (body: {"event","chat","message"}, JSON
    values) in the outbox, in the caller's transaction; the worker is woken once it
    commits."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    db.session.execute(
        _INSERT,
        {
            "event_id": str(uuid.uuid4()),
            "queue_id": conversation.queue_id,
            "conversation_pk": conversation.id,
            "event": EVENT,
            "body": text,
        },
    )
    publish(db.session, "outbox.new", {})


def with_bot(conversation_pk: int) -> bool:
    """Whether the chat is still with its virtual agent (a call to it still matters)."""
    conversation = db.session.get(Conversation, conversation_pk)
    return conversation is not None and conversation.state == "va"


def check_texts(texts: list[str]) -> None:
    """The bot's messages are postable: InvalidInput (a malformed answer) otherwise, before
    any of them is posted."""
    limit = current_app.config["MAX_MESSAGE_CHARS"]
    for text in texts:
        if not text.strip() or len(text) > limit:
            reason = "Empty or longer than %d characters." % limit
            raise InvalidInput(
                "a virtual agent's message: " + reason, errors={"messages": [reason]}
            )


def do_answer(conversation_pk: int, call_id: str, texts: list[str], escalate: str | None) -> None:
    """Apply the bot's answer to one call: post its texts from the virtual agent, then,
    with escalate (the reason, "" for none given), do what POST …/escalations does.
    A chat that left the bot meanwhile (escalated, ended) gets nothing."""
    check_texts(texts)
    for index, text in enumerate(texts):
        data = {
            "type": "ChatMessage",
            "id": str(uuid.uuid5(_ANSWER_IDS, "%s/%d" % (call_id, index))),
            "text": text,
        }
        try:
            sending.do_send_message(AsVirtualAgent(conversation_pk), data)
        except (InvalidState, NotFound):
            return
    if escalate is not None:
        _escalate(conversation_pk, escalate or None)


def _escalate(conversation_pk: int, reason: str | None) -> None:
    """Escalate the chat if it is still with its bot; a race lost to another change
    (an agent's, the customer's) leaves that change in place."""
    conversation = db.session.get(Conversation, conversation_pk)
    if conversation is None or conversation.state != "va":
        return
    try:
        escalations.do_escalate(conversation, reason)
    except CoreError as error:
        db.session.rollback()
        log.info("chat %s not escalated (%s): %s", conversation_pk, reason, error)


def do_give_up(conversation_pk: int) -> None:
    """Every try of a call failed: the chat goes to humans (reason va_failed), so the
    customer is not left with a silent bot."""
    _escalate(conversation_pk, FAILED)
