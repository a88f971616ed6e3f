"""PATCH a chat (seed 001 "Aggiornare una chat"; CONTRACT §3): finishing it ends the live
conversation everywhere and makes it a captured call; deflection channels recorded."""

import pytest

from chatwidget.core import chats
from chatwidget.extensions import db
from chatwidget.models import Escalation
from tests.chats.helpers import BASE, create_chat, integrator
from tests.chats.test_chats import CHAT_KEYS
from tests.chats.test_escalations import escalate, va_queue
from tests.chats.test_messages import assigned_chat, widget_chat
from tests.conftest import bearer_for
from tests.sockets.helpers import AGENT_NS, received, wait_for


def patch(client, headers, chat_id, body):
    response = client.patch("%s/chats/%d" % (BASE, chat_id), json=body, headers=headers)
    return response.status_code, response.get_json()


def capture_status(app, session_id):
    headers = bearer_for(app, app.test_client(), "chat_capture")
    answer = app.test_client().post(
        "/callCapture/v1/status", json={"CallSessionIds": [session_id]}, headers=headers
    )
    assert answer.status_code == 200
    [entry] = answer.get_json()["callSessions"]
    return entry["status"]


def stored(app, chat_id):
    """(state, end_reason, finished_by) of the chat's conversation."""
    with app.app_context():
        conversation = chats.get_chat(chat_id)
        return conversation.state, conversation.end_reason, conversation.finished_by


def test_the_seed_example_finishes_the_chat_by_its_agent(app, client):
    headers = integrator(app)
    chat, agent_id, agent = assigned_chat(app, client, headers)
    _, escalation = escalate(client, headers, chat["id"], reason="other")
    assert capture_status(app, str(chat["id"])) == "InProgress"
    body = {
        "finished_by_user_id": agent_id,
        "chat": {
            "deflection_channel": "keep_waiting",
            "status": "finished",
            "escalation_id": escalation["id"],
        },
    }
    status, answer = patch(client, headers, chat["id"], body)
    assert status == 200, answer
    assert set(answer) == CHAT_KEYS and answer["id"] == chat["id"]
    assert answer["status"] == "finished" and answer["ends_at"] and answer["timeout_at"] is None
    assert stored(app, chat["id"]) == ("ended", "api", {"user_id": agent_id, "role": "agent"})
    ended = [m for m in received(agent, AGENT_NS, "messageArrived") if m.get("activityType")]
    assert [m["activityType"] for m in ended] == ["endOfConversation"]
    assert ended[0]["from"]["name"] == "Bea Rossi"
    assert capture_status(app, str(chat["id"])) == "Complete"
    with app.app_context():
        assert db.session.get(Escalation, escalation["id"]).deflection_channel == "keep_waiting"
    agent.disconnect(namespace=AGENT_NS)


def test_finishing_a_widget_conversation_ends_it_in_the_widget_and_captures_it(app, client):
    headers = integrator(app)
    chat_id, conversation_id, customer, agent_id, agent = widget_chat(app)
    status, answer = patch(client, headers, chat_id, {"chat": {"status": "finished"}})
    assert status == 200 and answer["status"] == "finished"

    def ended(socket, namespace):
        arrived = received(socket, namespace, "messageArrived")
        return [m for m in arrived if m.get("activityType") == "endOfConversation"]

    assert wait_for(lambda: ended(customer, "/"))
    assert wait_for(lambda: ended(agent, AGENT_NS))
    assert stored(app, chat_id)[2] == {"user_id": None, "role": "end_user"}
    assert capture_status(app, conversation_id) == "Complete"
    assert capture_status(app, str(chat_id)) == "Complete"
    agent.disconnect(namespace=AGENT_NS)


def test_finished_by_defaults_to_the_end_user(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers, end_user={"phone": "+39 06 5555"})
    status, answer = patch(client, headers, chat["id"], {"chat": {"status": "finished"}})
    assert status == 200 and answer["status"] == "finished"
    finished_by = {"user_id": chat["end_user"]["id"], "role": "end_user"}
    assert stored(app, chat["id"])[2] == finished_by


def test_a_deflection_channel_goes_on_the_latest_escalation(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers, menu_id=va_queue(app))
    _, escalation = escalate(client, headers, chat["id"])
    status, answer = patch(client, headers, chat["id"], {"chat": {"deflection_channel": "sms"}})
    assert status == 200 and answer["status"] == "queued"
    with app.app_context():
        assert db.session.get(Escalation, escalation["id"]).deflection_channel == "sms"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"chat": {"status": "assigned"}}, "status"),
        ({"chat": {"status": "timeout"}}, "status"),
        ({"chat": {"status": "closed"}}, "status"),
        ({"chat": {"deflection_channel": "carrier_pigeon"}}, "deflection_channel"),
        ({"chat": {"deflection_channel": "sms"}}, "deflection_channel"),  # no escalation yet
        ({"chat": {"escalation_id": 999999, "deflection_channel": "sms"}}, "escalation_id"),
        ({"finished_by_user_id": 999999, "chat": {"status": "finished"}}, "finished_by_user_id"),
        ({"finished_by_user_id": "x", "chat": {"status": "finished"}}, "finished_by_user_id"),
    ],
)
def test_bad_patch_is_400_naming_the_field_and_changes_nothing(app, client, body, field):
    headers = integrator(app)
    chat = create_chat(client, headers)
    status, answer = patch(client, headers, chat["id"], body)
    assert status == 400, answer
    errors = answer["errors"]
    assert field in (errors if field == "finished_by_user_id" else errors["chat"]), errors
    assert stored(app, chat["id"]) == ("waiting", None, None)


def test_an_ended_chat_cannot_be_finished_again(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers)
    assert patch(client, headers, chat["id"], {"chat": {"status": "finished"}})[0] == 200
    status, answer = patch(client, headers, chat["id"], {"chat": {"status": "finished"}})
    assert (status, answer["message"]) == (400, "Chat is already ended")
    assert patch(client, headers, 999999, {"chat": {"status": "finished"}})[0] == 404
