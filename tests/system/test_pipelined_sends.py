"""A socket may send without waiting for acks: the served process stores while it reads on.

The served process hands each message to the group commit (on SQLite and on
PostgreSQL) and reads the socket's next event at once. What the socket sent must still
take effect in its order: every message acked in order with rising seqs, and an event
sent after them (here endConversation, then a catch-up) only once they are stored.
"""

import threading

import pytest

from tests.system.clients import TIMEOUT, Customer, chat_message

COUNT = 40


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_messages_sent_back_to_back_are_acked_in_order_before_the_end(
    database_url, make_deployment
):
    # The socket floods on purpose: past SOCKET_RATE_LIMIT's burst it would be refused.
    deployment = make_deployment(database_url, SOCKET_RATE_LIMIT="100000/second")
    [server] = deployment.start("only")
    customer = Customer(server.url).connect(server.url)
    customer.join()
    acks, done = [], threading.Event()

    def on_ack(ack=None):
        acks.append(ack)
        if len(acks) == COUNT:
            done.set()

    for n in range(COUNT):  # all on the wire before the first ack can come back
        message = chat_message(customer.conversation_id, "m%d" % n)
        customer.client.emit("sendMessage", message, callback=on_ack)
    ended = customer.client.call(
        "endConversation", {"conversationId": customer.conversation_id}, timeout=TIMEOUT
    )
    assert done.wait(TIMEOUT), "only %d acks" % len(acks)
    assert ended["status"] == "ok", ended
    assert all(a["status"] == "ok" for a in acks), acks
    seqs = [a["seq"] for a in acks]
    assert seqs == sorted(seqs) and len(set(seqs)) == COUNT
    stored = customer.info(0)["messages"]
    texts = [m["text"] for m in stored if m["type"] == "ChatMessage"]
    assert texts == ["m%d" % n for n in range(COUNT)]
    assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))
    assert stored[-1].get("activityType") == "endOfConversation"
    customer.disconnect()
