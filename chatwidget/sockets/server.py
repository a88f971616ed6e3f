"""The Socket.IO server class: python-socketio's, with acks that may come later.

A handler may return a posting.Later instead of its ack: the message was handed to the
group commit, and the socket goes on reading its next event at once. The ack packet is
sent when the Later's result is set, from the hub, as a callback (no greenlet each);
results are set in the order the messages were handed over, so acks keep that order.
Everything else is python-socketio 5.18's own `_handle_event_internal`. Packets for an
app WebSocket are written straight to it (chatwidget.sockets.direct), not queued.
"""

import logging

import socketio
from socketio import packet

from chatwidget.core.posting import Later
from chatwidget.sockets import direct
from chatwidget.sockets.common import settle

log = logging.getLogger(__name__)


class Server(socketio.Server):
    """socketio.Server answering a Later's ack once it is settled."""

    def _handle_event_internal(self, server, sid, eio_sid, data, namespace, id):
        answer = server._trigger_event(data[0], namespace, sid, *data[1:])
        if isinstance(answer, Later):
            if id is not None:
                answer.result.rawlink(lambda _: self._ack_later(eio_sid, namespace, id, answer))
            return
        if answer != self.not_handled and id is not None:
            self._ack(eio_sid, namespace, id, answer)

    def _ack(self, eio_sid, namespace, id, answer):
        if answer is None:
            data = []
        elif isinstance(answer, tuple):
            data = list(answer)
        else:
            data = [answer]
        self._send_packet(
            eio_sid, self.packet_class(packet.ACK, namespace=namespace, id=id, data=data)
        )

    def _ack_later(self, eio_sid, namespace, id, later):
        try:
            self._ack(eio_sid, namespace, id, settle(later))
        except Exception:  # a hub callback: log it, never raise into the hub
            log.exception("acking a message failed")


def install(socketio_ext):
    """Make the Flask-SocketIO extension's server one of these (it builds a plain
    socketio.Server itself, with the options it was given), its WebSocket packets
    written directly (chatwidget.sockets.direct)."""
    socketio_ext.server.__class__ = Server
    direct.install(socketio_ext.server.eio)
