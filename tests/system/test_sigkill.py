"""SIGKILL mid-stream loses no acknowledged message, on SQLite and on PostgreSQL.

A customer pipelines messages (many in flight at once), noting every ack; the server
is SIGKILLed while messages are still being sent and acked. A new process on the same
database must have every acked message, under its acked id and seq, with seqs 1..N and
no gaps; resending the in-flight ones (same client ids) stores each exactly once.
"""

import threading
import uuid

import pytest
import socketio

from tests.system.clients import TIMEOUT, Customer, chat_message

pytestmark = pytest.mark.slow

IN_FLIGHT = 16  # messages sent and not yet acked, at most
KILL_AFTER = 120  # acks received before the kill


class Pipeline:
    """Sends messages with client ids on one socket, IN_FLIGHT at a time, recording acks."""

    def __init__(self, customer):
        self.customer = customer
        self.window = threading.BoundedSemaphore(IN_FLIGHT)
        self.cond = threading.Condition()
        self.sent = []  # (id, text) in send order
        self.acked = {}  # id → ack
        self.refused = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _on_ack(self, message_id):
        def callback(ack=None):
            with self.cond:
                if isinstance(ack, dict) and ack.get("status") == "ok":
                    self.acked[message_id] = ack
                else:
                    self.refused.append((message_id, ack))
                self.cond.notify_all()
            self.window.release()

        return callback

    def _run(self):
        n = 0
        while not self.stopped.is_set():
            if not self.window.acquire(timeout=0.5):
                continue  # the server is gone: nothing acks any more
            message_id, text = str(uuid.uuid4()), "message %d" % n
            with self.cond:
                self.sent.append((message_id, text))
            try:
                self.customer.client.emit(
                    "sendMessage",
                    chat_message(self.customer.conversation_id, text, message_id),
                    callback=self._on_ack(message_id),
                )
            except socketio.exceptions.SocketIOError:
                return  # disconnected: the kill
            n += 1

    def wait_acks(self, count):
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.acked) >= count, 30), len(self.acked)


def test_sigkill_loses_no_acknowledged_message(database_url, make_deployment):
    # The pipeline floods one socket on purpose: no SOCKET_RATE_LIMIT may refuse it.
    deployment = make_deployment(database_url, SOCKET_RATE_LIMIT="100000/second")
    [first] = deployment.start("first")
    customer = Customer(first.url).connect(first.url)
    customer.join()
    pipeline = Pipeline(customer)
    pipeline.thread.start()
    pipeline.wait_acks(KILL_AFTER)
    first.kill()  # mid-stream: messages are in flight and being stored
    pipeline.stopped.set()
    pipeline.thread.join(TIMEOUT)
    customer.disconnect()
    with pipeline.cond:
        acked = dict(pipeline.acked)
        sent = list(pipeline.sent)
    assert not pipeline.refused, pipeline.refused[:3]
    assert len(sent) > len(acked), "the kill came after the last send: nothing was in flight"

    [second] = deployment.start("second")  # same database
    customer.connect(second.url).join()
    stored = customer.info(0)["messages"]
    assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))  # no gap, in order
    by_id = {m["id"]: m for m in stored}
    assert len(by_id) == len(stored)
    for message_id, ack in acked.items():
        assert message_id in by_id, "acked message %s lost" % message_id
        assert by_id[message_id]["seq"] == ack["seq"] and ack["id"] == message_id
    texts = dict(sent)
    chats = [m for m in stored if m["type"] == "ChatMessage"]
    assert all(m["text"] == texts[m["id"]] for m in chats)  # stored as sent, nothing torn
    # Stored in send order: one socket's messages are taken one after the other.
    order = [m["id"] for m in chats]
    assert order == [mid for mid, _ in sent if mid in set(order)]

    # The client resends whatever it had no ack for, under the same ids: each once.
    unacked = [(mid, text) for mid, text in sent if mid not in acked]
    resent = {mid: customer.send(text, mid) for mid, text in unacked}
    final = customer.info(0)["messages"]
    ids = [m["id"] for m in final if m["type"] == "ChatMessage"]
    assert sorted(ids) == sorted(mid for mid, _ in sent)  # every message, exactly once
    assert [m["seq"] for m in final] == list(range(1, len(final) + 1))
    for mid, ack in resent.items():
        assert ack["id"] == mid
        if mid in by_id:  # stored before the kill, ack lost: acked again, not stored twice
            assert ack["seq"] == by_id[mid]["seq"]
    customer.disconnect()
