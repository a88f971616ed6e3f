"""A real HTTP webhook receiver for the tests: records every request, can fail or hold some."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A threaded http.server on 127.0.0.1 that records each POST and answers per a plan.

    fail_first: the first N requests get 503 (a receiver that is down, then up).
    hold_at: the request with this number (1-based) is held open until release() and is
    then answered 503, so the sender sees no answer while it waits.
    delay: seconds each answer takes, as a slow receiver's would.
    """

    def __init__(self, fail_first=0, hold_at=None, port=0, delay=0.0):
        self.fail_first = fail_first
        self.delay = delay
        self.hold_at = hold_at
        self.records = []
        self.lock = threading.Lock()
        self.held = threading.Event()
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/hook" % self.port
        # A short poll interval: stop() waits for it.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        """Stop serving and free the port (a stopped receiver refuses connections)."""
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def release(self):
        """Let the held request finish (it answers 503)."""
        self.released.set()

    def _plan(self, number):
        if number <= self.fail_first:
            return 503
        if number == self.hold_at:
            return "hold"
        return 200

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    record = {"headers": dict(self.headers), "body": body, "path": self.path}
                    receiver.records.append(record)
                    plan = receiver._plan(len(receiver.records))
                if plan == "hold":
                    record["status"] = "held"
                    receiver.held.set()
                    receiver.released.wait(60)
                    plan = 503
                else:
                    record["status"] = plan
                    time.sleep(receiver.delay)
                try:
                    self.send_response(plan)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if plan == 200 else b"down for maintenance")
                except OSError:  # the sender died while we held it: nothing to answer
                    pass

            def log_message(self, *args):
                pass

        return Handler

    def snapshot(self):
        """A copy of the records so far."""
        with self.lock:
            return list(self.records)

    def acked(self):
        """The requests answered 2xx."""
        return [r for r in self.snapshot() if r["status"] == 200]

    @staticmethod
    def event_id(record):
        return record["headers"]["X-Event-Id"]

    @staticmethod
    def payload(record):
        return json.loads(record["body"])
