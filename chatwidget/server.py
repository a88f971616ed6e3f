"""Serving under gevent: pywsgi with WebSocket support and TCP_NODELAY.

pywsgi writes a response's headers and body in two sends. Without TCP_NODELAY the
second waits for the client's delayed ACK (~40 ms) on keep-alive connections, which
caps a connection near 25 requests/s with an idle CPU; every accepted socket gets it.
"""

import errno
import gc
import logging
import signal
import socket
import sys
from typing import TYPE_CHECKING

from flask import Flask
from gevent import pywsgi

from chatwidget import patches
from chatwidget.websocket import handler_class

if TYPE_CHECKING:  # it imports the core, which is imported when the app is built
    from chatwidget.outbox.worker import OutboxWorker

log = logging.getLogger(__name__)


def nodelay(sock: socket.socket) -> None:
    """Turn Nagle's algorithm off on an accepted TCP socket."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:  # not TCP (a Unix socket): nothing to do
        pass


class NoDelayWSGIServer(pywsgi.WSGIServer):
    """pywsgi's server, with TCP_NODELAY on every connection."""

    def handle(self, sock: socket.socket, address: tuple[str, int]) -> None:
        nodelay(sock)
        super().handle(sock, address)


def start_background(app: Flask) -> "OutboxWorker":
    """Start the per-process background work: the webhook outbox worker, the scheduler and,
    on SQLite, the WAL checkpoints and the group commits of chat messages and captured
    chats."""
    from chatwidget import checkpoint, scheduler
    from chatwidget.core import capture, posting
    from chatwidget.outbox.worker import OutboxWorker

    checkpoint.start(app)  # first: connections opened after it do not checkpoint
    scheduler.start(app)
    # Pipelined, a socket reads its next event while its message is committed; its ack
    # then comes later, which python-socketio can only send patched (socketio_acks).
    posting.start(app, pipelined=patches.enabled("socketio_acks"))
    capture.start_group_commit(app)
    return OutboxWorker(app).start()


# Allocations (less deallocations) between two young collections; CPython's default is
# 700. See settle_heap.
YOUNG_GC_THRESHOLD = 50_000


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight, and collect
    the young generation less often.

    The app's ~140,000 long-lived objects (routes, schemas, mappers) made each full
    collection a ~100 ms pause of every request; frozen, they are never traversed.
    What is made after (a thousand sockets' state) still costs a full collection
    ~25 ms, every socket waiting. With the default threshold of 700 the young
    generation is collected hundreds of times a second under load, and whatever is in
    flight at that moment (messages being stored or sent) survives into the older
    generations until they are due a full collection: at 3,500 messages/s, five in 40 s
    (p99 47.7 ms); with YOUNG_GC_THRESHOLD most of it is garbage by the next young
    collection: none in 40 s (p99 31.7 ms), RSS +3 MB.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, older, oldest)


def listen(server: pywsgi.WSGIServer, host: str, port: int) -> None:
    """Bind the server's socket now, before anything starts; a port that cannot be had
    ends the process with one line on stderr (status 1) instead of a traceback."""
    try:
        server.init_socket()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            reason = "port %s on %s is already in use (set PORT=… or HOST=…)" % (port, host)
        else:
            reason = "cannot listen on %s:%s: %s" % (host, port, error.strerror or error)
        print("error: " + reason, file=sys.stderr)
        raise SystemExit(1) from None


def run(app: Flask, host: str | None = None, port: int | str | None = None) -> None:
    """Serve app (HTTP + Socket.IO) until SIGINT or SIGTERM."""
    import gevent

    host = host or app.config["HOST"]
    port = int(port or app.config["PORT"])
    patches.check_versions()
    logged = app.config.get("ACCESS_LOG", True)
    server = NoDelayWSGIServer(
        (host, port), app, handler_class=handler_class(logged), log="default" if logged else None
    )
    listen(server, host, port)
    start_background(app)
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, server.stop)
    log.info("chatwidget serving on http://%s:%s", host, port)
    settle_heap()
    server.serve_forever()
