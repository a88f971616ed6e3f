"""Creating and reading chats (seed 001 "Creare una chat", "Restituisce una chat")."""

import pytest

from chatwidget.core import conversations
from tests.chats.helpers import BASE, basic, create_chat, integrator
from tests.conftest import api_user
from tests.sockets.helpers import create_queue, init, online_agent

CHAT_KEYS = {
    "id", "status", "status_text", "features", "created_at", "ends_at", "timeout_at", "agent",
    "virtual_agent", "all_agents", "all_virtual_agents", "lang", "menus", "end_user",
}  # fmt: skip


def test_create_chat_answers_the_chat_object_and_get_reads_it(app, client):
    headers = integrator(app)
    queue_id = create_queue(app, "billing")
    chat = create_chat(
        client, headers, menu_id=queue_id, lang="it", email="Ann@Example.com",
        context={"value": {"foo": "bar"}}, end_user={"phone": "+39 055 1234"},
    )  # fmt: skip
    assert set(chat) == CHAT_KEYS
    assert isinstance(chat["id"], int)
    assert chat["status"] == "queued"
    assert chat["menus"] == [{"id": queue_id, "name": "billing"}]
    assert chat["lang"] == "it"
    assert chat["agent"] is None and chat["all_agents"] == []
    assert chat["end_user"]["identifier"] is None and isinstance(chat["end_user"]["id"], int)
    assert chat["created_at"].endswith("Z") and chat["timeout_at"] > chat["created_at"]
    got = client.get("%s/chats/%d" % (BASE, chat["id"]), headers=headers)
    assert got.status_code == 200
    assert got.get_json() == chat


def test_a_chat_is_routed_to_an_available_agent_at_once(app, client):
    headers = integrator(app)
    queue_id = create_queue(app, "sales")
    agent_id, socket = online_agent(app, name="Bea Rossi", skills=("sales",))
    chat = create_chat(client, headers, menu_id=queue_id)
    assert chat["status"] == "assigned"
    assert chat["agent"] == {
        "id": agent_id, "name": "Bea Rossi", "first_name": "Bea", "avatar_url": None,
        "status": "available",
    }  # fmt: skip
    assert chat["all_agents"] == [chat["agent"]]
    socket.disconnect(namespace="/agent")


def test_the_same_phone_is_the_same_end_user(app, client):
    headers = integrator(app)
    first = create_chat(client, headers, end_user={"phone": "+1 555 0100"})
    second = create_chat(client, headers, end_user={"phone": "+1 555 0100"})
    again = create_chat(client, headers, end_user_id=first["end_user"]["id"])
    assert first["end_user"] == second["end_user"] == again["end_user"]
    assert len({first["id"], second["id"], again["id"]}) == 3


@pytest.mark.parametrize(
    "body, field",
    [
        ({"chat": {"menu_id": 999999}}, "menu_id"),
        ({"chat": {"end_user_id": 999999}}, "end_user_id"),
        ({"chat": {"menu_id": "x"}}, "menu_id"),
        ({"chat": {"menu_id": 2**31}}, "menu_id"),
        ({"chat": {"end_user_id": -1}}, "end_user_id"),
        ({"chat": {"email": "not an e-mail"}}, "email"),
        ({"chat": {"context": "a string"}}, "context"),
    ],
)
def test_bad_create_is_400_naming_the_field_and_stores_nothing(app, client, body, field):
    headers = integrator(app)
    response = client.post(BASE + "/chats", json=body, headers=headers)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]["chat"]
    assert client.get(BASE + "/chats/1", headers=headers).status_code == 404


def test_credentials_and_role_are_checked_before_anything(app, client):
    create_queue(app, "general")
    url = BASE + "/chats"
    assert client.post(url, json={}).status_code == 401
    wrong = basic(api_user(app, "apps_api")[0], "wrong-secret")
    assert client.post(url, json={}, headers=wrong).status_code == 401
    assert client.post(url, json={}, headers={"Authorization": "Basic !!!"}).status_code == 401
    capture_only = integrator(app, "chat_capture")
    assert client.post(url, json={}, headers=capture_only).status_code == 403
    assert client.get(url + "/1", headers=integrator(app)).status_code == 404


def test_every_conversation_is_a_chat(app, client):
    conversation_id, _ = init(app, channel="web", email="x@example.com")
    with app.app_context():
        chat_id = conversations.get(conversation_id).id
    got = client.get("%s/chats/%d" % (BASE, chat_id), headers=integrator(app))
    assert got.status_code == 200
    assert got.get_json()["status"] == "queued" and got.get_json()["end_user"] is None
