"""Agents on namespace /agent: sign-in, status, routing, accept, transfer (CONTRACT §5)."""

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from chatwidget.extensions import db, socketio
from chatwidget.models import Agent, AgentSocket
from tests.sockets.helpers import (
    AGENT_NS,
    active_chats,
    activities,
    agent_socket,
    ask_info,
    create_agent,
    end,
    init,
    join,
    messages_of,
    online_agent,
    public_id,
    received,
    send,
    start,
    state_of,
)

QUEUE_KEYS = {"id", "name", "waiting"}
WAITING_KEYS = {"conversationId", "since", "position"}


def _status(app, agent_id):
    with app.app_context():
        return db.session.get(Agent, agent_id).status


def _queue_id(app, name):
    from chatwidget.core.queues import find_queue

    with app.app_context():
        return find_queue(name).id


def _waiting(updates, queue="general"):
    """The last queueUpdated's waiting list of a queue: [(conversationId, position)]."""
    lists = [q["waiting"] for u in updates for q in u["queues"] if q["name"] == queue]
    assert lists, updates
    return [(w["conversationId"], w["position"]) for w in lists[-1]]


def _transfer(client, conversation_id, **target):
    payload = {"conversationId": conversation_id, **target}
    return client.emit("transferConversation", payload, namespace=AGENT_NS, callback=True)


def _accept(client, conversation_id):
    payload = {"conversationId": conversation_id}
    return client.emit("acceptConversation", payload, namespace=AGENT_NS, callback=True)


def test_connect_is_refused_without_a_valid_token(sqlite_app):
    app = sqlite_app
    agent_id, token = create_agent(app)
    with app.app_context():
        forged = URLSafeTimedSerializer("another key", salt="agent-token").dumps({"a": agent_id})
        from chatwidget.core.agents import _serializer

        nobody = _serializer().dumps({"a": agent_id + 100})
    for auth in (
        None,
        {},
        {"token": ""},
        {"token": "garbage"},
        {"token": forged},
        {"token": nobody},
    ):
        client = socketio.test_client(
            app, namespace=AGENT_NS, auth=auth, flask_test_client=app.test_client()
        )
        assert not client.is_connected(AGENT_NS), auth
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AgentSocket)) == 0
    client = agent_socket(app, token, status=None)
    assert client.is_connected(AGENT_NS)


def test_connect_sends_the_queues_of_the_agents_skills(sqlite_app):
    app = sqlite_app
    cid, _, _ = start(app, subject="billing")
    agent_id, token = create_agent(app, skills=("general", "billing"))
    client = socketio.test_client(
        app, namespace=AGENT_NS, auth={"token": token}, flask_test_client=app.test_client()
    )
    updates = received(client, AGENT_NS, "queueUpdated")
    assert updates and {q["name"] for q in updates[0]["queues"]} == {"general", "billing"}
    assert _waiting(updates, "general") == [(cid, 1)]  # unknown subject: default queue


def test_set_status(sqlite_app):
    app = sqlite_app
    agent_id, client = online_agent(app, status=None)
    assert _status(app, agent_id) == "offline"
    for bad in ("busy", "", None, 3):
        ack = client.emit("setStatus", {"status": bad}, namespace=AGENT_NS, callback=True)
        assert ack["status"] == "error" and ack["message"], bad
    assert client.emit("setStatus", "away", namespace=AGENT_NS, callback=True)["status"] == "error"
    assert _status(app, agent_id) == "offline"
    for status in ("away", "available", "offline"):
        ack = client.emit("setStatus", {"status": status}, namespace=AGENT_NS, callback=True)
        assert ack["status"] == "ok", ack
        assert _status(app, agent_id) == status


def test_only_available_agents_are_routed_to_and_the_oldest_waits_least(sqlite_app):
    app = sqlite_app
    away_id, away = online_agent(app, "Away", status="away", max_chats=1)
    off_id, off = online_agent(app, "Off", status="offline", max_chats=1)
    older, _, older_client = start(app)
    newer, _, _ = start(app)
    assert state_of(app, older)[:2] == state_of(app, newer)[:2] == ("waiting", None)
    assert received(away, AGENT_NS, "conversationAssigned") == []
    assert received(off, AGENT_NS, "conversationAssigned") == []

    ack = away.emit("setStatus", {"status": "available"}, namespace=AGENT_NS, callback=True)
    assert ack["status"] == "ok"
    assert state_of(app, older)[:2] == ("assigned", away_id)
    assert state_of(app, newer)[:2] == ("waiting", None)
    assigned = received(away, AGENT_NS, "conversationAssigned")
    assert [a["conversation"]["conversationId"] for a in assigned] == [older]
    assert activities(messages_of(older_client))[-1] == "participantJoined"

    off.emit("setStatus", {"status": "available"}, namespace=AGENT_NS, callback=True)
    assert state_of(app, newer)[:2] == ("assigned", off_id)


def test_least_busy_first_then_least_recently_assigned(sqlite_app):
    app = sqlite_app
    ids = {}
    sockets = {}
    for name in ("A", "B", "C"):
        ids[name], sockets[name] = online_agent(app, name, max_chats=5)
    by_id = {v: k for k, v in ids.items()}

    def next_agent():
        cid, _, _ = start(app)
        return cid, by_id[state_of(app, cid)[1]]

    first = [next_agent() for _ in range(3)]
    assert [name for _, name in first] == ["A", "B", "C"]
    assert end(sockets["A"], first[0][0], AGENT_NS)["status"] == "ok"
    assert next_agent()[1] == "A"  # least busy
    # All at one chat now; B was assigned longest ago, then C, then A.
    assert [next_agent()[1] for _ in range(3)] == ["B", "C", "A"]


def test_max_chats_is_respected_and_waiting_positions_count(app):
    agent_id, agent = online_agent(app, "Alice", max_chats=3, cli=True)  # --max-chats 3
    other_id, other = online_agent(app, "Bob", skills=("billing",))
    with app.app_context():
        assert db.session.get(Agent, agent_id).max_chats == 3
    served = [start(app)[0] for _ in range(3)]
    assert active_chats(app, agent_id) == 3
    received(agent, AGENT_NS)

    fourth, _, fourth_seen = init_join(app)
    fifth, _, fifth_seen = init_join(app)
    assert state_of(app, fourth)[:2] == state_of(app, fifth)[:2] == ("waiting", None)
    assert active_chats(app, agent_id) == 3
    none_free = [w for w in fourth_seen if w["activityType"] == "noAgentAvailable"]
    assert [w["info"] for w in none_free] == [{"queue": "general", "position": 1}]
    none_free = [w for w in fifth_seen if w["activityType"] == "noAgentAvailable"]
    assert [w["info"] for w in none_free] == [{"queue": "general", "position": 2}]

    updates = received(agent, AGENT_NS, "queueUpdated")
    assert updates, "a queue change must be announced"
    for update in updates:
        assert set(update) == {"queues"}
        for queue in update["queues"]:
            assert set(queue) == QUEUE_KEYS
            assert all(set(w) == WAITING_KEYS for w in queue["waiting"])
    assert _waiting(updates) == [(fourth, 1), (fifth, 2)]
    assert received(other, AGENT_NS, "queueUpdated") == []  # not Bob's queue

    assert end(agent, served[1], AGENT_NS)["status"] == "ok"
    assert state_of(app, fourth)[:2] == ("assigned", agent_id)
    assert state_of(app, fifth)[:2] == ("waiting", None)
    events = received(agent, AGENT_NS)
    assigned = [p for name, p in events if name == "conversationAssigned"]
    assert [a["conversation"]["conversationId"] for a in assigned] == [fourth]
    assert _waiting([p for name, p in events if name == "queueUpdated"]) == [(fifth, 1)]
    assert active_chats(app, agent_id) == 3


def init_join(app, **body):
    """init + join, returning (cid, pid, the messageArrived payloads of the join)."""
    cid, pid = init(app, **body)
    client, ack = join(app, cid, pid)
    assert ack["status"] == "ok"
    return cid, pid, messages_of(client)


def test_conversation_assigned_payload(sqlite_app):
    app = sqlite_app
    agent_id, agent = online_agent(app, "Alice")
    cid, pid = init(app, firstName="Carla", subject="general", refId="crm-1")
    join(app, cid, pid)
    assigned = received(agent, AGENT_NS, "conversationAssigned")
    assert len(assigned) == 1
    payload = assigned[0]
    assert set(payload) == {"conversation", "messages", "participant", "role"}
    assert payload["role"] == "agent"
    assert payload["conversation"]["conversationId"] == cid
    assert payload["conversation"]["customer"]["refId"] == "crm-1"
    assert activities(payload["messages"]) == ["greetings", "handOff", "participantJoined"]
    roles = [(p["name"], p["role"]) for p in payload["participant"]]
    assert roles == [("Carla", "customer"), ("Alice", "agent")]
    # The customer by its public id: its participant id is its secret (CONTRACT §4).
    assert [p["id"] for p in payload["participant"]][0] == public_id(app, cid) != pid


def test_accept_a_waiting_conversation_of_ones_own_queue_only(sqlite_app):
    app = sqlite_app
    general_id, general = online_agent(app, "Gina", status="away", max_chats=1)
    billing_id, billing = online_agent(app, "Bill", skills=("billing",))
    cid, _, client = start(app)
    second, _, _ = start(app)
    assert state_of(app, cid)[:2] == ("waiting", None)

    refused = _accept(billing, cid)
    assert refused["status"] == "error" and refused["message"]
    assert state_of(app, cid)[:2] == ("waiting", None)
    assert received(billing, AGENT_NS, "conversationAssigned") == []

    assert _accept(general, cid) == {"status": "ok"}  # away agents may still pick one
    assert state_of(app, cid)[:2] == ("assigned", general_id)
    events = received(general, AGENT_NS)
    assigned = [p for name, p in events if name == "conversationAssigned"]
    assert [a["conversation"]["conversationId"] for a in assigned] == [cid]
    assert _waiting([p for name, p in events if name == "queueUpdated"]) == [(second, 1)]
    assert activities(messages_of(client))[-1] == "participantJoined"

    assert _accept(general, cid)["status"] == "error"  # no longer waiting
    assert _accept(general, second)["status"] == "error"  # at max-chats 1
    assert _accept(general, "no-such-conversation")["status"] == "error"
    assert state_of(app, second)[:2] == ("waiting", None)
    assert active_chats(app, general_id) == 1


def test_transfer_to_a_queue_goes_to_its_front_and_to_another_agent(sqlite_app):
    app = sqlite_app
    alice_id, alice = online_agent(app, "Alice")
    bob_id, bob = online_agent(app, "Bob", skills=("billing",), max_chats=1)
    busy, _, busy_client = start(app, subject="billing")
    waiting, _, _ = start(app, subject="billing")
    moved, _, moved_client = start(app)
    assert state_of(app, busy)[:2] == ("assigned", bob_id)
    assert state_of(app, waiting)[:2] == ("waiting", None)
    assert state_of(app, moved)[:2] == ("assigned", alice_id)
    received(alice, AGENT_NS)
    received(bob, AGENT_NS)

    assert _transfer(alice, moved, queueId=_queue_id(app, "billing")) == {"status": "ok"}
    assert state_of(app, moved) == ("waiting", None, "billing")
    assert active_chats(app, alice_id) == 0
    assert _waiting(received(bob, AGENT_NS, "queueUpdated"), "billing") == [
        (moved, 1),
        (waiting, 2),
    ]
    assert activities(messages_of(alice, AGENT_NS)) == ["participantLeft"]
    customer_view = messages_of(moved_client)
    assert activities(customer_view) == ["participantLeft", "handOff", "noAgentAvailable"]
    assert customer_view[1]["info"] == {"queue": "billing"}
    assert customer_view[2]["info"] == {"queue": "billing", "position": 1}

    assert end(busy_client, busy)["status"] == "ok"
    assert state_of(app, moved)[:2] == ("assigned", bob_id)  # the front of the queue first
    assert state_of(app, waiting)[:2] == ("waiting", None)
    received(bob, AGENT_NS)
    assert send(moved_client, moved, "anyone there?")["status"] == "ok"
    assert [w["text"] for w in messages_of(bob, AGENT_NS)] == ["anyone there?"]
    assert messages_of(alice, AGENT_NS) == []
    assert send(alice, moved, "still me", namespace=AGENT_NS)["status"] == "error"


def test_transfer_to_a_queue_does_not_bounce_back_to_the_same_agent(sqlite_app):
    app = sqlite_app
    alice_id, alice = online_agent(app, "Alice")
    mine, _, _ = start(app)
    bob_id, bob = online_agent(app, "Bob")
    theirs, _, _ = start(app)
    assert state_of(app, mine)[1] == alice_id and state_of(app, theirs)[1] == bob_id
    received(alice, AGENT_NS)
    received(bob, AGENT_NS)
    assert _transfer(alice, mine, queueId=_queue_id(app, "general")) == {"status": "ok"}
    assert state_of(app, mine)[:2] == ("assigned", bob_id)
    assigned = received(bob, AGENT_NS, "conversationAssigned")
    assert [a["conversation"]["conversationId"] for a in assigned] == [mine]
    assert received(alice, AGENT_NS, "conversationAssigned") == []
    assert (active_chats(app, alice_id), active_chats(app, bob_id)) == (0, 2)


def test_transfer_to_an_agent(app):
    alice_id, alice = online_agent(app, "Alice")
    cid, pid, client = start(app)
    bob_id, bob = online_agent(app, "Bob", max_chats=1)
    assert state_of(app, cid)[1] == alice_id
    received(alice, AGENT_NS)

    assert _transfer(alice, cid, agentId=alice_id)["status"] == "error"  # that is you
    assert _transfer(alice, cid, agentId=bob_id + 10)["status"] == "error"
    assert _transfer(alice, cid)["status"] == "error"  # no target
    assert _transfer(bob, cid, agentId=alice_id)["status"] == "error"  # not Bob's to give
    assert state_of(app, cid)[:2] == ("assigned", alice_id)

    assert _transfer(alice, cid, agentId=bob_id) == {"status": "ok"}
    assert state_of(app, cid)[:2] == ("assigned", bob_id)
    assert (active_chats(app, alice_id), active_chats(app, bob_id)) == (0, 1)
    assigned = received(bob, AGENT_NS, "conversationAssigned")
    assert [a["conversation"]["conversationId"] for a in assigned] == [cid]
    assert activities(assigned[0]["messages"])[-2:] == ["participantLeft", "participantJoined"]
    assert activities(messages_of(alice, AGENT_NS)) == ["participantLeft"]
    left, joined = messages_of(client)
    assert (left["activityType"], left["info"]["participant"]["name"]) == (
        "participantLeft",
        "Alice",
    )
    assert (joined["activityType"], joined["info"]["participant"]["name"]) == (
        "participantJoined",
        "Bob",
    )
    assert joined["seq"] == left["seq"] + 1
    stored = activities(ask_info(client, cid)["messages"])
    assert stored[-2:] == ["participantLeft", "participantJoined"]
    participants = {p["name"]: p["leftAt"] for p in ask_info(client, cid)["participant"]}
    assert participants["Alice"] is not None and participants["Bob"] is None

    assert send(client, cid, "hi Bob")["status"] == "ok"
    assert [w["text"] for w in messages_of(bob, AGENT_NS)] == ["hi Bob"]
    assert messages_of(alice, AGENT_NS) == []
    assert send(alice, cid, "me again", namespace=AGENT_NS)["status"] == "error"
    # Bob is at max-chats 1: nothing more can be given to him.
    other, _, _ = start(app)
    assert state_of(app, other)[1] == alice_id
    assert _transfer(alice, other, agentId=bob_id)["status"] == "error"
    assert state_of(app, other)[:2] == ("assigned", alice_id)


def test_agents_read_only_their_conversations_and_their_queues(sqlite_app):
    app = sqlite_app
    alice_id, alice = online_agent(app, "Alice", max_chats=1)
    bob_id, bob = online_agent(app, "Bob", skills=("billing",))
    mine, _, _ = start(app)
    queued, _, _ = start(app)
    assert ask_info(alice, mine, namespace=AGENT_NS)["status"] == "ok"
    assert ask_info(alice, queued, namespace=AGENT_NS)["status"] == "ok"
    assert ask_info(bob, mine, namespace=AGENT_NS)["status"] == "error"
    assert ask_info(bob, queued, namespace=AGENT_NS)["status"] == "error"
    assert send(bob, mine, "hi", namespace=AGENT_NS)["status"] == "error"
    assert end(bob, mine, AGENT_NS)["status"] == "error"
    assert send(alice, queued, "not yet mine", namespace=AGENT_NS)["status"] == "error"
    assert state_of(app, mine)[0] == "assigned"


def test_a_customer_leaving_the_queue_updates_it(sqlite_app):
    app = sqlite_app
    agent_id, agent = online_agent(app, max_chats=1)
    start(app)
    first, _, first_client = start(app)
    second, _, _ = start(app)
    assert _waiting(received(agent, AGENT_NS, "queueUpdated")) == [(first, 1), (second, 2)]
    assert end(first_client, first)["status"] == "ok"
    assert state_of(app, first)[0] == "ended"
    assert _waiting(received(agent, AGENT_NS, "queueUpdated")) == [(second, 1)]
    assert active_chats(app, agent_id) == 1


def test_freed_capacity_goes_to_the_oldest_waiting_conversation_of_all_its_queues(sqlite_app):
    app = sqlite_app
    agent_id, agent = online_agent(app, "Alice", skills=("general", "billing"), max_chats=1)
    busy, _, busy_client = start(app, subject="general")
    older, _, _ = start(app, subject="billing")
    newer, _, _ = start(app, subject="general")
    assert state_of(app, older)[0] == state_of(app, newer)[0] == "waiting"
    assert end(busy_client, busy)["status"] == "ok"
    assert state_of(app, older)[:2] == ("assigned", agent_id)
    assert state_of(app, newer)[:2] == ("waiting", None)


def test_an_expired_token_is_refused(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, AGENT_TOKEN_TTL_S=-1)  # every token is already too old
    agent_id, token = create_agent(app)
    client = socketio.test_client(
        app, namespace=AGENT_NS, auth={"token": token}, flask_test_client=app.test_client()
    )
    assert not client.is_connected(AGENT_NS)
