"""Helpers for the live-chat tests: agents, conversations, customer and agent sockets."""

import json
import time
import uuid

from chatwidget.extensions import socketio

AGENT_NS = "/agent"
PASSWORD = "correct horse battery"


_HASHES = {}


def _password_hash():
    """PASSWORD's scrypt hash, computed once per run (each costs a noticeable fraction
    of a second; tests create dozens of agents)."""
    if PASSWORD not in _HASHES:
        from werkzeug.security import generate_password_hash

        _HASHES[PASSWORD] = generate_password_hash(PASSWORD)
    return _HASHES[PASSWORD]


def create_agent(app, name="Alice", skills=("general",), max_chats=3, email=None, cli=False):
    """Create an agent; returns (agent id, socket token).

    cli=True goes through `flask create-agent` (and its password hashing); otherwise the
    row is written with a precomputed hash of PASSWORD, which is quicker.
    """
    from chatwidget.core import agents
    from chatwidget.core.queues import ensure_queues
    from chatwidget.extensions import db
    from chatwidget.models import Agent

    email = email or "%s-%s@example.com" % (name.lower(), uuid.uuid4().hex[:6])
    if cli:
        args = ["create-agent", "--email", email, "--name", name, "--password", PASSWORD]
        for skill in skills:
            args += ["--skill", skill]
        args += ["--max-chats", str(max_chats)]
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output
        agent_id = json.loads(result.stdout.strip().splitlines()[-1])["id"]
    with app.app_context():
        if not cli:
            agent = Agent(
                email=email,
                name=name,
                password_hash=_password_hash(),
                max_chats=max_chats,
                skills=ensure_queues(skills),
            )
            db.session.add(agent)
            db.session.commit()
            agent_id = agent.id
        token, _ = agents.issue_token(db.session.get(Agent, agent_id))
    return agent_id, token


def create_queue(app, name):
    """Create a queue through the CLI; returns its id."""
    result = app.test_cli_runner().invoke(args=["create-queue", name])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])["id"]


def init(app, **body):
    """POST /api/customer/init; returns (conversationId, participant id)."""
    payload = {"channel": "web", "email": "cust@example.com", "firstName": "Carla"}
    payload.update(body)
    response = app.test_client().post("/api/customer/init", json=payload)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    return data["conversationId"], data["participant"]["id"]


def public_id(app, conversation_id):
    """The customer's public id in a conversation (how agents and everyone else name it)."""
    from sqlalchemy import select

    from chatwidget.extensions import db
    from chatwidget.models import Conversation, Participant

    with app.app_context():
        return db.session.scalar(
            select(Participant.public_id)
            .join(Conversation, Conversation.id == Participant.conversation_pk)
            .where(Conversation.conversation_id == conversation_id, Participant.role == "customer")
        )


def customer(app):
    """A connected customer socket (namespace /)."""
    client = socketio.test_client(app, namespace="/", flask_test_client=app.test_client())
    assert client.is_connected("/")
    return client


def join(app, conversation_id, participant_id, name=None, client=None):
    """A customer socket that joined a conversation; returns (client, ack)."""
    client = client or customer(app)
    payload = {"conversationId": conversation_id, "id": participant_id}
    if name:
        payload["name"] = name
    ack = client.emit("joinConversation", payload, callback=True)
    return client, ack


def start(app, **body):
    """init + join: (conversationId, participant id, customer client), events drained."""
    conversation_id, participant_id = init(app, **body)
    client, ack = join(app, conversation_id, participant_id)
    assert ack["status"] == "ok", ack
    client.get_received("/")
    return conversation_id, participant_id, client


def agent_socket(app, token, status="available"):
    """A connected /agent socket, set to status (None: left as it is), events drained."""
    client = socketio.test_client(
        app, namespace=AGENT_NS, auth={"token": token}, flask_test_client=app.test_client()
    )
    assert client.is_connected(AGENT_NS)
    if status:
        ack = client.emit("setStatus", {"status": status}, namespace=AGENT_NS, callback=True)
        assert ack["status"] == "ok", ack
    client.get_received(AGENT_NS)
    return client


def online_agent(
    app, name="Alice", skills=("general",), max_chats=3, status="available", cli=False
):
    """create_agent + agent_socket: (agent id, client)."""
    agent_id, token = create_agent(app, name, skills, max_chats, cli=cli)
    return agent_id, agent_socket(app, token, status)


def received(client, namespace="/", name=None):
    """Drain a client's events; with name, only the payloads of that event."""
    events = client.get_received(namespace)
    if name is None:
        return [(e["name"], e["args"][0] if e["args"] else None) for e in events]
    return [e["args"][0] for e in events if e["name"] == name]


def messages_of(client, namespace="/", conversation_id=None):
    """Drain: the messageArrived payloads (of one conversation if given)."""
    out = received(client, namespace, "messageArrived")
    if conversation_id:
        out = [m for m in out if m["conversationId"] == conversation_id]
    return out


def activities(wires):
    """The activityType (or "text:<text>") of each message, in order."""
    return [w.get("activityType") or "text:%s" % w.get("text") for w in wires]


def send(client, conversation_id, text="hello", namespace="/", **fields):
    """sendMessage a ChatMessage; returns the ack."""
    payload = {"type": "ChatMessage", "conversationId": conversation_id, "text": text}
    payload.update(fields)
    return client.emit("sendMessage", payload, namespace=namespace, callback=True)


def ask_info(client, conversation_id, after_seq=0, namespace="/"):
    """conversationInfo as a request; returns the ack."""
    payload = {"conversationId": conversation_id, "afterSeq": after_seq}
    return client.emit("conversationInfo", payload, namespace=namespace, callback=True)


def state_of(app, conversation_id):
    """(state, agent_id, queue name) of a conversation, read from the database."""
    from sqlalchemy import select

    from chatwidget.extensions import db
    from chatwidget.models import Conversation, Queue

    with app.app_context():
        row = db.session.execute(
            select(Conversation.state, Conversation.agent_id, Queue.name)
            .join(Queue, Queue.id == Conversation.queue_id)
            .where(Conversation.conversation_id == conversation_id)
        ).one()
        return tuple(row)


def active_chats(app, agent_id):
    from chatwidget.extensions import db
    from chatwidget.models import Agent

    with app.app_context():
        return db.session.get(Agent, agent_id).active_chats


def wait_for(condition, timeout=10.0, interval=0.01):
    """Poll condition() until truthy or the deadline passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def end(client, conversation_id, namespace="/"):
    """endConversation; returns the ack."""
    payload = {"conversationId": conversation_id}
    return client.emit("endConversation", payload, namespace=namespace, callback=True)
