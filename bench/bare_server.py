"""The bare baseline for bench/capture_ingest.py: the least a capture view can do.

One Flask view parses the JSON body and inserts it as one row with the stdlib sqlite3
(WAL, the same `synchronous` as the real app), served by the real app's server class
(NoDelayWSGIServer, pywsgi under gevent, WebSocket handler, no access log). No auth, no
validation, no ORM: what is left is the floor any capture endpoint sits on here. With
BARE_DATABASE_URL (postgresql://…) the row goes to PostgreSQL instead, one commit a
request, on a connection of its own from a pool of 16 (psycopg under gevent).

    PORT=5099 BARE_DB=/tmp/bare.db SQLITE_SYNCHRONOUS=NORMAL python bench/bare_server.py
    PORT=5099 BARE_DATABASE_URL=postgresql://postgres@127.0.0.1/db python bench/bare_server.py
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import secrets  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from chatwidget.server import NoDelayWSGIServer  # noqa: E402


def sqlite_insert(path, synchronous):
    """insert(call_id, session_id, body) in a transaction of its own, on SQLite."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=%s" % synchronous)
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS chat ("
        "id INTEGER PRIMARY KEY, call_id TEXT UNIQUE, session_id TEXT UNIQUE, body TEXT)"
    )

    def insert(row):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO chat (call_id, session_id, body) VALUES (?, ?, ?)", row)
        conn.execute("COMMIT")

    return insert


def postgresql_insert(url, size=16):
    """insert(call_id, session_id, body) in a transaction of its own, on PostgreSQL."""
    import psycopg
    from gevent.queue import Queue

    pool = Queue()
    for _ in range(size):
        pool.put(psycopg.connect(url, autocommit=True))
    conn = pool.peek()
    conn.execute(
        "CREATE TABLE IF NOT EXISTS chat ("
        "id SERIAL PRIMARY KEY, call_id TEXT UNIQUE, session_id TEXT UNIQUE, body TEXT)"
    )

    def insert(row):
        conn = pool.get()
        try:  # autocommit: the INSERT is its own transaction, committed when it returns
            conn.execute("INSERT INTO chat (call_id, session_id, body) VALUES (%s, %s, %s)", row)
        finally:
            pool.put(conn)

    return insert


def make_app(insert):
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/chatCapture/v1")
    def capture():
        chat = request.get_json()
        call_id = secrets.token_hex(5)
        insert((call_id, chat["SessionId"], request.get_data(as_text=True)))
        return jsonify(callId=call_id)

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
