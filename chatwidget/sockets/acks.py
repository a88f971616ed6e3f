"""Acks of sent messages that may follow later: a socket reads its next event while
its message is stored by the group commit (chatwidget.core.posting)."""

from collections.abc import Callable
from typing import Any

from flask import Flask
from gevent.event import AsyncResult

from chatwidget.core import sending
from chatwidget.core.client_messages import Sent


class Later:
    """The outcome of a message handed to the group commit without waiting for it: its
    `result` (the AsyncResult core.posting.submit_later returns) is set once the message
    is committed, to its Sent or to the CoreError that refused it; `answer` turns the
    Sent into the ack. chatwidget/patches/socketio_acks.py sends that ack once settled."""

    def __init__(self, result: AsyncResult, answer: Callable[[Any], Any]) -> None:
        self.result = result
        self.answer = answer


def post_acked(
    app: Flask,
    sender: sending.AsCustomer | sending.AsAgent,
    data: dict[str, Any],
    answer: Callable[[Sent], Any],
) -> Any:
    """sending.do_send_message(), answered with answer(Sent): that answer, or a Later
    when the served process's group commit runs, so that the socket reads its next event
    while this one is stored (an agent typing in ten conversations is not held up by each
    commit in turn); the acks still follow the order the messages were sent in.

    Callable outside an app context: a message handed to the group commit needs none
    in the caller (the group's greenlet has its own); anything else is sent in one.
    """
    result = sending.send_later(app, sender, data)
    if result is None:
        with app.app_context():
            return answer(sending.do_send_message(sender, data))
    return Later(result, answer)
