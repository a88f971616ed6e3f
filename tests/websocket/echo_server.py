"""A WebSocket echo server on chatwidget's handler, for tests/websocket (its own process).

    python tests/websocket/echo_server.py PORT

Each text or binary message received is sent back as it came, but "?class", answered
with the name of the server's WebSocket class, and "?burst N SIZE", answered with N
messages of SIZE characters written at once (each starting with its number), then "done".
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from chatwidget.server import NoDelayWSGIServer  # noqa: E402
from chatwidget.websocket import QuietFastWebSocketHandler  # noqa: E402


def echo(environ, start_response):
    websocket = environ["wsgi.websocket"]
    while True:
        message = websocket.receive()
        if message is None:
            return []
        if message == "?class":
            message = type(websocket).__name__
        elif isinstance(message, str) and message.startswith("?burst "):
            count, size = map(int, message.split()[1:])
            for number in range(count):
                websocket.send(("%d:" % number).ljust(size, "x"))
            message = "done"
        websocket.send(message, binary=not isinstance(message, str))


if __name__ == "__main__":
    server = NoDelayWSGIServer(
        ("127.0.0.1", int(sys.argv[1])), echo, handler_class=QuietFastWebSocketHandler, log=None
    )
    server.serve_forever()
