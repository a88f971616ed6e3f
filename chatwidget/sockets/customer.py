"""Namespace `/`: customers (widget, SDKs) and connectors (CONTRACT §4)."""

from typing import Any

from flask_socketio import emit, join_room

from chatwidget.core import (
    connector_inbound,
    connector_outbox,
    conversation_view,
    conversations,
    customer_view,
    handling,
    messages,
    sending,
)
from chatwidget.core.errors import Forbidden, InvalidInput
from chatwidget.core.identity import check_role, user_from_token
from chatwidget.core.presence import PROCESS_ID
from chatwidget.extensions import db
from chatwidget.models import Conversation, Participant
from chatwidget.schemas import live
from chatwidget.schemas import sockets as schemas
from chatwidget.sockets import acks, rooms
from chatwidget.sockets import connector_delivery as delivery
from chatwidget.sockets.common import (
    Ack,
    AckingNamespace,
    acked,
    app,
    error,
    forget,
    handler,
    load,
    ok,
    sid,
    state,
)
from chatwidget.sockets.throttle import rate_limited

# A connector's sendMessage names the customer by refId, with no conversationId.
_BY_REF_ID = ("conversationId",)


def _joined_as(conversation_id: str) -> str:
    """The participant id this socket joined the conversation with, else Forbidden."""
    joined = state().get("joined", {})
    if conversation_id not in joined:
        raise Forbidden("join the conversation first")
    return joined[conversation_id]


def _joined(conversation_id: str) -> tuple[Conversation, Participant]:
    """The (conversation, customer) this socket joined, else Forbidden."""
    return conversations.check_customer(conversation_id, _joined_as(conversation_id))


def _enter(conversation: Conversation, customer: Participant) -> None:
    """The joining socket goes in its conversation's and its participant's rooms."""
    join_room(rooms.conversation_room(conversation.conversation_id))
    join_room(rooms.participant_room(customer.public_id))
    state().setdefault("joined", {})[conversation.conversation_id] = customer.participant_id


def _greeted(conversation: Conversation, customer: Participant, again: Any) -> None:
    """The greeting again on a later join (the first one reached the rooms), then
    conversationInfo."""
    if again is not None:
        wire = live.message(again, conversation.conversation_id)
        own = customer_view.own(conversation, again, customer)
        emit("messageArrived", live.for_customer(wire, own) if own is not None else wire)
    view = conversation_view.view(conversation, "customer", customer)
    emit("conversationInfo", live.conversation_info(view))


class CustomerNamespace(AckingNamespace):
    """Customer sockets join with the pair from /api/customer/init; connectors with a token."""

    light_events = frozenset({"sendMessage"})

    def on_connect(self, auth: Any = None) -> None:
        """Anyone may connect; a connector proves itself with auth={"token": …}."""
        token = auth.get("token") if isinstance(auth, dict) else None
        if token:
            try:
                user = user_from_token(token)
                check_role(user, "connector")
            except Exception as exc:
                raise ConnectionRefusedError("connector token refused") from exc
            state()["connector_user"] = user.id

    def on_disconnect(self, *args: Any) -> None:
        if state().get("connector_channel"):
            delivery.remove(sid())
            connector_outbox.do_unregister(sid())
        forget()

    @handler(schema=schemas.JOIN)
    def on_joinConversation(self, data: dict[str, Any]) -> Ack:
        """Join with the conversationId and participant id from init."""
        conversation, customer = conversations.do_customer_join(
            data["conversationId"], data["id"], data.get("name"), _enter, _greeted
        )
        own = dict(messages.who(customer), id=customer.participant_id)  # its own sockets only
        return ok(conversationId=conversation.conversation_id, participant=own)

    @rate_limited
    @handler
    def on_sendMessage(self, data: dict[str, Any]) -> Any:
        """A ChatMessage or typing from the customer; `from` is always this participant.

        From a registered connector, a message with a `refId` opens (or continues) that
        customer's conversation on the connector's channel.
        """
        channel = state().get("connector_channel")
        connector = channel if channel and not data.get("conversationId") else None
        schema = schemas.send_message(data, app().config["MAX_MESSAGE_CHARS"])
        data = load(schema, data, partial=_BY_REF_ID if connector else None)
        if connector is not None:
            with app().app_context():  # the conversation is read within it
                sent = connector_inbound.do_receive(connector, data)
            return ok(id=sent.message_id, seq=sent.seq, conversationId=sent.conversation_id)
        customer = sending.AsCustomer(data["conversationId"], _joined_as(data["conversationId"]))
        return acks.post_acked(app(), customer, data, acked)

    @handler(schema=schemas.CONVERSATION)
    def on_endConversation(self, data: dict[str, Any]) -> Ack:
        """The customer ends the conversation (or its channel's connector does)."""
        channel = state().get("connector_channel")
        if channel:
            conversation = connector_inbound.check_on_channel(channel, data["conversationId"])
            handling.do_end(conversation, "connector")
            return ok()
        conversation, customer = _joined(data["conversationId"])
        handling.do_end(conversation, "customer", by=messages.who(customer))
        return ok()

    @handler(schema=schemas.INFO_REQUEST)
    def on_conversationInfo(self, data: dict[str, Any]) -> Ack:
        """Catch up: the messages after `afterSeq` that this customer may see."""
        conversation, customer = _joined(data["conversationId"])
        after = data["afterSeq"]
        db.session.refresh(conversation)
        return ok(
            **live.conversation_info(
                conversation_view.view(conversation, "customer", customer, after)
            )
        )

    @handler(schema=schemas.REGISTER_CONNECTOR)
    def on_registerConnector(self, data: dict[str, Any]) -> Ack:
        """A connector registers for its channel (id equals channel)."""
        if not state().get("connector_user"):
            return error("connect with a connector token first")
        channel = data.get("channel") or data.get("id")
        if channel not in conversations.CHANNELS or data.get("id", channel) != channel:
            raise InvalidInput("id and channel must name the same channel", errors={"id": []})
        join_room(rooms.connector_room(channel))
        if state().get("connector_channel") != channel:
            state()["connector_channel"] = channel
            connector_outbox.do_register(sid(), channel, PROCESS_ID)
            delivery.add(sid(), channel)
        delivery.deliver(channel)  # what was kept while no connector was registered
        return ok(id=channel, name=data.get("name") or channel, channel=channel)
