"""pywsgi's WebSocket handlers for the served app (chatwidget.server, the gunicorn worker)."""

from geventwebsocket.handler import WebSocketHandler

from chatwidget import patches
from chatwidget.patches.websocket import FastUpgrade


class AppWebSocketHandler(WebSocketHandler):
    """pywsgi's WebSocket handler whose access log names the client the app saw."""

    # pywsgi's: the peer's socket address, (host, port, …) or a Unix socket's path
    client_address: tuple[str | int, ...] | str

    def format_request(self) -> str:
        """pywsgi's access log line, with the REMOTE_ADDR the app left in the environ:
        behind PROXY_HOPS proxies, ProxyFix's client address instead of the proxy's."""
        seen = self.environ.get("REMOTE_ADDR") if self.environ else None
        if not seen or not isinstance(self.client_address, tuple):
            return super().format_request()
        own = self.client_address
        self.client_address = (seen, *own[1:])  # the next request on it starts afresh
        try:
            return super().format_request()
        finally:
            self.client_address = own


class QuietWebSocketHandler(WebSocketHandler):
    """WebSocketHandler without its access log line (it logs even when the server's log
    is None)."""

    def log_request(self) -> None:
        pass


class QuietAppWebSocketHandler(QuietWebSocketHandler, AppWebSocketHandler):
    """AppWebSocketHandler without its access log line."""


class FastWebSocketHandler(FastUpgrade, AppWebSocketHandler):
    """AppWebSocketHandler with chatwidget.patches.websocket's FastWebSocket."""


class QuietFastWebSocketHandler(FastUpgrade, QuietAppWebSocketHandler):
    """FastWebSocketHandler without its access log line."""


def handler_class(access_log: bool = True) -> type[WebSocketHandler]:
    """The pywsgi handler class to serve the app with: FastWebSocket connections while the
    websocket patch is in force, gevent-websocket's own otherwise."""
    if patches.enabled("websocket"):
        return FastWebSocketHandler if access_log else QuietFastWebSocketHandler
    return AppWebSocketHandler if access_log else QuietAppWebSocketHandler
