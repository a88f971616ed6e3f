"""gunicorn worker class: gevent, WebSockets, TCP_NODELAY, the outbox worker.

gunicorn -k chatwidget.gunicorn_worker.Worker -w 1 -b 127.0.0.1:5000 wsgi:app
"""

import socket

from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIServer

from chatwidget import patches
from chatwidget.server import nodelay
from chatwidget.websocket import handler_class


class NoDelayPyWSGIServer(PyWSGIServer):
    """gunicorn's pywsgi server with TCP_NODELAY on each accepted socket."""

    def handle(self, sock: socket.socket, address: tuple[str, int]) -> None:
        nodelay(sock)
        super().handle(sock, address)


class Worker(GeventPyWSGIWorker):
    """One gevent worker per process; scale out with processes behind a proxy."""

    server_class = NoDelayPyWSGIServer
    wsgi_handler = handler_class()

    def run(self) -> None:
        from chatwidget.server import settle_heap, start_background

        patches.check_versions()
        start_background(self.wsgi)
        settle_heap()
        super().run()
