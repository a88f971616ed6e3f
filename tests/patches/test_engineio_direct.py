"""The engineio_direct patch puts on the wire what python-engineio's writer would, in order.

python-engineio's own path queues a packet, and the socket's writer greenlet sends
`pkt.encode()` with the WebSocket's send(); the patch writes frame(pkt.encode()) at once.
Both must give the client the same bytes, and whatever the patch does not take (pings, a
socket not upgraded or being upgraded, a queue not empty) stays on the queue.
"""

from types import MethodType

import engineio
from engineio import packet as eio_packet
from engineio import socket as eio_socket
from engineio.async_drivers.gevent import WebSocketWSGI
from geventwebsocket.websocket import WebSocket
from hypothesis import given, settings
from hypothesis import strategies as st

from chatwidget.patches import engineio_direct
from chatwidget.patches.engineio_direct import DirectSocket, DirectWebSocketWSGI
from chatwidget.patches.websocket import FastWebSocket
from tests.patches.test_websocket import socket_of

SERVER = engineio.Server(async_mode="gevent")


def serve(socket, ws):
    """python-engineio's WebSocket glue (the patch's) given ws for socket's handler; the
    handler itself (the socket's WebSocket loop) is left out."""
    handler = MethodType(lambda socket, wsgi: None, socket)
    DirectWebSocketWSGI(handler, SERVER)({"wsgi.websocket": ws}, None)


def upgraded_socket():
    """An Engine.IO socket upgraded to one of the app's FastWebSockets; its stream."""
    ws, stream = socket_of(FastWebSocket, b"")
    socket = eio_socket.Socket(SERVER, "sid")
    socket.upgraded = True
    serve(socket, ws)
    return socket, stream


def stock_bytes(pkt):
    """What python-engineio's writer greenlet writes for pkt (through gevent-websocket)."""
    ws, stream = socket_of(WebSocket, b"")
    ws.send(pkt.encode())
    return bytes(stream.written)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
DATA = st.text(max_size=300) | st.binary(max_size=300) | JSON


@settings(max_examples=200, deadline=None)
@given(st.lists(DATA, min_size=1, max_size=4))
def test_packets_written_directly_are_the_bytes_the_writer_sends(datas):
    socket, stream = upgraded_socket()
    assert type(socket) is DirectSocket
    packets = [eio_packet.Packet(eio_packet.MESSAGE, data=data) for data in datas]
    for pkt in packets:
        socket.send(pkt)
    assert socket.queue.qsize() == 0
    assert bytes(stream.written) == b"".join(stock_bytes(pkt) for pkt in packets)


def test_what_the_patch_does_not_take_is_queued_as_python_engineio_queues_it():
    socket, stream = upgraded_socket()
    ping = eio_packet.Packet(eio_packet.PING)
    socket.send(ping)  # the writer greenlet times a dead client out by its queue
    message = eio_packet.Packet(eio_packet.MESSAGE, data="after the ping")
    socket.send(message)  # behind a queued packet: queued too, so order is kept
    assert [socket.queue.get_nowait(), socket.queue.get_nowait()] == [ping, message]
    socket.upgrading = True
    socket.send(message)
    assert socket.queue.qsize() == 1 and stream.written == b""


def test_a_socket_not_upgraded_keeps_python_engineios_class_and_queue():
    socket = eio_socket.Socket(SERVER, "sid")
    ws, _ = socket_of(WebSocket, b"")  # gevent-websocket's own WebSocket
    serve(socket, ws)
    assert type(socket) is eio_socket.Socket


def test_a_packet_sent_to_many_sockets_is_encoded_once():
    (first, one), (second, two) = upgraded_socket(), upgraded_socket()
    pkt = eio_packet.Packet(eio_packet.MESSAGE, data="to a room")
    first.send(pkt)
    pkt.encode = None  # encoding again would fail
    second.send(pkt)
    again = eio_packet.Packet(eio_packet.MESSAGE, data="to a room")
    assert one.written == two.written == stock_bytes(again)


def test_install_replaces_only_python_engineios_own_websocket_driver():
    server = engineio.Server(async_mode="gevent")
    engineio_direct.install(server)
    assert server._async["websocket"] is DirectWebSocketWSGI
    assert SERVER._async["websocket"] is WebSocketWSGI  # the module's table is not changed
