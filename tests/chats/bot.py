"""A virtual agent for the tests: a real HTTP server on 127.0.0.1 that answers per a script."""

import json
import time
from http.server import BaseHTTPRequestHandler

from tests.webhooks.receiver import Receiver


class Bot(Receiver):
    """A Receiver whose answers are the bot's: it records each call (headers, raw body) in
    `calls` and answers with answer(call number, body): (status, JSON value or raw bytes,
    seconds to wait before answering)."""

    def __init__(self, answer):
        self.answer = answer
        super().__init__()
        self.calls = self.records
        self.url = self.url.replace("/hook", "/bot")

    def bodies(self):
        """The JSON bodies of the calls so far, in order."""
        with self.lock:
            return [json.loads(call["body"]) for call in self.calls]

    def _handler(self):
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with bot.lock:
                    bot.calls.append({"headers": dict(self.headers), "body": raw})
                    number = len(bot.calls)
                status, payload, delay = bot.answer(number, json.loads(raw))
                time.sleep(delay)  # a slow bot (the sender's timeout is what is tested)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the caller gave up waiting: nothing to answer
                    pass

            def log_message(self, *args):
                pass

        return Handler


def says(*texts, escalate=None):
    """A well-formed 200 answer posting texts, escalating with reason escalate if given."""
    body = {
        "messages": [{"type": "text", "content": text} for text in texts],
        "escalate": None if escalate is None else {"reason": escalate},
    }
    return 200, body, 0
