"""python-socketio 5.18.1: acks that may come later (a handler may return a sockets.acks.Later).

Written for python-socketio 5.18.1 (requirements.txt); overrides its private
`Server._handle_event_internal` (and calls `_trigger_event`, `_send_packet`). Measured gain
on bench/relay.py (1,000 msg/s): 16 % of the server's CPU per message, 0.274 ms in against
0.326 out (docs/performance.md, "Library patches").

A handler may return a sockets.acks.Later instead of its ack: the message was handed to the
group commit, and the socket goes on reading its next event at once. The ack packet is
sent when the Later's result is set, from the hub, as a callback (no greenlet each);
results are set in the order the messages were handed over, so acks keep that order.
Everything else is python-socketio's own `_handle_event_internal`, and an answer that is
not a Later is acked exactly as it acks it.

Out (CHATWIDGET_PATCHES_OFF=socketio_acks): the server is python-socketio's own and the
served process's group commit is not pipelined (chatwidget.server.start_background), so a
handler waits for its message's commit and returns the ack itself.
"""

import logging
from typing import Any

import flask_socketio
import socketio
from socketio import packet

from chatwidget.sockets.acks import Later
from chatwidget.sockets.common import settle

log = logging.getLogger(__name__)


class Server(socketio.Server):
    """socketio.Server answering a Later's ack once it is settled."""

    def _handle_event_internal(
        self,
        server: socketio.Server,
        sid: str,
        eio_sid: str,
        data: list[Any],
        namespace: str,
        id: int | None,
    ) -> None:
        answer = server._trigger_event(data[0], namespace, sid, *data[1:])
        if isinstance(answer, Later):
            if id is not None:
                answer.result.rawlink(lambda _: self._ack_later(eio_sid, namespace, id, answer))
            return
        if answer != self.not_handled and id is not None:
            self._ack(eio_sid, namespace, id, answer)

    def _ack(self, eio_sid: str, namespace: str, id: int, answer: Any) -> None:
        data: list[Any]
        if answer is None:
            data = []
        elif isinstance(answer, tuple):
            data = list(answer)
        else:
            data = [answer]
        self._send_packet(
            eio_sid, self.packet_class(packet.ACK, namespace=namespace, id=id, data=data)
        )

    def _ack_later(self, eio_sid: str, namespace: str, id: int, later: Later) -> None:
        try:
            self._ack(eio_sid, namespace, id, settle(later))
        except Exception:  # a hub callback: log it, never raise into the hub
            log.exception("acking a message failed")


def install(socketio_ext: flask_socketio.SocketIO) -> None:
    """Make the Flask-SocketIO extension's server one of these (it builds a plain
    socketio.Server itself, with the options it was given)."""
    socketio_ext.server.__class__ = Server
