"""The bare baseline for bench/relay.py: a python-socketio relay, no Flask, no database.

The least a live-chat relay can do on this stack: python-socketio's Server in gevent mode
(one socket's events handled in order, as the app does), served by the app's own server
class (NoDelayWSGIServer, pywsgi, no access log) with the same WebSocket driver. It speaks
the subset of the customer channel the load generator uses:

- `/`: joinConversation {"conversationId", "id", "name"} puts the socket in the room;
- `/agent`: joinConversation {"conversationId"} (an agent serves several conversations);
- sendMessage {"conversationId", "text", …} on either: a wire message with an id, a
  per-conversation seq and a timestamp goes as messageArrived to the room's member on the
  other side; the ack is {"status": "ok", "id", "seq"}.

No authentication, no storage, no echo to the sender. With REDIS_URL (and
SOCKETIO_CHANNEL) set, emits go through python-socketio's RedisManager as the app's do
with a message queue: two such processes relay across each other
(bench/relay.py --processes 2).

    PORT=5099 WS_DRIVER=gevent-websocket python bench/bare_relay.py
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import socketio  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.ws_driver import handler_class  # noqa: E402
from chatwidget.server import NoDelayWSGIServer, settle_heap  # noqa: E402

CUSTOMER_NS, AGENT_NS = "/", "/agent"
OTHER = {CUSTOMER_NS: AGENT_NS, AGENT_NS: CUSTOMER_NS}
ROLE = {CUSTOMER_NS: "customer", AGENT_NS: "agent"}


def make_server():
    queue = None
    if os.environ.get("REDIS_URL"):
        channel = os.environ.get("SOCKETIO_CHANNEL", "socketio")
        queue = socketio.RedisManager(os.environ["REDIS_URL"], channel=channel)
    sio = socketio.Server(
        async_mode="gevent",
        async_handlers=False,
        cors_allowed_origins="*",
        client_manager=queue,
    )
    members = {}  # (namespace, sid) → {"who": {...}, "rooms": set()}
    seqs = {}  # conversationId → last seq

    def join(namespace, sid, data):
        conversation_id = str(data.get("conversationId") or "")
        if not conversation_id:
            return {"status": "error", "message": "conversationId missing"}
        member = members.setdefault(
            (namespace, sid),
            {"who": {"id": data.get("id") or sid, "name": "", "role": ROLE[namespace]},
             "rooms": set()},
        )  # fmt: skip
        if data.get("name"):
            member["who"]["name"] = data["name"]
        member["rooms"].add(conversation_id)
        sio.enter_room(sid, conversation_id, namespace=namespace)
        return {"status": "ok", "conversationId": conversation_id, "participant": member["who"]}

    def send(namespace, sid, data):
        member = members.get((namespace, sid))
        conversation_id = data.get("conversationId")
        if member is None or conversation_id not in member["rooms"]:
            return {"status": "error", "message": "join the conversation first"}
        seq = seqs[conversation_id] = seqs.get(conversation_id, 0) + 1
        wire = {
            "id": str(uuid.uuid4()),
            "seq": seq,
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "type": "ChatMessage",
            "conversationId": conversation_id,
            "from": member["who"],
            "to": [],
            "text": data.get("text") or "",
            "tag": "",
            "refId": None,
            "attachments": [],
        }
        sio.emit("messageArrived", wire, to=conversation_id, namespace=OTHER[namespace])
        return {"status": "ok", "id": wire["id"], "seq": seq}

    for namespace in (CUSTOMER_NS, AGENT_NS):

        def bind(namespace):
            @sio.on("connect", namespace=namespace)
            def connect(sid, environ, auth=None):
                return True

            @sio.on("disconnect", namespace=namespace)
            def disconnect(sid, *args):
                members.pop((namespace, sid), None)

            @sio.on("joinConversation", namespace=namespace)
            def join_conversation(sid, data):
                return join(namespace, sid, data)

            @sio.on("sendMessage", namespace=namespace)
            def send_message(sid, data):
                return send(namespace, sid, data)

        bind(namespace)
    return sio


def healthz(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"status":"ok"}']


def main():
    port = int(os.environ["PORT"])
    handler = handler_class(os.environ.get("WS_DRIVER", "gevent-websocket"))
    app = socketio.WSGIApp(make_server(), healthz)
    server = NoDelayWSGIServer(("127.0.0.1", port), app, handler_class=handler, log=None)
    settle_heap()
    server.serve_forever()


if __name__ == "__main__":
    main()
