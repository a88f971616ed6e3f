"""What surrounds the widget in the browser tests: host pages of another origin, and a relay.

HostSite serves the web pages an integrator would write (only the widget's tag in them) from
its own port, so the page's origin differs from the chat server's. Relay is a TCP relay in
front of the chat server that a test can cut: Chromium's offline emulation keeps an open
WebSocket up (it only holds its frames), so a real drop needs the connections closed.
"""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="data:,">{head}</head>
<body><main><h1>{title}</h1><p>A page of an integrator's site.</p></main>
{tag}
</body></html>
"""


def widget_tag(server_url, subject, **attributes):
    """The one tag an integrator pastes (CONTRACT §5), with optional data-* attributes."""
    extra = "".join(' data-%s="%s"' % (k, v) for k, v in attributes.items())
    return '<script src="%s/widget.js" data-subject="%s"%s async></script>' % (
        server_url,
        subject,
        extra,
    )


def page(title, tag="", head=""):
    """A small, accessible host page (lang, title, a main landmark) holding tag."""
    return PAGE.format(title=title, tag=tag, head=head)


class HostSite:
    """An http.server on its own port; pages are added as path → (html, headers)."""

    def __init__(self):
        self.pages = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                found = site.pages.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                body, headers = found
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body.encode())))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass  # quiet: pytest output is for failures

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, path, html, **headers):
        """Serve html at path; returns the page's full URL."""
        self.pages[path] = (html, {k.replace("_", "-"): v for k, v in headers.items()})
        return self.url + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Relay:
    """127.0.0.1:port → upstream, byte for byte; cut() drops everything, restore() listens again."""

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.lock = threading.Lock()
        self.sockets = set()
        self.listener = None
        self.port = 0
        self.restore()
        self.url = "http://127.0.0.1:%d" % self.port

    def restore(self):
        """Listen (again, on the same port) and relay new connections."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        """Refuse new connections and close every relayed one, as a network drop does."""
        with self.lock:
            listener, self.listener = self.listener, None
            doomed, self.sockets = self.sockets, set()
        _close(listener)  # shutdown() wakes the accept() blocked on it; close() alone does not
        for sock in doomed:
            _close(sock)

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self.lock:
                if self.listener is not listener:
                    _close(client)
                    _close(upstream)
                    return
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)
            with self.lock:
                self.sockets.discard(source)
                self.sockets.discard(sink)

    def close(self):
        self.cut()


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
