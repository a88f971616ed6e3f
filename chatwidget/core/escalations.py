"""Escalations (chats API): a chat goes from its virtual agent to the human queue.

An escalation of a chat with its virtual agent takes the bot out and queues the chat
for humans (handOff, then routing), exactly as a new chat without a bot. An escalation
of a chat already with humans changes nothing and answers the current escalation. Its
status follows the chat: `queued` until an agent takes it (`assigned`), `deflected` once
the customer chose another channel than waiting, `failed` when it could not be queued.
"""

from typing import TypedDict

from sqlalchemy import select, update

from chatwidget.core import chats, routing, virtual_agents
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import InvalidInput, InvalidState, NotFound
from chatwidget.extensions import db
from chatwidget.models import Conversation, Escalation

DEFLECTION_CHANNELS = (
    "keep_waiting",
    "voicemail",
    "scheduled_call",
    "email",
    "external_deflection_link",
    "sms",
    "phone",
)


class EscalationView(TypedDict):
    """An escalation as the chats API answers it."""

    id: int
    chat_id: int
    status: str


def status_of(escalation: Escalation, conversation: Conversation) -> str:
    """The escalation's status, from what was recorded and where the chat is now."""
    if escalation.status == "failed":
        return "failed"
    if escalation.deflection_channel not in (None, "keep_waiting"):
        return "deflected"
    assigned = conversation.assigned_at
    if assigned is not None and assigned >= escalation.created_at:
        return "assigned"
    return "queued" if conversation.state in ("waiting", "assigned", "ended") else "created"


def view(escalation: Escalation, conversation: Conversation) -> EscalationView:
    """{id, chat_id, status}."""
    return EscalationView(
        id=escalation.id, chat_id=conversation.id, status=status_of(escalation, conversation)
    )


def latest(conversation: Conversation) -> Escalation | None:
    """The chat's most recent escalation, or None."""
    return db.session.scalar(
        select(Escalation)
        .filter_by(conversation_pk=conversation.id)
        .order_by(Escalation.id.desc())
        .limit(1)
    )


def do_escalate(conversation: Conversation, reason: str | None, force: bool = False) -> Escalation:
    """Move the chat from its virtual agent to the human queue of its menu; with humans
    already (or queued for them), the current escalation, nothing changed."""
    chats.check_live(conversation)
    if conversation.state != "va":
        current = latest(conversation)
        if current is not None:
            return current
    escalation = Escalation(
        conversation_pk=conversation.id, status="created", reason=reason, force_escalate=force
    )
    db.session.add(escalation)
    if conversation.state == "va":
        if not compare_and_set(
            update(Conversation)
            .where(Conversation.id == conversation.id, Conversation.state == "va")
            .values(state="new")
        ):
            db.session.rollback()
            raise InvalidState("the chat changed meanwhile; try again")
        virtual_agents.leave_bot(conversation)
    escalation.status = "queued"
    db.session.commit()
    if conversation.state == "new":
        routing.do_enqueue(conversation)
    db.session.refresh(conversation)
    return escalation


def find(conversation: Conversation, escalation_id: int) -> Escalation:
    """The chat's escalation with this id, or NotFound."""
    escalation = db.session.get(Escalation, escalation_id)
    if escalation is None or escalation.conversation_pk != conversation.id:
        raise NotFound("no escalation %s in chat %s" % (escalation_id, conversation.id))
    return escalation


def do_deflect(conversation: Conversation, escalation: Escalation, channel: str) -> None:
    """Record the deflection channel the customer chose while waiting (commits)."""
    if channel not in DEFLECTION_CHANNELS:
        raise InvalidInput(
            "unknown deflection_channel %s" % channel,
            errors={"deflection_channel": ["Must be one of: %s." % ", ".join(DEFLECTION_CHANNELS)]},
        )
    escalation.deflection_channel = channel
    db.session.commit()
