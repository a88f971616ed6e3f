"""Live conversations: opened for a customer, found, joined, and routed at the first join.

A participant's messages are chatwidget.core.client_messages's; who is posting,
chatwidget.core.senders's; what a participant reads, conversation_view's.
"""

import hmac
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from chatwidget.core import (
    end_users,
    messages,
    virtual_agents,
)
from chatwidget.core.errors import Forbidden, NotFound
from chatwidget.core.events import publish
from chatwidget.core.queues import queue_for_subject
from chatwidget.extensions import db
from chatwidget.models import Conversation, Participant
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc

CHANNELS = ("web", "fb", "sms", "twitter")
CUSTOMER_FIELDS = (
    "firstName",
    "lastName",
    "email",
    "phone",
    "language",
    "url",
    "comment",
    "timeZone",
)


def customer_name(data: dict[str, Any]) -> str:
    """What to call the customer: their name, else an identifier, else "Customer"."""
    name = " ".join(p for p in (data.get("firstName"), data.get("lastName")) if p).strip()
    named = name or data.get("email") or data.get("phone") or data.get("refId")
    return str(named or "Customer")


def do_init(data: dict[str, Any]) -> tuple[Conversation, Participant]:
    """Open a conversation for a customer (not yet routed: that waits for the first join).

    With an identity proof (identityToken, or identifier + identifierHash) it belongs to
    that end user; a proof that fails is Unauthorized, before anything is written.
    """
    identity = end_users.check_proof(data)
    if identity:
        data = end_users.with_identity(data, identity)
    queue = queue_for_subject(data.get("subject"))
    conversation = Conversation(
        conversation_id=str(uuid.uuid4()),
        channel=data["channel"],
        state="new",
        queue_id=queue.id,
        customer={k: data[k] for k in CUSTOMER_FIELDS if data.get(k)},
        ref_id=data.get("refId"),
        email=(data.get("email") or "").strip().lower() or None,
        phone=data.get("phone"),
        request_id=data.get("requestId"),
        end_user_id=end_users.end_user_for(identity).id if identity else None,
    )
    db.session.add(conversation)
    db.session.flush()
    customer = Participant(
        participant_id=secrets.token_urlsafe(24),
        public_id="cus_" + secrets.token_urlsafe(12),  # how everyone else names it
        conversation_pk=conversation.id,
        role="customer",
        name=customer_name(data)[:200],
    )
    db.session.add(customer)
    publish(db.session, "conversation.opened", {"conversationPk": conversation.id})
    db.session.commit()
    return conversation, customer


def get(conversation_id: Any) -> Conversation:
    """The conversation with this public id, or NotFound."""
    conversation = db.session.scalar(
        select(Conversation).filter_by(conversation_id=str(conversation_id or ""))
    )
    if conversation is None:
        raise NotFound("no conversation %s" % conversation_id)
    return conversation


def check_customer(conversation_id: Any, participant_id: Any) -> tuple[Conversation, Participant]:
    """The customer participant for this pair; a wrong pair reveals nothing."""
    refused = Forbidden("unknown conversation or participant")
    conversation = db.session.scalar(
        select(Conversation).filter_by(conversation_id=str(conversation_id or ""))
    )
    if conversation is None:
        raise refused
    customer = db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="customer")
    )
    if customer is None or not hmac.compare_digest(
        customer.participant_id.encode(), str(participant_id or "").encode()
    ):
        raise refused
    return conversation, customer


def _greet(conversation: Conversation, customer: Participant, name: str | None) -> Any:
    """Store the customer's new name and its greeting (once, on its first join) and
    commit; returns the greeting to show again on a later join, else None."""
    if name and name.strip() and name.strip() != customer.name:
        customer.name = name.strip()[:200]
    greeting = messages.find_greeting(conversation, customer)
    again = greeting
    if greeting is None and conversation.state != "ended":
        # published for after the commit: the customer's rooms get it then
        messages.activity(
            conversation,
            "greetings",
            info={"participant": messages.who(customer)},
            to=[messages.who(customer)],
        )
    db.session.commit()
    return again


def do_customer_join(
    conversation_id: str,
    participant_id: str,
    name: str | None,
    enter: Callable[[Conversation, Participant], None],
    greeted: Callable[[Conversation, Participant, Any], None],
) -> tuple[Conversation, Participant]:
    """A customer socket joins its conversation: checked (check_customer), then
    enter(conversation, customer) before anything is stored (the adapter puts the socket
    in its rooms, where the first join's greeting reaches it), the greeting stored once
    and greeted(conversation, customer, greeting) told of it (the stored greeting to show
    again on a later join, else None), and only then the first join starts the
    conversation: with its queue's virtual agent, else queued (handOff) for an agent.
    Returns (conversation, customer)."""
    conversation, customer = check_customer(conversation_id, participant_id)
    enter(conversation, customer)
    greeted(conversation, customer, _greet(conversation, customer, name))
    if conversation.state == "new":
        virtual_agents.do_start(conversation)
    return conversation, customer


def customer_of(conversation: Conversation) -> Participant | None:
    """The conversation's customer participant."""
    return db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="customer")
    )


def now_iso() -> str:
    """The current time as the customer channel writes it."""
    return format_utc(utcnow())
