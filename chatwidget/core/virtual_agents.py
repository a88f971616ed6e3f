"""A queue's virtual agent (CONTRACT §7): chats of its queue start with it.

A queue created with a virtual-agent URL starts each of its chats at `va_assigned`
(conversation state "va"): the bot joins as a participant of role "bot" instead of the
chat being queued for humans, until an escalation hands it to the human queue.
"""

from sqlalchemy import select, update

from chatwidget.core import messages, routing
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.chat_view import virtual_agent_of
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
