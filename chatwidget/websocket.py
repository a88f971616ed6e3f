"""gevent-websocket's WebSocket with its per-byte Python loops left to C.

gevent-websocket 0.10 checks every text message received as UTF-8 twice with a
state machine written in Python (each frame, then the whole message), unmasks each
frame with a Python loop over its bytes, and sends each frame with gevent's sendall,
which asks the kernel for the socket's send buffer size first. Together ~18 % of the
server's CPU at 1,250 chat messages/s. Here:

- a text message is checked once, by decoding it (a strict UTF-8 decode, as the stock
  code does after its own checks): invalid UTF-8 still closes the socket, as before
  (gevent-websocket's close frame carries no status code, here as there);
- a frame is unmasked with one XOR of two integers;
- a frame is sent with send(), and sendall() only for what send() did not take.

The stock classes are left as they are (the benchmark's bare relay runs on them).
"""

from geventwebsocket.exceptions import ProtocolError, WebSocketError
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket


def unmask(payload, mask):
    """payload XOR its 4-byte mask repeated (RFC 6455 §5.3), in C."""
    size = len(payload)
    key = (mask * (size // 4 + 1))[:size]
    masked = int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")
    return masked.to_bytes(size, "little")


class FastWebSocket(WebSocket):
    """A WebSocket whose frames are read, checked and written without Python loops."""

    __slots__ = ()  # the stock layout: an upgraded socket's class is swapped in place

    def validate_utf8(self, payload):
        """Nothing: read_message() decodes the whole message strictly (_decode_bytes),
        which refuses invalid UTF-8 with the same UnicodeError, and the socket closes."""

    def read_frame(self):
        """One frame's header and unmasked payload."""
        header = Header.decode_header(self.stream)
        if header.flags:
            raise ProtocolError("reserved bits set without an extension")
        if not header.length:
            return header, b""
        try:
            payload = self.raw_read(header.length)
        except OSError:
            payload = b""
        if len(payload) != header.length:
            raise WebSocketError("Unexpected EOF reading frame payload")
        if header.mask:
            payload = unmask(payload, header.mask)
        return header, payload


def writer(sock):
    """A write function for sock: send() (one system call), sendall() for the rest."""
    send, sendall = sock.send, sock.sendall

    def write(data):
        sent = send(data)
        if sent < len(data):
            sendall(memoryview(data)[sent:])

    return write


class FastWebSocketHandler(WebSocketHandler):
    """pywsgi's WebSocket handler whose upgraded connections get a FastWebSocket."""

    def run_websocket(self):
        websocket = self.websocket  # run_application() calls this only once it is set
        if type(websocket) is WebSocket:  # the layout FastWebSocket shares, nothing else
            websocket.__class__ = FastWebSocket
            websocket.raw_write = writer(self.socket)
        super().run_websocket()


class QuietWebSocketHandler(WebSocketHandler):
    """WebSocketHandler without its access log line (it logs even when the server's log
    is None)."""

    def log_request(self):
        pass


class QuietFastWebSocketHandler(QuietWebSocketHandler, FastWebSocketHandler):
    """FastWebSocketHandler without its access log line."""
