"""python-engineio 4.15.1: Engine.IO packets written straight to an upgraded WebSocket.

Written for python-engineio 4.15.1 and gevent-websocket 0.10.1 (requirements.txt); swaps
the class of engineio's `Socket` for a subclass that reads its `queue`, `upgraded` and
`upgrading`, and replaces the "websocket" entry of the server's private `_async` driver
table. Needs chatwidget.patches.websocket (the FastWebSocket it writes to): with that patch
out, this one does nothing. Measured gain on bench/relay.py: see docs/performance.md,
"Library patches". Out (CHATWIDGET_PATCHES_OFF=engineio_direct): python-engineio's own
queue and writer greenlet.

python-engineio hands every packet of a WebSocket client to a queue read by a writer
greenlet of that socket: for each message fanned out, a queue put, a wake-up and two
greenlet switches, then a frame of its own. The app's WebSocket connections write
through chatwidget.patches.websocket.Outbox, which buffers and never blocks, so a packet may be
written by whoever sends it: its frames leave with the connection's other frames of
that turn of the loop, in one system call.

Order is kept: a packet goes the direct way only when the socket's queue is empty (the
writer greenlet has taken, and written, everything queued before it). Long-polling
clients, a socket being upgraded and any other WebSocket keep python-engineio's path,
and so do pings: the writer greenlet, which still writes what is queued, takes a queue
empty for ping_interval + ping_timeout for a dead client and closes the WebSocket.
"""

from engineio import packet as eio_packet
from engineio import socket as eio_socket
from engineio.async_drivers.gevent import WebSocketWSGI
from geventwebsocket.exceptions import WebSocketError

from chatwidget.patches.websocket import FastWebSocket, frame


class DirectSocket(eio_socket.Socket):
    """An Engine.IO socket whose packets go straight to its FastWebSocket."""

    direct = None  # the upgraded FastWebSocket, once its handler runs

    def send(self, pkt):
        """Send a packet to the client (as python-engineio's, without its queue)."""
        if not self.write(pkt):
            super().send(pkt)

    def write(self, pkt):
        """Write pkt to the WebSocket now, if this socket may; whether it was handled.

        The packet's frame is kept on it: a packet emitted to a room is encoded once for
        all its members."""
        ws = self.direct
        if ws is None or self.closed or not self.upgraded or self.upgrading or self.queue.qsize():
            return False
        if pkt.packet_type == eio_packet.PING:
            # Through the queue: python-engineio's writer greenlet closes the WebSocket
            # when nothing reaches its queue for ping_interval + ping_timeout.
            return False
        if self.check_ping_timeout():
            data = pkt.__dict__.get("frame")
            if data is None:
                data = pkt.frame = frame(pkt.encode())
            try:
                ws.write_frame(data)
            except WebSocketError:  # the connection is gone: its reader closes the socket
                pass
        return True


class DirectWebSocketWSGI(WebSocketWSGI):
    """python-engineio's gevent WebSocket glue, which marks the Engine.IO socket it serves
    as direct when the connection is one of the app's FastWebSockets."""

    def __call__(self, environ, start_response):
        ws = environ.get("wsgi.websocket")
        socket = getattr(self.app, "__self__", None)  # app is the socket's bound handler
        if type(ws) is FastWebSocket and type(socket) in (eio_socket.Socket, DirectSocket):
            socket.__class__ = DirectSocket  # same layout: a subclass adding no slots
            socket.direct = ws
        return super().__call__(environ, start_response)


def install(eio_server):
    """Serve the Engine.IO server's WebSocket connections through DirectWebSocketWSGI (its
    driver table is python-engineio's module dict: copied, not changed)."""
    drivers = getattr(eio_server, "_async", None)
    if drivers and drivers.get("websocket") is WebSocketWSGI:
        eio_server._async = {**drivers, "websocket": DirectWebSocketWSGI}
