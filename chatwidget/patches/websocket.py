"""gevent-websocket 0.10.1: its WebSocket with the per-byte Python loops left to C.

Written for gevent-websocket 0.10.1 (requirements.txt): swaps the class of an upgraded
`WebSocket` for a subclass overriding `validate_utf8` and `read_frame`, and replaces its
`raw_write` with an Outbox. Measured gain on bench/relay.py (1,000 msg/s): 37 % of the
server's CPU per message, 0.274 ms in against 0.435 out (docs/performance.md, "Library
patches"). Out (CHATWIDGET_PATCHES_OFF=websocket): gevent-websocket's own
WebSocket (chatwidget.websocket.handler_class).

gevent-websocket 0.10 checks every text message received as UTF-8 twice with a
state machine written in Python (each frame, then the whole message), unmasks each
frame with a Python loop over its bytes, and sends each frame with gevent's sendall,
which asks the kernel for the socket's send buffer size first. Together ~18 % of the
server's CPU at 1,250 chat messages/s. Here:

- a text message is checked once, by decoding it (a strict UTF-8 decode, as the stock
  code does after its own checks): invalid UTF-8 still closes the socket, as before
  (gevent-websocket's close frame carries no status code, here as there);
- a frame is unmasked with one XOR of two integers;
- frames are buffered and sent once per turn of the event loop (Outbox): the frames a
  connection is given in one turn (an ack and a message, several messages) leave in one
  system call, and writing one never blocks or switches greenlets.

The stock classes are left as they are (the benchmark's bare relay runs on them): a
handler takes this path by mixing FastUpgrade in.
"""

import errno
import logging
import os

import gevent
import gevent.socket
from geventwebsocket.exceptions import ProtocolError, WebSocketError
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket

log = logging.getLogger(__name__)


def unmask(payload: bytes, mask: bytes) -> bytes:
    """payload XOR its 4-byte mask repeated (RFC 6455 §5.3), in C."""
    size = len(payload)
    key = (mask * (size // 4 + 1))[:size]
    masked = int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")
    return masked.to_bytes(size, "little")


class FastWebSocket(WebSocket):
    """A WebSocket whose frames are read, checked and written without Python loops."""

    __slots__ = ()  # the stock layout: an upgraded socket's class is swapped in place

    def validate_utf8(self, payload: bytes) -> None:
        """Nothing: read_message() decodes the whole message strictly (_decode_bytes),
        which refuses invalid UTF-8 with the same UnicodeError, and the socket closes."""

    def read_frame(self) -> tuple[Header, bytes]:
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


class Outbox:
    """The raw_write of one upgraded connection: frames are buffered and sent together,
    once per turn of the event loop, in one system call.

    Writing never blocks the writer nor switches greenlets, so a greenlet fanning a
    message out to hundreds of sockets, or a hub callback sending an ack, may write.
    The flush runs as a hub callback: a non-blocking write of everything buffered; what
    the kernel did not take is sent by a greenlet of its own (a slow reader holds up
    only its own frames), in order with anything written meanwhile. A connection found
    dead makes later writes fail as the stock ones do (socket.error, then the
    WebSocketError of a dead socket).
    """

    __slots__ = ("sock", "raw", "pending", "busy", "drainer", "dead")

    def __init__(self, sock: gevent.socket.socket) -> None:
        self.sock = sock
        # os.write on the descriptor never blocks (gevent keeps it non-blocking); only
        # for plain TCP sockets: a TLS socket is written through its own sendall.
        self.raw = sock.fileno() if type(sock) is gevent.socket.socket else None
        self.pending: list[bytes] = []
        self.busy = False  # waiting for a flush, or being drained
        self.drainer: gevent.Greenlet | None = None
        self.dead: OSError | None = None

    def __call__(self, data: bytes) -> None:
        if self.dead is not None:
            raise OSError(self.dead.errno, "the connection is gone")
        self.pending.append(data)
        if not self.busy:
            self.busy = True
            _schedule(self)

    def flush(self) -> None:
        """Send what is buffered without blocking (a hub callback)."""
        if self.dead is not None or not self.pending:
            self.busy = False
            return
        data = b"".join(self.pending)
        self.pending.clear()
        sent = 0
        if self.raw is not None:
            try:
                sent = os.write(self.raw, data)
            except BlockingIOError:
                pass
            except OSError as error:
                self.dead, self.busy = error, False
                return
        if sent == len(data):
            self.busy = False
        else:
            self.drainer = gevent.spawn(self._drain, memoryview(data)[sent:])

    def _drain(self, rest: bytes | memoryview) -> None:
        try:
            while True:
                self.sock.sendall(rest)
                if not self.pending:
                    break
                rest = b"".join(self.pending)
                self.pending.clear()
        except OSError as error:
            self.dead = error
            self.pending.clear()
        finally:
            self.busy, self.drainer = False, None

    def finish(self) -> None:
        """Send everything still buffered, blocking this greenlet: the connection is
        about to be closed (its close frame is among it)."""
        if self.drainer is not None:
            self.drainer.join()
        if self.pending and self.dead is None:
            data = b"".join(self.pending)
            self.pending.clear()
            try:
                self.sock.sendall(data)
            except OSError as error:
                self.dead = error
        self.dead = self.dead or OSError(errno.EPIPE, "closed")


_dirty: list[Outbox] = []  # Outboxes waiting for the next flush, in the order they were written to


def _schedule(outbox: Outbox) -> None:
    if not _dirty:
        gevent.get_hub().loop.run_callback(_flush_all)
    _dirty.append(outbox)


def _flush_all() -> None:
    dirty = _dirty[:]
    del _dirty[:]
    for outbox in dirty:
        try:
            outbox.flush()
        except Exception:  # a hub callback: one connection's failure is not the others'
            log.exception("flushing a WebSocket failed")
            outbox.busy = False


class FastUpgrade(WebSocketHandler):
    """A mixin for pywsgi's WebSocketHandler: its upgraded connections get a FastWebSocket
    writing through an Outbox. (A subclass of it only for the attributes it reads: mixed
    in first, it comes before the handler it is mixed into, as a plain mixin would.)"""

    def run_websocket(self) -> None:
        websocket = self.websocket  # run_application() calls this only once it is set
        if type(websocket) is WebSocket:  # the layout FastWebSocket shares, nothing else
            websocket.__class__ = FastWebSocket
            websocket.raw_write = outbox = Outbox(self.socket)
            try:
                super().run_websocket()
            finally:
                outbox.finish()  # before pywsgi closes the socket
            return
        super().run_websocket()
