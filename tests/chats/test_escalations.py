"""Virtual-agent chats and escalations (seed 001 "Riassegnare la chat dell'agente virtuale",
"Aggiornamento della riassegnazione"; CONTRACT §3, §7)."""

import json

from sqlalchemy import select

from chatwidget.core import chats, connector_inbound, handling, virtual_agents
from chatwidget.extensions import db
from chatwidget.models import Conversation
from tests.chats.helpers import BASE, create_chat, integrator
from tests.sockets.helpers import online_agent, start


def va_queue(app, name="support"):
    """A queue with a virtual agent (create-queue --virtual-agent-url); returns its id."""
    result = app.test_cli_runner().invoke(
        args=["create-queue", name, "--virtual-agent-url", "http://127.0.0.1:9/bot"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])["id"]


def escalate(client, headers, chat_id, **body):
    response = client.post("%s/chats/%d/escalations" % (BASE, chat_id), json=body, headers=headers)
    return response.status_code, response.get_json()


def test_a_virtual_agent_menu_starts_at_va_assigned(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers, menu_id=va_queue(app))
    assert chat["status"] == "va_assigned"
    assert chat["virtual_agent"]["name"] == "support virtual agent"
    assert chat["all_virtual_agents"] == [chat["virtual_agent"]]
    assert chat["agent"] is None


def test_escalation_hands_the_chat_to_an_agent_who_the_customer_sees_join(app, client):
    headers = integrator(app)
    queue_id = va_queue(app)
    agent_id, agent = online_agent(app, name="Ugo Neri", skills=("support",))
    chat = create_chat(client, headers, menu_id=queue_id)
    status, escalation = escalate(
        client, headers, chat["id"], reason="by_end_user_ask", force_escalate=True
    )
    assert status == 200
    assert escalation == {"id": escalation["id"], "chat_id": chat["id"], "status": "assigned"}
    after = client.get("%s/chats/%d" % (BASE, chat["id"]), headers=headers).get_json()
    assert after["status"] == "assigned" and after["agent"]["id"] == agent_id
    assert after["virtual_agent"] is None
    assert [v["status"] for v in after["all_virtual_agents"]] == ["done"]
    assigned = [e for e in agent.get_received("/agent") if e["name"] == "conversationAssigned"]
    assert assigned and assigned[0]["args"][0]["conversation"]["chatId"] == chat["id"]
    agent.disconnect(namespace="/agent")


def test_escalating_a_chat_already_with_humans_changes_nothing(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers, menu_id=va_queue(app))
    _, first = escalate(client, headers, chat["id"], reason="by_end_user_ask")
    status, again = escalate(client, headers, chat["id"], reason="other")
    assert status == 200 and again == first and again["status"] == "queued"


def test_deflection_channel_is_recorded_and_unknown_ones_refused(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers, menu_id=va_queue(app))
    _, escalation = escalate(client, headers, chat["id"])
    url = "%s/chats/%d/escalations/%d" % (BASE, chat["id"], escalation["id"])
    bad = client.patch(url, json={"deflection_channel": "carrier_pigeon"}, headers=headers)
    assert bad.status_code == 400 and "deflection_channel" in bad.get_json()["errors"]
    ok = client.patch(url, json={"deflection_channel": "email"}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["status"] == "deflected"
    other = create_chat(client, headers, menu_id=va_queue(app, "other"))
    wrong = "%s/chats/%d/escalations/%d" % (BASE, other["id"], escalation["id"])
    assert (
        client.patch(wrong, json={"deflection_channel": "sms"}, headers=headers).status_code == 404
    )


def test_a_widget_visitor_on_a_virtual_agent_queue_meets_the_bot(app):
    va_queue(app, "bots")
    conversation_id, _, customer = start(app, subject="bots")
    info = customer.emit(
        "conversationInfo", {"conversationId": conversation_id, "afterSeq": 0}, callback=True
    )
    joined = [
        m["info"]["participant"]
        for m in info["messages"]
        if m.get("activityType") == "participantJoined"
    ]
    assert joined and joined[0]["role"] == "bot"
    assert info["conversation"]["state"] == "va"


def test_an_ended_chat_cannot_be_escalated(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers, menu_id=va_queue(app))
    with app.app_context():
        handling.do_end(chats.get_chat(chat["id"]), "api")
    status, body = escalate(client, headers, chat["id"])
    assert status == 400 and body["message"] == "Chat is already ended"


def test_a_connector_customer_on_a_virtual_agent_queue_meets_the_bot(app):
    va_queue(app, "general")  # DEFAULT_QUEUE: where a connector's conversations wait
    with app.app_context():
        connector_inbound.do_receive("sms", {"refId": "+15550199", "text": "hello?"})
        conversation = db.session.scalar(select(Conversation).filter_by(ref_id="+15550199"))
        assert conversation.state == "va"
        assert virtual_agents.bot_of(conversation) is not None
