"""The bare baselines for bench/capture_ingest.py and bench/chats_api.py: the least a view can do.

One Flask view parses the JSON body and inserts it as one row with the stdlib sqlite3
(WAL, the same `synchronous` as the real app), served by the real app's server class
(NoDelayWSGIServer, pywsgi under gevent, WebSocket handler, no access log). No auth, no
validation, no ORM: what is left is the floor any capture endpoint sits on here. The
chats API's message view does the same after checking HTTP Basic (the secret's SHA-256
against BARE_BASIC_SHA256, as the app checks its API users). With
BARE_DATABASE_URL (postgresql://…) the row goes to PostgreSQL instead, one commit a
request, on a connection of its own from a pool of 16 (psycopg under gevent).

    PORT=5099 BARE_DB=/tmp/bare.db SQLITE_SYNCHRONOUS=NORMAL python bench/bare_server.py
    PORT=5099 BARE_DATABASE_URL=postgresql://postgres@127.0.0.1/db python bench/bare_server.py
"""

from gevent import monkey

monkey.patch_all()

import base64  # noqa: E402
import hashlib  # noqa: E402
import hmac  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from chatwidget.server import NoDelayWSGIServer  # noqa: E402

# The two tables the baselines write: a capture's chat, and a chats API message.
TABLES = (
    "CREATE TABLE IF NOT EXISTS chat ("
    "id %(pk)s, call_id TEXT UNIQUE, session_id TEXT UNIQUE, body TEXT)",
    "CREATE TABLE IF NOT EXISTS message ("
    "id %(pk)s, chat_id INTEGER, from_user_id INTEGER, content TEXT, created_at TEXT)",
)
CHAT_INSERT = "INSERT INTO chat (call_id, session_id, body) VALUES (?, ?, ?)"
MESSAGE_INSERT = (
    "INSERT INTO message (chat_id, from_user_id, content, created_at) VALUES (?, ?, ?, ?)"
)


def sqlite_insert(path, synchronous):
    """insert(sql, row) in a transaction of its own, on SQLite."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=%s" % synchronous)
    conn.execute("PRAGMA busy_timeout=5000")
    for table in TABLES:
        conn.execute(table % {"pk": "INTEGER PRIMARY KEY"})

    def insert(sql, row):
        conn.execute("BEGIN")
        conn.execute(sql, row)
        conn.execute("COMMIT")

    return insert


def postgresql_insert(url, size=16):
    """insert(sql, row) in a transaction of its own, on PostgreSQL."""
    import psycopg
    from gevent.queue import Queue

    pool = Queue()
    for _ in range(size):
        pool.put(psycopg.connect(url, autocommit=True))
    conn = pool.peek()
    for table in TABLES:
        conn.execute(table % {"pk": "SERIAL PRIMARY KEY"})

    def insert(sql, row):
        conn = pool.get()
        try:  # autocommit: the INSERT is its own transaction, committed when it returns
            conn.execute(sql.replace("?", "%s"), row)
        finally:
            pool.put(conn)

    return insert


def basic_ok(expected_hash):
    """Whether the request's HTTP Basic secret hashes (SHA-256) to expected_hash, as the
    app stores client secrets; compared in constant time."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    _, _, secret = base64.b64decode(value).decode().partition(":")
    return hmac.compare_digest(hashlib.sha256(secret.encode()).hexdigest(), expected_hash)


def make_app(insert):
    app = Flask(__name__)
    basic_hash = os.environ.get("BARE_BASIC_SHA256", "")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/chatCapture/v1")
    def capture():
        chat = request.get_json()
        call_id = secrets.token_hex(5)
        insert(CHAT_INSERT, (call_id, chat["SessionId"], request.get_data(as_text=True)))
        return jsonify(callId=call_id)

    @app.post("/apps/api/v1/chats/<int:chat_id>/message")
    def chat_message(chat_id):
        if not basic_ok(basic_hash):
            return {"message": "unauthorized"}, 401
        body = request.get_json()
        content = body["message"]["content"]
        now = datetime.now(UTC).isoformat()
        insert(MESSAGE_INSERT, (chat_id, body.get("from_user_id"), content, now))
        return {}

    return app


def main():
    if os.environ.get("BARE_DATABASE_URL"):
        insert = postgresql_insert(os.environ["BARE_DATABASE_URL"])
    else:
        insert = sqlite_insert(
            os.environ["BARE_DB"], os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL")
        )
    app = make_app(insert)
    port = int(os.environ["PORT"])
    server = NoDelayWSGIServer(("127.0.0.1", port), app, handler_class=WebSocketHandler, log=None)
    server.serve_forever()


if __name__ == "__main__":
    main()
