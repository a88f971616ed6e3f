"""Admin API: agents (create, change, deactivate) and who may use it."""

import pytest
from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Agent, AgentSession, AgentSocket
from tests.admin.helpers import agent_headers, sign_in
from tests.sockets.helpers import AGENT_NS, agent_socket, start, state_of, wait_for

NEW = {"email": "Nia@Example.com", "name": "Nia", "password": "long enough", "skills": ["vip"]}


def test_only_admins_reach_the_admin_api(app, client):
    _, _, plain = agent_headers(app, "Plain", admin=False)
    assert client.get("/api/admin/agents").status_code == 401
    assert client.post("/api/admin/agents", json={}).status_code == 401
    answer = client.get("/api/admin/agents", headers=plain)
    assert answer.status_code == 403 and "admin" in answer.get_json()["message"]
    for path in (
        "/api/admin/queues",
        "/api/admin/api-users",
        "/api/admin/webhooks",
        "/api/admin/dashboard",
    ):
        assert client.get(path, headers=plain).status_code == 403, path
        assert client.get(path).status_code == 401, path
    with app.app_context():
        assert db.session.scalar(select(Agent).filter_by(name="Nia")) is None


def test_create_list_and_update(app, client):
    admin_id, _, headers = agent_headers(app)
    twice = {**NEW, "skills": ["vip", "vip "], "maxChats": 2}
    made = client.post("/api/admin/agents", json=twice, headers=headers)
    assert made.status_code == 201, made.get_json()
    agent = made.get_json()
    assert agent["email"] == "nia@example.com" and agent["skills"] == ["vip"]
    assert agent["isAdmin"] is False and agent["active"] is True and agent["maxChats"] == 2
    assert agent["status"] == "offline" and agent["activeChats"] == 0
    assert agent["createdAt"].endswith("Z")

    taken = client.post("/api/admin/agents", json=NEW, headers=headers)
    assert taken.status_code == 409
    short = client.post(
        "/api/admin/agents",
        json={**NEW, "email": "x@example.com", "password": "short"},
        headers=headers,
    )
    assert short.status_code == 400 and "password" in short.get_json()["errors"]
    bad = client.post("/api/admin/agents", json={**NEW, "maxChats": 0}, headers=headers)
    assert bad.status_code == 400 and "maxChats" in bad.get_json()["errors"]

    changed = client.patch(
        "/api/admin/agents/%d" % agent["id"],
        json={
            "name": "Nia B",
            "skills": ["vip", "billing", " vip"],
            "maxChats": 4,
            "isAdmin": True,
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["name"] == "Nia B" and body["skills"] == ["billing", "vip"]
    assert body["maxChats"] == 4 and body["isAdmin"] is True
    listed = client.get("/api/admin/agents", headers=headers).get_json()["agents"]
    assert {a["id"] for a in listed} == {admin_id, agent["id"]}
    assert client.patch("/api/admin/agents/999999", json={}, headers=headers).status_code == 404


def test_new_agent_signs_in_with_its_password(app, client):
    _, _, headers = agent_headers(app)
    assert client.post("/api/admin/agents", json=NEW, headers=headers).status_code == 201
    token = client.post(
        "/api/agent/token", json={"email": "nia@example.com", "password": "long enough"}
    )
    assert token.status_code == 200, token.get_json()


def test_an_admin_cannot_lock_itself_out(app, client):
    admin_id, _, headers = agent_headers(app)
    for change in ({"active": False}, {"isAdmin": False}):
        answer = client.patch("/api/admin/agents/%d" % admin_id, json=change, headers=headers)
        assert answer.status_code == 409, change
    with app.app_context():
        me = db.session.get(Agent, admin_id)
        assert me.is_admin and me.deactivated_at is None


def test_deactivation_ends_sessions_sockets_and_requeues(app, client):
    _, _, headers = agent_headers(app)
    gone_id, gone_token, gone_headers = agent_headers(app, "Gone", admin=False)
    socket = agent_socket(app, gone_token)
    conversation_id, _, customer = start(app)
    assert state_of(app, conversation_id)[:2] == ("assigned", gone_id)
    browser = app.test_client()
    sign_in(app, browser, gone_id)
    assert browser.get("/api/console/calls").status_code == 200

    answer = client.patch("/api/admin/agents/%d" % gone_id, json={"active": False}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["active"] is False and answer.get_json()["status"] == "offline"
    assert not socket.is_connected(AGENT_NS)
    assert state_of(app, conversation_id)[:2] == ("waiting", None)
    assert browser.get("/api/console/calls").status_code == 401
    assert client.get("/api/console/calls", headers=gone_headers).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(AgentSession).filter_by(agent_id=gone_id)) is None
        assert wait_for(
            lambda: db.session.scalar(select(AgentSocket).filter_by(agent_id=gone_id)) is None
        )
        assert db.session.get(Agent, gone_id).active_chats == 0

    # Another agent coming online gets the conversation, the deactivated one never again.
    other_id, other_token, _ = agent_headers(app, "Other", admin=False)
    agent_socket(app, other_token)
    assert state_of(app, conversation_id)[:2] == ("assigned", other_id)
    again = client.patch("/api/admin/agents/%d" % gone_id, json={"active": True}, headers=headers)
    assert again.get_json()["active"] is True
    customer.disconnect()


def test_cookie_changes_need_the_csrf_token(app):
    admin_id, _, _ = agent_headers(app)
    browser = app.test_client()
    csrf = sign_in(app, browser, admin_id)
    assert browser.get("/api/admin/agents").status_code == 200
    refused = browser.post("/api/admin/agents", json=NEW)
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Agent).filter_by(email="nia@example.com")) is None
    made = browser.post("/api/admin/agents", json=NEW, headers=csrf)
    assert made.status_code == 201, made.get_json()


def test_own_password_change_keeps_this_session_only(app):
    admin_id, _, _ = agent_headers(app)
    here, there = app.test_client(), app.test_client()
    csrf = sign_in(app, here, admin_id)
    sign_in(app, there, admin_id)
    answer = here.patch(
        "/api/admin/agents/%d" % admin_id, json={"password": "another one!"}, headers=csrf
    )
    assert answer.status_code == 200, answer.get_json()
    assert here.get("/api/admin/agents").status_code == 200
    assert there.get("/api/admin/agents").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"name": "  "},
        {"password": "short"},
        {"maxChats": "x"},
        {"skills": [""]},
        {"isAdmin": "maybe"},
    ],
)
def test_bad_updates_change_nothing(app, client, body):
    _, _, headers = agent_headers(app)
    target_id, _, _ = agent_headers(app, "Target", admin=False)
    answer = client.patch("/api/admin/agents/%d" % target_id, json=body, headers=headers)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["message"]
    with app.app_context():
        target = db.session.get(Agent, target_id)
        assert target.name == "Target" and [q.name for q in target.skills] == ["general"]
