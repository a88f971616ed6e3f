"""A dropped agent socket keeps its conversations for AGENT_GRACE_S, then they are re-queued."""

import pytest
from sqlalchemy import select

from chatwidget import scheduler
from chatwidget.extensions import db, socketio
from chatwidget.models import Agent
from tests.conftest import make_app
from tests.sockets.helpers import (
    AGENT_NS,
    active_chats,
    activities,
    agent_socket,
    create_agent,
    end,
    messages_of,
    online_agent,
    received,
    send,
    start,
    state_of,
)


@pytest.fixture
def grace_app(tmp_path, request):
    """An app with AGENT_GRACE_S and the backend from the test's parameter."""
    grace, backend = request.param
    url = request.getfixturevalue("pg_schema_database") if backend == "postgresql" else ""
    application = make_app(tmp_path, url, AGENT_GRACE_S=grace)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _agent(app, agent_id):
    with app.app_context():
        row = db.session.get(Agent, agent_id)
        return row.status, row.disconnected_at


@pytest.mark.parametrize("grace_app", [(60, "sqlite")], indirect=True)
def test_within_the_grace_period_nothing_moves(grace_app):
    app = grace_app
    alice_id, alice = online_agent(app, "Alice")
    cid, pid, client = start(app)
    bob_id, bob = online_agent(app, "Bob")
    received(bob, AGENT_NS)
    alice.disconnect(namespace=AGENT_NS)
    assert _agent(app, alice_id)[1] is not None

    scheduler.run_once(app)
    assert state_of(app, cid)[:2] == ("assigned", alice_id)
    assert active_chats(app, alice_id) == 1
    assert received(client) == []
    assert received(bob, AGENT_NS) == []
    # Routing skips an agent with no socket even before its grace period ends.
    other, _, _ = start(app)
    assert state_of(app, other)[:2] == ("assigned", bob_id)


@pytest.mark.parametrize("grace_app", [(0, "sqlite")], indirect=True)
def test_a_reconnect_keeps_the_conversations(grace_app):
    app = grace_app
    alice_id, token = create_agent(app, "Alice")
    first = agent_socket(app, token)
    cid, _, client = start(app)
    first.disconnect(namespace=AGENT_NS)
    again = socketio.test_client(
        app, namespace=AGENT_NS, auth={"token": token}, flask_test_client=app.test_client()
    )
    # The reconnected console is handed its conversations again.
    assigned = received(again, AGENT_NS, "conversationAssigned")
    assert [a["conversation"]["conversationId"] for a in assigned] == [cid]
    assert assigned[0]["role"] == "agent"
    assert _agent(app, alice_id) == ("available", None)
    scheduler.run_once(app)
    assert state_of(app, cid)[:2] == ("assigned", alice_id)
    assert received(client) == []
    assert send(client, cid, "still there?")["status"] == "ok"
    assert [w["text"] for w in messages_of(again, AGENT_NS)] == ["still there?"]


@pytest.mark.parametrize("grace_app", [(0, "sqlite")], indirect=True)
def test_past_the_grace_period_conversations_go_to_another_available_agent(grace_app):
    app = grace_app
    alice_id, alice = online_agent(app, "Alice")
    cid, pid, client = start(app)
    bob_id, bob = online_agent(app, "Bob")
    assert state_of(app, cid)[:2] == ("assigned", alice_id)
    received(bob, AGENT_NS)

    alice.disconnect(namespace=AGENT_NS)
    assert scheduler.run_once(app) == 1
    assert state_of(app, cid)[:2] == ("assigned", bob_id)
    assert (active_chats(app, alice_id), active_chats(app, bob_id)) == (0, 1)
    assert _agent(app, alice_id) == ("offline", None)
    assigned = received(bob, AGENT_NS, "conversationAssigned")
    assert [a["conversation"]["conversationId"] for a in assigned] == [cid]
    seen = messages_of(client)
    assert activities(seen) == ["participantLeft", "handOff", "participantJoined"]
    assert seen[0]["info"]["participant"]["name"] == "Alice"
    assert seen[2]["info"]["participant"]["name"] == "Bob"
    assert scheduler.run_once(app) == 0  # done once


@pytest.mark.parametrize(
    "grace_app",
    [(0, "sqlite"), pytest.param((0, "postgresql"), marks=pytest.mark.postgres)],
    indirect=True,
)
def test_past_the_grace_period_conversations_wait_at_the_front_in_their_order(grace_app):
    app = grace_app
    alice_id, alice = online_agent(app, "Alice", max_chats=2)
    older, _, _ = start(app)
    newer, _, _ = start(app)
    bob_id, bob = online_agent(app, "Bob", max_chats=1)
    busy, _, busy_client = start(app)
    queued, _, _ = start(app)
    assert [state_of(app, c)[1] for c in (older, newer, busy, queued)] == [
        alice_id,
        alice_id,
        bob_id,
        None,
    ]
    received(bob, AGENT_NS)

    alice.disconnect(namespace=AGENT_NS)
    scheduler.run_once(app)
    with app.app_context():
        from chatwidget.core.routing import queue_snapshot
        from chatwidget.models import Queue

        queue_id = db.session.scalar(select(Queue.id).filter_by(name="general"))
        waiting = [w["conversationId"] for w in queue_snapshot(queue_id)["waiting"]]
    assert waiting == [older, newer, queued]
    updates = received(bob, AGENT_NS, "queueUpdated")
    assert [w["conversationId"] for w in updates[-1]["queues"][0]["waiting"]] == waiting

    assert end(busy_client, busy)["status"] == "ok"
    assert state_of(app, older)[:2] == ("assigned", bob_id)
    assert state_of(app, newer)[:2] == ("waiting", None)
