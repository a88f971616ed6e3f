"""Delivering kept connector messages to this process's connector sockets, with acks.

Each message is emitted to one registered connector socket with an acknowledgement
callback; only the ack marks it delivered. A process delivers only to its own
sockets, so the ack comes back to the process that asked for it.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from chatwidget.core import connector_outbox
from chatwidget.core.events import subscribe_in_transaction
from chatwidget.extensions import socketio
from chatwidget.schemas import live
from chatwidget.sockets.rooms import CUSTOMER_NS


def _local() -> dict[str, list[str]]:
    """channel → this process's registered connector sids, oldest first."""
    return current_app.extensions.setdefault("chatwidget_connector_sockets", {})


def add(sid: str, channel: str) -> None:
    """Remember a connector socket of this process."""
    _local().setdefault(channel, []).append(sid)


def remove(sid: str) -> None:
    """Forget a connector socket of this process."""
    for sids in _local().values():
        if sid in sids:
            sids.remove(sid)


def _acker(app: Flask, message_id: str) -> Callable[..., None]:
    def ack(*_answer: Any) -> None:
        with app.app_context():
            connector_outbox.do_acknowledge(message_id)

    return ack


def deliver(channel: str) -> int:
    """Emit the channel's pending messages, in order, to one local connector socket."""
    sids = _local().get(channel)
    if not sids:
        return 0
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    bodies = connector_outbox.do_claim(channel)
    for body in bodies:
        socketio.emit(
            "messageArrived",
            body,
            to=sids[0],
            namespace=CUSTOMER_NS,
            callback=_acker(app, body["id"]),
        )
    return len(bodies)


def keep_reply(name: str, payload: dict[str, Any]) -> None:
    """An agent's reply to a connector customer is kept in the connectors' outbox as
    messageArrived carries it, written as it is published: in the transaction storing it
    (an in-transaction subscriber, installed by install())."""
    if name == "message.new" and connector_outbox.forwards(payload):
        body = live.message(payload["message"], payload["conversationId"])
        connector_outbox.enqueue(
            payload["channel"], payload["refId"], body, payload["conversationPk"]
        )


def install() -> None:
    """Subscribe keep_reply once per process."""
    subscribe_in_transaction(keep_reply)


def deliver_all() -> int:
    """Scheduler pass: pick up messages kept by other processes for our connectors."""
    return sum(deliver(channel) for channel, sids in list(_local().items()) if sids)
