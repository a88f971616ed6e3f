"""Namespace `/`: customers (widget, SDKs) and connectors (CONTRACT §4)."""

from flask import request
from flask_socketio import emit, join_room

from chatwidget.core import connectors as core_connectors
from chatwidget.core import conversations, handling, messages, posting
from chatwidget.core.errors import Forbidden, InvalidInput
from chatwidget.core.identity import check_role, user_from_token
from chatwidget.core.presence import PROCESS_ID
from chatwidget.extensions import db
from chatwidget.sockets import connectors as delivery
from chatwidget.sockets import rooms
from chatwidget.sockets.common import (
    AckingNamespace,
    acked,
    app,
    error,
    forget,
    handler,
    ok,
    state,
    whole_number,
)
from chatwidget.sockets.throttle import rate_limited


def _joined_as(conversation_id):
    """The participant id this socket joined the conversation with, else Forbidden."""
    joined = state().get("joined", {})
    if conversation_id not in joined:
        raise Forbidden("join the conversation first")
    return joined[conversation_id]


def _joined(conversation_id):
    """The (conversation, customer) this socket joined, else Forbidden."""
    return conversations.check_customer(conversation_id, _joined_as(conversation_id))


class CustomerNamespace(AckingNamespace):
    """Customer sockets join with the pair from /api/customer/init; connectors with a token."""

    light_events = frozenset({"sendMessage"})

    def on_connect(self, auth=None):
        """Anyone may connect; a connector proves itself with auth={"token": …}."""
        token = auth.get("token") if isinstance(auth, dict) else None
        if token:
            try:
                user = user_from_token(token)
                check_role(user, "connector")
            except Exception as exc:
                raise ConnectionRefusedError("connector token refused") from exc
            state()["connector_user"] = user.id

    def on_disconnect(self, *args):
        if state().get("connector_channel"):
            delivery.remove(request.sid)
            core_connectors.unregister(request.sid)
        forget()

    @handler
    def on_joinConversation(self, data):
        """Join with the conversationId and participant id from init."""
        conversation, customer = conversations.check_customer(
            data.get("conversationId"), data.get("id")
        )
        if not isinstance(data.get("name"), str | None):
            raise InvalidInput("name must be a string", errors={"name": ["not a string"]})
        join_room(rooms.conversation_room(conversation.conversation_id))
        join_room(rooms.participant_room(customer.participant_id))
        state().setdefault("joined", {})[conversation.conversation_id] = customer.participant_id
        fresh = messages.find_greeting(conversation, customer) is None
        greeting = conversations.do_customer_join(conversation, customer, data.get("name"))
        if greeting is not None and not fresh:
            emit("messageArrived", messages.to_wire(greeting, conversation.conversation_id))
        info = conversations.info(conversation, "customer", customer.participant_id)
        emit("conversationInfo", info)
        conversations.do_start_routing(conversation)
        return ok(conversationId=conversation.conversation_id, participant=messages.who(customer))

    @rate_limited
    @handler
    def on_sendMessage(self, data):
        """A ChatMessage or typing from the customer; `from` is always this participant.

        From a registered connector, a message with a `refId` opens (or continues) that
        customer's conversation on the connector's channel.
        """
        channel = state().get("connector_channel")
        if channel and not data.get("conversationId"):
            with app().app_context():  # the conversation is read within it
                conversation, wire = core_connectors.receive(channel, data)
                return ok(
                    id=wire["id"], seq=wire.get("seq"), conversationId=conversation.conversation_id
                )
        conversation_id = data.get("conversationId")
        participant_id = _joined_as(conversation_id)
        return posting.post_acked(
            app(),
            lambda: conversations.customer_sender(conversation_id, participant_id),
            data,
            acked,
        )

    @handler
    def on_endConversation(self, data):
        """The customer ends the conversation (or its channel's connector does)."""
        channel = state().get("connector_channel")
        if channel:
            conversation = conversations.get(data.get("conversationId"))
            if conversation.channel != channel:
                raise Forbidden("this conversation is not on your channel")
            handling.end(conversation, "connector")
            return ok()
        conversation, customer = _joined(data.get("conversationId"))
        handling.end(conversation, "customer", by=messages.who(customer))
        return ok()

    @handler
    def on_conversationInfo(self, data):
        """Catch up: the messages after `afterSeq` that this customer may see."""
        conversation, customer = _joined(data.get("conversationId"))
        after = whole_number(data.get("afterSeq", 0), "afterSeq")
        db.session.refresh(conversation)
        return ok(**conversations.info(conversation, "customer", customer.participant_id, after))

    @handler
    def on_registerConnector(self, data):
        """A connector registers for its channel (id equals channel)."""
        if not state().get("connector_user"):
            return error("connect with a connector token first")
        channel = data.get("channel") or data.get("id")
        if channel not in conversations.CHANNELS or data.get("id", channel) != channel:
            raise InvalidInput("id and channel must name the same channel", errors={"id": []})
        join_room(rooms.connector_room(channel))
        if state().get("connector_channel") != channel:
            state()["connector_channel"] = channel
            core_connectors.register(request.sid, channel, PROCESS_ID)
            delivery.add(request.sid, channel)
        delivery.deliver(channel)  # what was kept while no connector was registered
        return ok(id=channel, name=data.get("name") or channel, channel=channel)
