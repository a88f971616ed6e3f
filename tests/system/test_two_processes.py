"""Two `python app.py` processes sharing PostgreSQL and Redis, as a scaled-out deployment.

A customer talks to one process and an agent to the other; messages cross through
Redis both ways. Then one process is SIGKILLed and the other keeps serving: the
customer resumes on it and catches up, or the dead process's agent is replaced.
"""

import uuid

import pytest

from tests.system.clients import Agent, Customer
from tests.system.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PASSWORD = "correct horse battery"


def chat_texts(messages):
    return [m["text"] for m in messages if m["type"] == "ChatMessage"]


def activity(kind):
    return lambda m: m.get("activityType") == kind


def by_id(message_id):
    return lambda m: m.get("id") == message_id


@pytest.fixture
def cluster(request, pg_database, redis_url, make_deployment):  # the database outlives servers
    """(deployment, left, right): two processes on one PostgreSQL database and Redis channel.

    Agents' grace period is 1 s unless the test passes another (indirect parametrization).
    """
    grace = getattr(request, "param", 1)
    deployment = make_deployment(pg_database, redis_url, AGENT_GRACE_S=grace)
    servers = deployment.launch("left", "right")  # importing the app is slow: all at once
    deployment.commands(
        deployment.create_agent("ann@example.test", "Ann", PASSWORD, "general"),
        deployment.create_agent("bob@example.test", "Bob", PASSWORD, "general"),
    )
    left, right = deployment.wait_ready(servers)
    return deployment, left, right


def start_chat(customer_server, agent_server):
    """Ann available on agent_server; a customer on customer_server joins and gets Ann."""
    ann = Agent("ann@example.test", PASSWORD).connect(agent_server.url)
    ann.available()
    customer = Customer(customer_server.url).connect(customer_server.url)
    customer.join()
    assigned = ann.wait_assigned(customer.conversation_id)  # emitted by the other process
    assert assigned["role"] == "agent"
    customer.recorder.wait_message(activity("participantJoined"), "Ann joining")
    return customer, ann


def exchange(customer, agent, tag):
    """One message each way; each side sees both, with the acked id and seq."""
    conversation = customer.conversation_id
    asked = customer.send("question %s" % tag, str(uuid.uuid4()))
    seen = agent.recorder.wait_message(by_id(asked["id"]), "the customer's message at the agent")
    assert (seen["seq"], seen["text"], seen["from"]["role"]) == (
        asked["seq"],
        "question %s" % tag,
        "customer",
    )
    answered = agent.send(conversation, "answer %s" % tag)
    got = customer.recorder.wait_message(by_id(answered["id"]), "the agent's reply at the customer")
    assert (got["seq"], got["text"], got["from"]["role"]) == (
        answered["seq"],
        "answer %s" % tag,
        "agent",
    )
    assert answered["seq"] > asked["seq"]
    agent.recorder.wait_message(by_id(answered["id"]), "the agent's own reply echoed")
    customer.recorder.wait_message(by_id(asked["id"]), "the customer's own message echoed")
    return asked, answered


def assert_once_in_order(messages):
    """No message twice, seq strictly increasing."""
    stored = [m for m in messages if "seq" in m]
    ids = [m["id"] for m in stored]
    assert len(ids) == len(set(ids)), ids
    seqs = [m["seq"] for m in stored]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)), seqs


def test_customer_and_agent_on_two_processes_then_customer_process_killed(cluster):
    deployment, left, right = cluster
    customer, ann = start_chat(left, right)
    try:
        for round_ in range(3):
            exchange(customer, ann, round_)
        assert_once_in_order(customer.recorder.messages())
        assert_once_in_order(ann.recorder.messages())
        last_seen = max(m["seq"] for m in customer.recorder.messages() if "seq" in m)

        left.kill()  # the customer's process dies; Ann's (right) goes on
        customer.disconnect()
        while_away = [ann.send(customer.conversation_id, "are you there %d" % n) for n in range(3)]

        customer.connect(right.url).join()  # a load balancer would send it to right
        caught = customer.info(last_seen)["messages"]
        assert [m["id"] for m in caught] == [a["id"] for a in while_away]
        assert [m["seq"] for m in caught] == list(range(last_seen + 1, last_seen + 4))
        exchange(customer, ann, "after the kill")

        # right serves a new conversation on its own, routed to Ann on the same process.
        other = Customer(right.url).connect(right.url)
        other.join()
        ann.wait_assigned(other.conversation_id)
        exchange(other, ann, "new")
        other.disconnect()
    finally:
        customer.disconnect()
        ann.disconnect()


def test_agent_process_killed_conversation_goes_to_an_agent_on_the_live_process(cluster):
    deployment, left, right = cluster
    customer, ann = start_chat(left, right)
    bob = Agent("bob@example.test", PASSWORD).connect(left.url)
    try:
        exchange(customer, ann, "before")
        bob.available()  # no waiting conversation yet: Bob gets nothing
        right.kill()  # Ann's process dies; she never comes back
        # left's scheduler finds right stale, Ann's grace ends, Bob gets the conversation.
        assigned = bob.wait_assigned(customer.conversation_id, timeout=30)
        history = [m.get("activityType") for m in assigned["messages"]]
        assert history[-3:] == ["participantLeft", "handOff", "participantJoined"], history
        exchange(customer, bob, "after")
        assert_once_in_order(customer.recorder.messages())
        whole = customer.info(0)["messages"]
        assert [m["seq"] for m in whole] == list(range(1, len(whole) + 1))
        assert chat_texts(whole) == [
            "question before",
            "answer before",
            "question after",
            "answer after",
        ]
    finally:
        customer.disconnect()
        bob.disconnect()
        ann.disconnect()


def test_reconnecting_customer_gets_every_missed_message_once_in_order(cluster):
    deployment, left, right = cluster
    customer, ann = start_chat(left, right)
    try:
        exchange(customer, ann, "before")
        last_seen = max(m["seq"] for m in customer.recorder.messages() if "seq" in m)
        customer.disconnect()  # gone for a while: the agent keeps writing
        missed = [
            ann.send(customer.conversation_id, "while you were away %d" % n) for n in range(6)
        ]

        customer.connect(left.url).join()
        caught = customer.info(last_seen)["messages"]
        assert [m["id"] for m in caught] == [a["id"] for a in missed]
        assert [m["seq"] for m in caught] == [a["seq"] for a in missed]
        assert [m["seq"] for m in caught] == list(range(last_seen + 1, last_seen + 7))
        assert chat_texts(caught) == ["while you were away %d" % n for n in range(6)]
        # The new socket was not sent them live (they happened before it joined) ...
        live = {m["id"] for m in customer.recorder.messages()}
        assert not live & {a["id"] for a in missed}
        # ... and after the catch-up, new messages arrive live, once.
        asked, answered = exchange(customer, ann, "after")
        arrived = [m["id"] for m in customer.recorder.messages()]
        assert arrived.count(asked["id"]) == arrived.count(answered["id"]) == 1
        assert customer.info(answered["seq"])["messages"] == []
    finally:
        customer.disconnect()
        ann.disconnect()


@pytest.mark.parametrize("cluster", [60], indirect=True)
def test_process_frozen_past_its_heartbeat_gets_its_agents_back(cluster):
    """Another process declares the frozen one dead; once it runs again its agents count again."""
    deployment, left, right = cluster
    customer, ann = start_chat(left, right)
    other = None
    ann_id = deployment.value("SELECT id FROM agent WHERE email = 'ann@example.test'")
    sockets = "SELECT count(*) FROM agent_socket WHERE agent_id = :a"
    try:
        exchange(customer, ann, "before")
        right.pause()
        try:
            wait_until(
                lambda: deployment.value(sockets, a=ann_id) == 0,
                15,
                "left to find right stale and drop Ann's socket",
            )
        finally:
            right.resume()
        exchange(customer, ann, "after the freeze")  # Ann's socket never closed
        # A new customer is routed to Ann again: right put her socket back.
        other = Customer(left.url).connect(left.url)
        other.join()
        ann.wait_assigned(other.conversation_id)
        exchange(other, ann, "new")
        assert deployment.value(sockets, a=ann_id) == 1
        state = "SELECT disconnected_at, status FROM agent WHERE id = :a"
        assert deployment.rows(state, a=ann_id) == [(None, "available")]
    finally:
        if other is not None:
            other.disconnect()
        customer.disconnect()
        ann.disconnect()
