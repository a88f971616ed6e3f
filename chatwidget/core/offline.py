"""Offline messages (left through the widget's form): listed in the console, answered by
e-mail, marked done."""

from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any, TypedDict

from flask import current_app
from sqlalchemy import Row, select, update

from chatwidget.core import conversations, mailer, messages
from chatwidget.core.errors import Forbidden, InvalidInput, NotFound
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Message, Participant, Queue
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc

LIMIT = 200  # listed at most; the open ones are few, the done ones only the latest


class Reply(TypedDict):
    """An agent's answer to an offline message (sent by e-mail)."""

    text: str | None
    at: str
    agent: str | None


class OfflineItem(TypedDict):
    """An offline message as the console lists it."""

    conversationId: str
    name: str | None
    email: str | None
    text: str | None
    queue: str
    createdAt: str
    doneAt: str | None
    replies: list[Reply]


def listing(agent: Agent, status: str = "open") -> list[OfflineItem]:
    """Open (or done) offline messages of the agent's queues (an admin's: all), oldest
    first; of the done ones, the latest LIMIT."""
    done = status == "done"
    marked = Conversation.offline_done_at
    query = (
        select(Conversation, Queue.name)
        .join(Queue, Queue.id == Conversation.queue_id)
        .where(Conversation.state == "offline", marked.is_not(None) if done else marked.is_(None))
    )
    if not agent.is_admin:
        query = query.where(Conversation.queue_id.in_([q.id for q in agent.skills]))
    order: tuple[Any, ...] = (Conversation.created_at, Conversation.id)
    if done:
        order = tuple(column.desc() for column in order)
    rows = db.session.execute(query.order_by(*order).limit(LIMIT)).all()
    # The latest done ones were read newest first; they are listed oldest first too.
    return _items(rows[::-1] if done else rows)


def _items(
    rows: Sequence[Row[Conversation, str] | tuple[Conversation, str]],
) -> list[OfflineItem]:
    """(conversation, queue name) rows as the console lists them, their messages read at once."""
    found = db.session.execute(
        select(Message.conversation_pk, Message.text, Message.sender, Message.created_at)
        .where(Message.conversation_pk.in_([c.id for c, _ in rows]), Message.type == "ChatMessage")
        .order_by(Message.conversation_pk, Message.seq)
    ).all()
    texts: dict[int, str | None] = {}
    replies: dict[int, list[Reply]] = {}
    for pk, text, sender, at in found:
        if sender.get("role") == "customer":
            texts.setdefault(pk, text)
        else:
            reply = Reply(text=text, at=format_utc(at), agent=sender.get("name"))
            replies.setdefault(pk, []).append(reply)
    return [
        OfflineItem(
            conversationId=c.conversation_id,
            name=(c.customer or {}).get("firstName"),
            email=c.email,
            text=texts.get(c.id, ""),
            queue=queue,
            createdAt=format_utc(c.created_at),
            doneAt=format_utc(c.offline_done_at),
            replies=replies.get(c.id, []),
        )
        for c, queue in rows
    ]


def _item(conversation: Conversation) -> OfflineItem:
    return _items([(conversation, db.session.get_one(Queue, conversation.queue_id).name)])[0]


def check_offline(agent: Agent, conversation_id: str) -> Conversation:
    """The offline message of one of the agent's queues (any, for an admin)."""
    conversation: Conversation = conversations.get(conversation_id)
    if conversation.state != "offline":
        raise NotFound("no offline message %s" % conversation_id)
    if not agent.is_admin and conversation.queue_id not in {q.id for q in agent.skills}:
        raise Forbidden("this offline message was left in a queue you do not serve")
    return conversation


def _check_text(text: str) -> str:
    limit = current_app.config["MAX_MESSAGE_CHARS"]
    if not text.strip() or len(text) > limit:
        reason = "1 to %d characters, not only spaces." % limit
        raise InvalidInput("text: " + reason, errors={"text": [reason]})
    return text


def _email(agent: Agent, conversation: Conversation, to: str, text: str) -> EmailMessage:
    """The reply as an e-mail to the customer, quoting what they wrote."""
    original = _item(conversation)["text"] or ""
    quoted = "\n".join("> " + line for line in original.splitlines())
    body = "%s\n\n%s\n\nYou wrote:\n%s\n" % (text, agent.name, quoted)
    return mailer.compose(to, "Re: your message", body)


def do_reply(agent: Agent, conversation_id: str, text: str) -> OfflineItem:
    """E-mail the reply to the customer, then store it as the agent's ChatMessage and mark
    the message done. Unavailable (503) when the e-mail cannot be sent: nothing stored."""
    conversation = check_offline(agent, conversation_id)
    text = _check_text(text)
    if not conversation.email:
        raise InvalidInput("this offline message has no e-mail to answer to")
    message = _email(agent, conversation, conversation.email, text)
    pk = conversation.id
    # Nothing is written before the e-mail has gone; nor is a connection held while the
    # SMTP server answers (up to SMTP_TIMEOUT_S).
    db.session.commit()
    mailer.send(message)
    conversation = db.session.get_one(Conversation, pk)
    participant = _participant(conversation, agent)
    messages.store(conversation, messages.who(participant), "ChatMessage", text=text)
    _mark_done(pk)
    db.session.commit()
    return _item(conversation)


def _participant(conversation: Conversation, agent: Agent) -> Participant:
    """The agent as a participant of the offline conversation, joined and gone at once
    (it answers by e-mail; nobody is live in it)."""
    participant_id = "agent-%d-%s" % (agent.id, conversation.conversation_id)
    participant = db.session.scalar(select(Participant).filter_by(participant_id=participant_id))
    if participant is None:
        now = utcnow()
        participant = Participant(
            participant_id=participant_id,
            public_id=participant_id,
            conversation_pk=conversation.id,
            role="agent",
            name=agent.name,
            agent_id=agent.id,
            joined_at=now,
            left_at=now,
        )
        db.session.add(participant)
    return participant


def _mark_done(pk: int) -> None:
    db.session.execute(
        update(Conversation)
        .where(Conversation.id == pk, Conversation.offline_done_at.is_(None))
        .values(offline_done_at=utcnow())
    )


def do_done(agent: Agent, conversation_id: str) -> OfflineItem:
    """Mark an offline message done (answered otherwise, or nothing to answer); idempotent."""
    conversation = check_offline(agent, conversation_id)
    _mark_done(conversation.id)
    db.session.commit()
    return _item(conversation)
