"""A queue's virtual agent (CONTRACT §7): chats of its queue start with it.

A queue created with a virtual-agent URL starts each of its chats at `va_assigned`
(conversation state "va"): the bot joins as a participant of role "bot" instead of the
chat being queued for humans, until an escalation hands it to the human queue.
"""

from typing import NamedTuple

from sqlalchemy import select, update

from chatwidget.core import messages, routing, senders
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.chat_view import virtual_agent_of
from chatwidget.core.errors import InvalidState, NotFound
from chatwidget.extensions import db
from chatwidget.models import Conversation, Participant, Queue
from chatwidget.models.types import utcnow


def bot_of(conversation: Conversation) -> Participant | None:
    """The virtual agent's participant while it is in the chat, else None."""
    return db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="bot", left_at=None)
    )


def do_start(conversation: Conversation) -> None:
    """A new conversation starts: with its queue's virtual agent when the queue has one,
    else queued for humans (routing.do_enqueue: handOff, then an agent if one is free)."""
    queue = db.session.get_one(Queue, conversation.queue_id)
    bot = virtual_agent_of(queue)
    if bot is None:
        routing.do_enqueue(conversation)
        return
    if not compare_and_set(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.state == "new")
        .values(state="va")
    ):
        db.session.rollback()
        return
    participant = Participant(
        participant_id="va-%d-%s" % (queue.id, conversation.conversation_id),
        public_id="va-%d-%s" % (queue.id, conversation.conversation_id),
        conversation_pk=conversation.id,
        role="bot",
        name=bot["name"],
    )
    db.session.add(participant)
    db.session.flush()
    db.session.refresh(conversation)
    messages.activity(
        conversation, "participantJoined", info={"participant": messages.who(participant)}
    )
    db.session.commit()


def leave_bot(conversation: Conversation) -> None:
    """The virtual agent leaves the chat (participantLeft), in the caller's transaction."""
    participant = bot_of(conversation)
    if participant is None:
        return
    messages.activity(
        conversation, "participantLeft", info={"participant": messages.who(participant)}
    )
    participant.left_at = utcnow()


def bot_sender(conversation_pk: int) -> tuple[senders.LiveConversation, senders.Sender]:
    """The chat and its virtual agent as the sender of a message, for posting; NotFound
    without the chat, InvalidState once the bot left it (escalated or ended): a late
    answer of the bot posts nothing."""
    conversation = db.session.get(Conversation, conversation_pk)
    if conversation is None:
        raise NotFound("no chat %s" % conversation_pk)
    bot = bot_of(conversation) if conversation.state == "va" else None
    if bot is None:
        raise InvalidState("the virtual agent is no longer in chat %s" % conversation_pk)
    live = senders.LiveConversation(
        conversation.id,
        conversation.conversation_id,
        conversation.state,
        conversation.channel,
        conversation.ref_id,
        conversation.queue_id,
        conversation.agent_id,
        messages.agents_in(conversation),
    )
    sender = senders.Sender(
        bot.id, bot.participant_id, bot.public_id, conversation.id, bot.role, bot.name, None
    )
    return live, sender


class AsVirtualAgent(NamedTuple):
    """The virtual agent of a chat, while it is in it (the outbox posts its answers)."""

    conversation_pk: int

    def lookup(self) -> tuple[senders.LiveConversation, senders.Sender]:
        """The conversation and the bot as sender, or NotFound/InvalidState (bot_sender)."""
        return bot_sender(self.conversation_pk)
