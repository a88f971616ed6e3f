"""Connectors' inbound messages: each opens or continues the customer's conversation on
the connector's channel (one open conversation per channel and refId)."""

from typing import Any

from sqlalchemy import select

from chatwidget.core import conversations, sending, virtual_agents
from chatwidget.core.client_messages import Sent
from chatwidget.core.errors import Forbidden, InvalidInput
from chatwidget.extensions import db
from chatwidget.models import Conversation


def _open_conversation(channel: str, ref_id: str) -> Conversation:
    """The customer's open conversation on this channel, or a new one already started
    (with its queue's virtual agent, else queued for humans)."""
    conversation = db.session.scalar(
        select(Conversation)
        .where(
            Conversation.channel == channel,
            Conversation.ref_id == ref_id,
            Conversation.state != "ended",
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if conversation is not None:
        return conversation
    data = {"channel": channel, "refId": ref_id}
    if channel == "sms":
        data["phone"] = ref_id
    conversation, _ = conversations.do_init(data)
    virtual_agents.do_start(conversation)
    return conversation


def check_on_channel(channel: str, conversation_id: str) -> Conversation:
    """The conversation a connector names, NotFound, or Forbidden unless it is on the
    connector's channel."""
    conversation = conversations.get(conversation_id)
    if conversation.channel != channel:
        raise Forbidden("this conversation is not on your channel")
    return conversation


def do_receive(channel: str, data: dict[str, Any]) -> Sent:
    """A connector's inbound message from customer `refId`: its conversation opened or
    continued, then sent as that customer's (sending.do_send_message)."""
    ref_id = data.get("refId")
    if not isinstance(ref_id, str) or not ref_id.strip() or len(ref_id) > 255:
        raise InvalidInput("refId names the customer on the channel", errors={"refId": []})
    conversation = _open_conversation(channel, ref_id.strip())
    customer = conversations.customer_of(conversation)
    assert customer is not None, "do_init() opens every conversation with its customer"
    body = dict(data, conversationId=conversation.conversation_id, refId=ref_id.strip())
    sender = sending.AsCustomer(conversation.conversation_id, customer.participant_id)
    return sending.do_send_message(sender, body)
