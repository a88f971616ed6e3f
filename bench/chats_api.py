"""Chats API benchmark: K clients post messages into N open chats through the REST API.

    .venv/bin/python bench/chats_api.py [--chats N] [--messages M] [--clients K]
                                        [--rounds R] [--database sqlite|postgresql]

Starts both servers itself, each in its own temporary directory (bench/capture_ingest.py's
servers and load client):
- the app: `python app.py`, an API user with role apps_api made with `flask
  create-api-user`, N chats opened with POST /apps/api/v1/chats before timing; then M
  messages POSTed to /apps/api/v1/chats/:id/message, round robin over the chats, each
  with HTTP Basic. CHATS_RATE_LIMIT and RATE_LIMIT are raised for the run: the vendor's
  10 requests/s per user would otherwise be the only thing measured;
- the baseline: bench/bare_server.py's message view under the same server class: it
  checks HTTP Basic (SHA-256 of the secret, constant-time compare) and inserts the
  message row with the stdlib driver (sqlite3, or psycopg with --database postgresql).

Prints messages/s, p50/p99, each server's CPU, and the app/bare ratio of the median
round. Target (2 cores, SQLite, 16 clients): ratio >= 0.5; on PostgreSQL, figures.
Never part of the test suite: it measures, it does not check behaviour.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.capture_ingest import (  # noqa: E402
    LINES,
    AppServer,
    BareServer,
    Connection,
    measure,
    show,
)
from bench.production import DATABASES  # noqa: E402

TARGET_RATIO = 0.5
WARMUP = 300


class ChatsApp(AppServer):
    """The app with an apps_api user and N open chats."""

    table = "message"
    chat_ids: list[int] = []

    def env(self):
        env = super().env()
        env.update(CHATS_RATE_LIMIT="1000000/second")
        return env

    def prepare(self, chats=500):
        self.flask("db", "upgrade")
        out = self.flask("create-api-user", "bench", "--role", "apps_api")
        creds = json.loads(out.strip().splitlines()[-1])
        self.token = basic_value(creds["client_id"], creds["client_secret"])
        self.start()
        conn = Connection(self.port)
        try:
            self.chat_ids = [self._open_chat(conn, i) for i in range(chats)]
        finally:
            conn.close()

    def _open_chat(self, conn, i):
        body = json.dumps({"chat": {"email": "bench%d@example.com" % i}}).encode()
        status, answer = conn.request(post(self.port, "/apps/api/v1/chats", self.token, body))
        if status != 200:
            raise SystemExit("POST /chats answered %d: %s" % (status, answer[:300]))
        return json.loads(answer)["id"]


class ChatsBare(BareServer):
    """The bare view, with the SHA-256 of the same kind of secret."""

    table = "message"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.secret = secrets.token_urlsafe(32)
        self.token = basic_value("bench", self.secret)
        self.chat_ids = []

    def env(self):
        env = super().env()
        env["BARE_BASIC_SHA256"] = hashlib.sha256(self.secret.encode()).hexdigest()
        return env

    def prepare(self, chats=500):
        super().prepare()
        self.chat_ids = list(range(1, chats + 1))


def basic_value(client_id, secret):
    return "Basic " + base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()


def post(port, path, authorization, body):
    """The bytes of one POST with a JSON body."""
    head = (
        "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: %s\r\n"
        "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        % (path, port, authorization, len(body))
    )
    return head.encode() + body


def builder(server):
    """build(port, token, run, first, count): message POSTs, round robin over the chats."""

    def build(port, token, run, first, count):
        out = []
        for i in range(first, first + count):
            chat_id = server.chat_ids[i % len(server.chat_ids)]
            text = "%s (%s #%d)" % (LINES[i % len(LINES)], run, i)
            body = json.dumps({"message": {"type": "text", "content": text}}).encode()
            out.append(post(port, "/apps/api/v1/chats/%d/message" % chat_id, token, body))
        return out

    return build


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=500, help="open chats")
    parser.add_argument("--messages", type=int, default=5000, help="messages per measurement")
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--rounds", type=int, default=3, help="alternate the servers R times")
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    args = parser.parse_args(argv)
    print(
        "chats API: %d messages into %d chats, %d keep-alive clients, %s, %d CPU(s), Python %s"
        % (
            args.messages,
            args.chats,
            args.clients,
            "SQLite WAL synchronous=FULL" if args.database == "sqlite" else "PostgreSQL",
            os.cpu_count(),
            sys.version.split()[0],
        )
    )
    app = ChatsApp("app", "FULL", args.database)
    bare = ChatsBare("bare", "FULL", args.database)
    results = {"app": [], "bare": []}
    try:
        print("app database: %s" % app.database.describe())
        app.prepare(args.chats)
        bare.prepare(args.chats)
        for round_no in range(1, args.rounds + 1):
            print("round %d:" % round_no)
            for server in (bare, app):
                figures = measure(server, args.messages, args.clients, builder(server), WARMUP)
                results[server.name].append(figures)
                show(figures, args.messages, "message")
    finally:
        app.cleanup()
        bare.cleanup()
    return report(results, args)


def report(results, args):
    """The median round's figures, the ratio and the checks; 0 when all pass."""

    def median_round(name):
        rounds = sorted(results[name], key=lambda f: f["rate"])
        return rounds[len(rounds) // 2]

    a, b = median_round("app"), median_round("bare")
    ratio = a["rate"] / b["rate"]
    pairs = zip(results["app"], results["bare"], strict=True)
    ratios = ", ".join("%.2f" % (x["rate"] / y["rate"]) for x, y in pairs)
    print("result (median round):")
    for name, f in (("app", a), ("bare", b)):
        print(
            "  %-8s %7.0f msg/s  p50 %.1f ms  p99 %.1f ms" % (name, f["rate"], f["p50"], f["p99"])
        )
    print("  ratio    %.2f (app / bare); each round: %s" % (ratio, ratios))
    everything = results["app"] + results["bare"]
    checks = [
        ("no errors", not any(f["errors"] for f in everything)),
        ("every message stored", all(f["stored"] == args.messages for f in everything)),
    ]
    if args.database == "sqlite":
        checks.insert(0, ("ratio >= %.2f" % TARGET_RATIO, ratio >= TARGET_RATIO))
    for label, ok in checks:
        print("  %s %s" % ("PASS" if ok else "FAIL", label))
    passed = all(ok for _, ok in checks)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
