"""/api/console/*: who may call it (session + CSRF, or an agent token), what me, queues
and agents answer, agent attachments by session, and first_response_at."""

import pytest
from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Conversation, Message
from tests.console.helpers import (
    bearer,
    canned_rows,
    count,
    deactivate,
    messages_count,
    signed_in_agent,
)
from tests.media.helpers import agent_upload, png
from tests.sockets.helpers import agent_socket, create_agent, create_queue, send, start

CSRF_REFUSED = "CSRF token missing or invalid"


def _offline(client, text="Where is my parcel?", subject=None):
    body = {"name": "Olga", "email": "olga@example.com", "text": text, "subject": subject}
    response = client.post("/api/customer/offline", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["conversationId"]


def _routes(offline_id, canned_id):
    """Every console route as (method, path, JSON body)."""
    return [
        ("GET", "/api/console/me", None),
        ("GET", "/api/console/queues", None),
        ("GET", "/api/console/agents", None),
        ("GET", "/api/console/conversations/%s/customer" % offline_id, None),
        ("GET", "/api/console/canned", None),
        ("POST", "/api/console/canned", {"shortcut": "new", "text": "New"}),
        ("PATCH", "/api/console/canned/%d" % canned_id, {"text": "Changed"}),
        ("DELETE", "/api/console/canned/%d" % canned_id, None),
        ("GET", "/api/console/offline", None),
        ("POST", "/api/console/offline/%s/reply" % offline_id, {"text": "Here it is"}),
        ("POST", "/api/console/offline/%s/done" % offline_id, None),
    ]


@pytest.fixture
def world(app, client):
    """An agent signed in on client (its token too), a canned response, an offline message."""
    agent_id, token, headers = signed_in_agent(app, client)
    created = client.post(
        "/api/console/canned", json={"shortcut": "hi", "text": "Hello!"}, headers=headers
    )
    assert created.status_code == 201
    offline_id = _offline(client)
    return agent_id, token, headers, _routes(offline_id, created.get_json()["id"])


def _state(app):
    """What any change would touch: canned responses, messages, offline messages done."""
    done = count(app, Conversation, Conversation.offline_done_at.is_not(None))
    return canned_rows(app), messages_count(app), done


def test_every_route_needs_an_agent(app, client, world):
    _, _, _, routes = world
    anonymous = app.test_client()
    before = _state(app)
    for method, path, body in routes:
        for headers in ({}, bearer("forged"), {"Authorization": "Basic YTpi"}):
            response = anonymous.open(path, method=method, json=body, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.get_json()["message"], path
    assert _state(app) == before


def test_changes_by_cookie_need_the_pages_csrf_token(app, client, world):
    _, _, _, routes = world
    before = _state(app)
    for method, path, body in routes:
        if method == "GET":
            continue
        for headers in ({}, {"X-CSRFToken": "forged"}):
            response = client.open(path, method=method, json=body, headers=headers)
            assert response.status_code == 400, (method, path)
            assert response.get_json()["message"] == CSRF_REFUSED
    assert _state(app) == before


def test_reads_by_cookie_need_no_csrf_token(app, client, world):
    _, _, _, routes = world
    for method, path, _ in routes:
        if method == "GET":
            assert client.get(path).status_code in (200, 403), path


def test_an_agent_token_needs_no_csrf_token(app, world):
    _, token, _, _ = world
    scripted = app.test_client()  # no cookie at all
    body = {"shortcut": "bye", "text": "Goodbye!"}
    response = scripted.post("/api/console/canned", json=body, headers=bearer(token))
    assert response.status_code == 201
    assert ("bye", "Goodbye!") in canned_rows(app)


def test_me(app, client):
    create_queue(app, "billing")
    agent_id, _, _ = signed_in_agent(app, client, skills=("general", "billing"), max_chats=4)
    me = client.get("/api/console/me").get_json()
    assert me == {
        "id": agent_id,
        "email": "alice-console@example.com",
        "name": "Alice",
        "isAdmin": False,
        "status": "offline",
        "maxChats": 4,
        "skills": [{"id": s["id"], "name": s["name"]} for s in me["skills"]],
    }
    assert sorted(s["name"] for s in me["skills"]) == ["billing", "general"]


def test_me_as_admin(app, client):
    signed_in_agent(app, client, admin=True)
    assert client.get("/api/console/me").get_json()["isAdmin"] is True


def test_queues_lists_every_queue(app, client):
    create_queue(app, "billing")
    create_queue(app, "sales")
    signed_in_agent(app, client)
    names = [q["name"] for q in client.get("/api/console/queues").get_json()["queues"]]
    assert names == ["billing", "general", "sales"]


def test_agents_lists_the_other_active_ones(app, client):
    me, _, _ = signed_in_agent(app, client)
    bob, bob_token = create_agent(app, "Bob", skills=("general", "sales"), max_chats=2)
    gone, _ = create_agent(app, "Gone")
    deactivate(app, gone)
    agent_socket(app, bob_token)  # Bob is available
    agents = client.get("/api/console/agents").get_json()["agents"]
    assert agents == [
        {
            "id": bob,
            "name": "Bob",
            "status": "available",
            "activeChats": 0,
            "maxChats": 2,
            "skills": ["general", "sales"],
        }
    ]
    assert me not in [a["id"] for a in agents]


def _assigned(app, token):
    """A customer chatting with the agent of token: (conversation id, agent socket, customer)."""
    agent = agent_socket(app, token)
    conversation_id, _, customer = start(app)
    return conversation_id, agent, customer


def test_attachments_by_session_need_the_csrf_token(app, client):
    _, token, headers = signed_in_agent(app, client)
    conversation_id, _, _ = _assigned(app, token)
    refused = agent_upload(client, None, conversation_id, png())
    assert refused.status_code == 400
    assert refused.get_json()["message"] == CSRF_REFUSED
    client.environ_base["HTTP_X_CSRFTOKEN"] = headers["X-CSRFToken"]
    uploaded = agent_upload(client, None, conversation_id, png())
    assert uploaded.status_code == 201, uploaded.get_json()
    assert uploaded.get_json()["mediaId"]
    scripted = agent_upload(app.test_client(), token, conversation_id, png())
    assert scripted.status_code == 201
    assert agent_upload(app.test_client(), None, conversation_id, png()).status_code == 401


def _first_response(app, conversation_id):
    with app.app_context():
        return db.session.scalar(
            select(Conversation.first_response_at).filter_by(conversation_id=conversation_id)
        )


def _sent_at(app, conversation_id, seq):
    with app.app_context():
        return db.session.scalar(
            select(Message.created_at)
            .join(Conversation, Conversation.id == Message.conversation_pk)
            .where(Conversation.conversation_id == conversation_id, Message.seq == seq)
        )


def test_first_response_at_is_the_agents_first_visible_message(app, client):
    _, token = create_agent(app, "Alice")
    conversation_id, agent, customer = _assigned(app, token)
    assert send(customer, conversation_id, "hello?")["status"] == "ok"
    assert _first_response(app, conversation_id) is None
    whisper = send(agent, conversation_id, "note", namespace="/agent", tag="whisper")
    assert whisper["status"] == "ok"
    assert _first_response(app, conversation_id) is None
    reply = send(agent, conversation_id, "Hi, Alice here", namespace="/agent")
    assert reply["status"] == "ok"
    first = _first_response(app, conversation_id)
    assert first == _sent_at(app, conversation_id, reply["seq"])  # that message's time
    assert send(agent, conversation_id, "and again", namespace="/agent")["status"] == "ok"
    assert send(customer, conversation_id, "thanks")["status"] == "ok"
    assert _first_response(app, conversation_id) == first
