"""The customer channel over Socket.IO, namespace / (CONTRACT §4)."""

import uuid

import pytest
from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Conversation, Message
from tests.sockets.helpers import (
    AGENT_NS,
    active_chats,
    activities,
    ask_info,
    customer,
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

INFO_KEYS = {"conversation", "messages", "participant", "role"}


def _stored(app, conversation_id):
    """(seq, type, activityType or text, tag) of every stored message, in order."""
    with app.app_context():
        rows = db.session.execute(
            select(Message.seq, Message.activity_type, Message.text, Message.tag)
            .join(Conversation, Conversation.id == Message.conversation_pk)
            .where(Conversation.conversation_id == conversation_id)
            .order_by(Message.seq)
        ).all()
        return [(r.seq, r.activity_type or "text:%s" % r.text, r.tag) for r in rows]


def _last_seq(app, conversation_id):
    with app.app_context():
        return db.session.scalar(
            select(Conversation.last_seq).filter_by(conversation_id=conversation_id)
        )


def _assigned(app, name="Alice"):
    """An online agent and a conversation it was given: (cid, pid, customer, agent, agent_id)."""
    agent_id, agent = online_agent(app, name)
    cid, pid, client = start(app)
    assert state_of(app, cid)[:2] == ("assigned", agent_id)
    received(agent, AGENT_NS)
    return cid, pid, client, agent, agent_id


def test_wrong_pair_is_refused_and_the_socket_gets_nothing_of_it(sqlite_app):
    app = sqlite_app
    cid, pid = init(app)
    other_cid, other_pid = init(app)
    intruder = customer(app)
    for payload in (
        {"conversationId": cid, "id": other_pid},
        {"conversationId": cid, "id": ""},
        {"conversationId": cid},
        {"conversationId": str(uuid.uuid4()), "id": pid},
    ):
        ack = intruder.emit("joinConversation", payload, callback=True)
        assert ack["status"] == "error" and ack["message"], ack
        assert set(ack) <= {"status", "message", "errors"}
    unknown = intruder.emit(
        "joinConversation", {"conversationId": str(uuid.uuid4()), "id": pid}, callback=True
    )
    wrong = intruder.emit("joinConversation", {"conversationId": cid, "id": "x"}, callback=True)
    assert unknown == wrong  # nothing revealed about which half was wrong
    assert intruder.emit("joinConversation", "not an object", callback=True)["status"] == "error"
    assert received(intruder) == []
    assert state_of(app, cid)[0] == "new"  # a refused join starts nothing

    owner, ack = join(app, cid, pid)
    assert ack["status"] == "ok"
    assert send(owner, cid, "private")["status"] == "ok"
    assert send(intruder, cid, "let me in")["status"] == "error"
    assert ask_info(intruder, cid)["status"] == "error"
    assert end(intruder, cid)["status"] == "error"
    assert received(intruder) == []
    assert "text:let me in" not in activities(messages_of(owner))
    assert state_of(app, other_cid)[0] == "new"


def test_join_greets_then_sends_info_then_routes_with_no_agent(sqlite_app):
    app = sqlite_app
    cid, pid = init(app, firstName="Carla")
    client, ack = join(app, cid, pid, name="Carla B.")
    assert ack["status"] == "ok"
    events = received(client)
    names = [name for name, _ in events]
    assert names == ["messageArrived", "conversationInfo", "messageArrived", "messageArrived"]
    greeting, info, hand_off, none_free = (payload for _, payload in events)
    assert greeting["type"] == "ActivityMessage" and greeting["activityType"] == "greetings"
    assert greeting["seq"] == 1 and greeting["id"] and greeting["timestamp"].endswith("Z")
    assert greeting["conversationId"] == cid

    assert set(info) == INFO_KEYS
    assert info["role"] == "customer"
    assert info["conversation"]["conversationId"] == cid
    assert [m["id"] for m in info["messages"]] == [greeting["id"]]
    assert [(p["id"], p["name"], p["role"]) for p in info["participant"]] == [
        (pid, "Carla B.", "customer")
    ]

    assert (hand_off["activityType"], hand_off["info"]) == ("handOff", {"queue": "general"})
    assert none_free["activityType"] == "noAgentAvailable"
    assert none_free["info"] == {"queue": "general", "position": 1}
    assert [hand_off["seq"], none_free["seq"]] == [2, 3]
    assert state_of(app, cid) == ("waiting", None, "general")


def test_an_init_never_joined_takes_no_agent(sqlite_app):
    app = sqlite_app
    agent_id, agent = online_agent(app, max_chats=1)
    idle, _ = init(app)
    joined, _, client = start(app)
    assert state_of(app, idle) == ("new", None, "general")
    assert state_of(app, joined)[:2] == ("assigned", agent_id)
    assigned = received(agent, AGENT_NS, "conversationAssigned")
    assert [a["conversation"]["conversationId"] for a in assigned] == [joined]


def test_first_join_with_a_free_agent_hands_off_then_the_agent_joins(sqlite_app):
    app = sqlite_app
    agent_id, agent = online_agent(app, "Alice")
    cid, pid = init(app)
    client, _ = join(app, cid, pid)
    wires = messages_of(client)
    assert activities(wires) == ["greetings", "handOff", "participantJoined"]
    joined = wires[-1]["info"]["participant"]
    assert (joined["name"], joined["role"]) == ("Alice", "agent")
    assert [w["seq"] for w in wires] == [1, 2, 3]
    assert active_chats(app, agent_id) == 1


def test_a_second_tab_sees_the_conversation_and_every_later_message(sqlite_app):
    app = sqlite_app
    cid, pid, tab1, agent, _ = _assigned(app)
    first = send(tab1, cid, "from tab 1")
    received(tab1)
    received(agent, AGENT_NS)
    tab2, ack = join(app, cid, pid)
    assert ack["status"] == "ok"
    events = received(tab2)
    assert [name for name, _ in events] == ["messageArrived", "conversationInfo"]
    greeting, info = events[0][1], events[1][1]
    assert greeting["activityType"] == "greetings" and greeting["seq"] == 1
    assert first["id"] in [m["id"] for m in info["messages"]]
    assert activities(info["messages"]).count("greetings") == 1
    assert activities(info["messages"]).count("handOff") == 1  # routing started once
    assert received(tab1) == [] and messages_of(agent, AGENT_NS) == []

    from_agent = send(agent, cid, "hello both", namespace=AGENT_NS)
    from_tab2 = send(tab2, cid, "from tab 2")
    for tab in (tab1, tab2):
        assert [w["id"] for w in messages_of(tab)] == [from_agent["id"], from_tab2["id"]]


def test_send_message_acks_after_storing_with_server_set_from_and_gapless_seq(sqlite_app):
    app = sqlite_app
    cid, pid, client, agent, agent_id = _assigned(app)
    start_seq = _last_seq(app, cid)
    forged = {"id": "agent-%d-%s" % (agent_id, cid), "name": "Alice", "role": "agent"}
    acks = [send(client, cid, "one", **{"from": forged}), send(client, cid, "two")]
    acks.append(send(agent, cid, "three", namespace=AGENT_NS, **{"from": {"id": pid}}))
    for ack in acks:
        assert set(ack) == {"status", "id", "seq"} and ack["status"] == "ok", ack
    assert [a["seq"] for a in acks] == [start_seq + 1, start_seq + 2, start_seq + 3]

    # The customer's own sockets see it by its participant id, the agents by its public id.
    for sock, ns, own_id in ((client, "/", pid), (agent, AGENT_NS, public_id(app, cid))):
        wires = messages_of(sock, ns)
        assert [(w["id"], w["seq"]) for w in wires] == [(a["id"], a["seq"]) for a in acks]
        assert [w["from"]["role"] for w in wires] == ["customer", "customer", "agent"]
        assert wires[0]["from"]["id"] == own_id and wires[0]["from"]["name"] == "Carla"
        assert wires[2]["from"]["id"] == forged["id"] and wires[2]["from"]["name"] == "Alice"
        assert all(w["type"] == "ChatMessage" and w["timestamp"] for w in wires)
    seqs = [seq for seq, _, _ in _stored(app, cid)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_resent_client_id_acks_the_stored_message_and_stores_nothing(sqlite_app):
    app = sqlite_app
    cid, pid, client, agent, _ = _assigned(app)
    message_id = str(uuid.uuid4())
    first = send(client, cid, "once", id=message_id)
    again = send(client, cid, "once (retry)", id=message_id)
    assert first == again == {"status": "ok", "id": message_id, "seq": first["seq"]}
    assert [t for _, t, _ in _stored(app, cid)].count("text:once") == 1
    assert "text:once (retry)" not in [t for _, t, _ in _stored(app, cid)]
    # The same id in another conversation is another message.
    other_cid, _, other = start(app)
    assert send(other, other_cid, "elsewhere", id=message_id)["status"] == "ok"

    before = _last_seq(app, cid)
    for bad in ("not-a-uuid", 12, "", {"x": 1}):
        ack = send(client, cid, "bad id", id=bad)
        assert ack["status"] == "error" and ack["message"], (bad, ack)
    assert _last_seq(app, cid) == before


def test_a_resend_after_the_end_still_acks_the_stored_message(sqlite_app):
    """The ack was lost, then the agent ended the chat: the retry must not look failed."""
    app = sqlite_app
    cid, pid, client, agent, _ = _assigned(app)
    message_id = str(uuid.uuid4())
    first = send(client, cid, "last words", id=message_id)
    assert end(agent, cid, AGENT_NS)["status"] == "ok"
    assert send(client, cid, "last words", id=message_id) == first
    assert send(client, cid, "new words", id=str(uuid.uuid4()))["status"] == "error"


def test_whispers_are_for_agents_only(sqlite_app):
    app = sqlite_app
    cid, pid, tab1, agent, _ = _assigned(app)
    tab2, _ = join(app, cid, pid)
    received(tab2)
    before = _last_seq(app, cid)
    refused = send(tab1, cid, "I want to whisper", tag="whisper")
    assert refused["status"] == "error" and refused["message"]
    assert _last_seq(app, cid) == before
    bad_tag = send(agent, cid, "?", namespace=AGENT_NS, tag="shout")
    assert bad_tag["status"] == "error"

    whisper = send(agent, cid, "note to supervisors", namespace=AGENT_NS, tag="whisper")
    assert whisper["status"] == "ok" and whisper["seq"] == before + 1
    public = send(agent, cid, "hello", namespace=AGENT_NS)
    agent_view = messages_of(agent, AGENT_NS)
    assert [(w["text"], w["tag"]) for w in agent_view] == [
        ("note to supervisors", "whisper"),
        ("hello", ""),
    ]
    for tab in (tab1, tab2):
        assert [w["id"] for w in messages_of(tab)] == [public["id"]]
    customer_info = ask_info(tab1, cid)
    assert whisper["id"] not in [m["id"] for m in customer_info["messages"]]
    assert public["id"] in [m["id"] for m in customer_info["messages"]]
    agent_info = ask_info(agent, cid, namespace=AGENT_NS)
    assert whisper["id"] in [m["id"] for m in agent_info["messages"]]


def test_to_limits_a_message_to_the_named_participants_and_agents(sqlite_app):
    app = sqlite_app
    cid, pid, client, agent, agent_id = _assigned(app)
    agent_pid = "agent-%d-%s" % (agent_id, cid)

    public = public_id(app, cid)
    to_customer = send(agent, cid, "just for you", namespace=AGENT_NS, to=[{"id": public}])
    to_agents = send(agent, cid, "agents only", namespace=AGENT_NS, to=[{"id": agent_pid}])
    from_customer = send(client, cid, "to the agent", to=[{"id": agent_pid, "name": "x"}])
    for ack in (to_customer, to_agents, from_customer):
        assert ack["status"] == "ok", ack
    # The customer: what is addressed to it, and its own message; never the agents-only one.
    assert [w["id"] for w in messages_of(client)] == [to_customer["id"], from_customer["id"]]
    assert [w["id"] for w in messages_of(agent, AGENT_NS)] == [
        to_customer["id"],
        to_agents["id"],
        from_customer["id"],
    ]
    seen = [m["id"] for m in ask_info(client, cid)["messages"]]
    assert to_customer["id"] in seen and from_customer["id"] in seen
    assert to_agents["id"] not in seen
    wire_to = [m for m in ask_info(client, cid)["messages"] if m["id"] == to_customer["id"]]
    assert wire_to[0]["to"] == [{"id": pid, "name": "Carla", "role": "customer"}]

    stranger = send(client, cid, "?", to=[{"id": "someone-else"}])
    assert stranger["status"] == "error"
    assert send(client, cid, "?", to="not a list")["status"] == "error"


def test_typing_is_relayed_and_never_stored(sqlite_app):
    app = sqlite_app
    cid, pid, tab1, agent, _ = _assigned(app)
    tab2, _ = join(app, cid, pid)
    received(tab2)
    before = _last_seq(app, cid)
    typing = {"type": "ActivityMessage", "conversationId": cid, "activityType": "typing"}
    ack = tab1.emit("sendMessage", typing, callback=True)
    assert ack["status"] == "ok" and ack.get("seq") is None
    for sock, ns, own_id in ((agent, AGENT_NS, public_id(app, cid)), (tab2, "/", pid)):
        relayed = messages_of(sock, ns)
        assert [(w["activityType"], w["from"]["id"]) for w in relayed] == [("typing", own_id)]
        assert "seq" not in relayed[0]
    assert agent.emit("sendMessage", typing, namespace=AGENT_NS, callback=True)["status"] == "ok"
    # Every socket of the conversation gets it, the sender's own included.
    echoed = messages_of(tab1)
    assert [(w["activityType"], w["from"]["role"]) for w in echoed] == [
        ("typing", "customer"),
        ("typing", "agent"),
    ]
    assert _last_seq(app, cid) == before
    assert "typing" not in activities(ask_info(tab1, cid)["messages"])
    other = dict(typing, activityType="endOfConversation")
    assert tab1.emit("sendMessage", other, callback=True)["status"] == "error"
    assert _last_seq(app, cid) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"text": ""},
        {"text": "   "},
        {"text": None},
        {"text": 42},
        {"text": "x" * 20001},
        {"type": "Poem"},
        {"attachments": "file.pdf"},
    ],
)
def test_invalid_messages_are_refused_and_change_nothing(sqlite_app, fields):
    app = sqlite_app
    cid, pid, client = start(app)
    before = _last_seq(app, cid)
    payload = {"type": "ChatMessage", "conversationId": cid, **fields}
    ack = client.emit("sendMessage", payload, callback=True)
    assert ack["status"] == "error" and ack["message"]
    assert _last_seq(app, cid) == before
    assert messages_of(client) == []


def test_sending_to_a_conversation_not_joined_or_ended_is_refused(sqlite_app):
    app = sqlite_app
    cid, pid, client = start(app)
    other_cid, other_pid = init(app)
    assert send(client, other_cid, "not mine")["status"] == "error"
    assert send(client, "", "no id")["status"] == "error"
    assert end(client, cid) == {"status": "ok"}
    received(client)
    ended = send(client, cid, "too late")
    assert ended["status"] == "error" and ended["message"]
    assert end(client, cid)["status"] == "error"
    assert received(client) == []


def test_conversation_info_request_returns_what_this_socket_may_see_after_seq(sqlite_app):
    app = sqlite_app
    cid, pid, client, agent, _ = _assigned(app)
    for n in range(3):
        send(client, cid, "c%d" % n)
    send(agent, cid, "secret", namespace=AGENT_NS, tag="whisper")
    send(agent, cid, "a0", namespace=AGENT_NS)
    stored = _stored(app, cid)
    visible = [seq for seq, _, tag in stored if tag != "whisper"]

    everything = ask_info(client, cid, 0)
    assert set(everything) == INFO_KEYS | {"status"} and everything["status"] == "ok"
    assert everything["role"] == "customer"
    assert everything["conversation"]["conversationId"] == cid
    assert [m["seq"] for m in everything["messages"]] == visible
    assert {p["role"] for p in everything["participant"]} == {"customer", "agent"}

    after = ask_info(client, cid, 4)
    assert [m["seq"] for m in after["messages"]] == [s for s in visible if s > 4]
    assert ask_info(client, cid, stored[-1][0])["messages"] == []
    agent_view = ask_info(agent, cid, 4, namespace=AGENT_NS)
    assert agent_view["role"] == "agent"
    assert [m["seq"] for m in agent_view["messages"]] == [s for s, _, _ in stored if s > 4]
    no_after = client.emit("conversationInfo", {"conversationId": cid}, callback=True)
    assert [m["seq"] for m in no_after["messages"]] == visible

    for bad in (-1, "x", 1.5, True):
        assert ask_info(client, cid, bad)["status"] == "error", bad
        assert ask_info(agent, cid, bad, namespace=AGENT_NS)["status"] == "error", bad


def test_end_by_the_customer_reaches_everyone_and_frees_the_agent(app):
    agent_id, agent = online_agent(app, "Alice", max_chats=1)
    cid, pid, tab1 = start(app)
    tab2, _ = join(app, cid, pid)
    waiting_old, _, old_client = start(app)
    waiting_new, _, new_client = start(app)
    assert state_of(app, waiting_old)[0] == state_of(app, waiting_new)[0] == "waiting"
    received(tab2)
    received(agent, AGENT_NS)

    assert end(tab1, cid) == {"status": "ok"}
    public = public_id(app, cid)
    for sock, ns, own_id in ((tab1, "/", pid), (tab2, "/", pid), (agent, AGENT_NS, public)):
        ends = [w for w in messages_of(sock, ns, cid) if w["activityType"] == "endOfConversation"]
        assert [e["info"] for e in ends] == [{"reason": "customer"}], sock
        assert ends[0]["from"]["id"] == own_id
    assert state_of(app, cid)[0] == "ended"
    # Capacity freed, and the oldest waiting conversation is the agent's at once.
    assert state_of(app, waiting_old)[:2] == ("assigned", agent_id)
    assert state_of(app, waiting_new)[:2] == ("waiting", None)
    assert active_chats(app, agent_id) == 1
    assert activities(messages_of(old_client))[-1] == "participantJoined"
    assert messages_of(new_client) == []


def test_end_by_the_agent_says_so(sqlite_app):
    app = sqlite_app
    cid, pid, client, agent, agent_id = _assigned(app)
    assert end(agent, cid, AGENT_NS) == {"status": "ok"}
    ends = [w for w in messages_of(client) if w["activityType"] == "endOfConversation"]
    assert [e["info"] for e in ends] == [{"reason": "agent"}]
    assert ends[0]["from"]["role"] == "agent"
    assert active_chats(app, agent_id) == 0
    assert end(agent, cid, AGENT_NS)["status"] == "error"


def test_a_bad_name_refuses_the_join_and_joins_nothing(sqlite_app):
    app = sqlite_app
    cid, pid = init(app)
    client, ack = join(app, cid, pid, name=5)
    assert ack["status"] == "error" and ack["message"]
    assert received(client) == []
    assert state_of(app, cid)[0] == "new"
    client, ack = join(app, cid, pid, name="Carla", client=client)
    assert ack["status"] == "ok"


def test_every_event_is_acked_even_an_unknown_one(sqlite_app):
    app = sqlite_app
    cid, pid, client = start(app)
    agent_id, agent = online_agent(app)
    assert client.emit("fooBar", {"conversationId": cid}, callback=True)["status"] == "error"
    ack = agent.emit("fooBar", {}, namespace=AGENT_NS, callback=True)
    assert ack["status"] == "error" and ack["message"]
    for event in ("sendMessage", "endConversation", "conversationInfo", "joinConversation"):
        assert client.emit(event, callback=True)["status"] == "error", event
        assert client.emit(event, [1, 2], callback=True)["status"] == "error", event
