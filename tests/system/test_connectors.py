"""Connectors over a real server with python-socketio: kept messages arrive in order when
a connector registers, each acknowledged once; an SMS conversation opened by a connector
is answered by an agent and the reply goes back out with the customer's refId."""

import pytest
import requests
import socketio

from tests.system.clients import TIMEOUT, Agent, Recorder, check_ok
from tests.system.servers import wait_until

pytestmark = pytest.mark.slow
PHONE = "+15550100"


class Connector:
    """An SMS gateway: token from /Token, registerConnector, acks every messageArrived."""

    def __init__(self, base_url, client_id, secret):
        form = {"grant_type": "client_credentials", "client_id": client_id}
        form["client_secret"] = secret
        token = requests.post(base_url + "/Token", data=form, timeout=TIMEOUT).json()
        self.recorder = Recorder()
        self.client = socketio.Client(reconnection=False)
        record = self.recorder.handler("messageArrived")

        def arrived(message):
            record(message)
            return {"status": "ok"}  # the ack that marks the message delivered

        self.client.on("messageArrived", arrived)
        self.client.connect(
            base_url, auth={"token": token["access_token"]}, transports=["websocket"]
        )

    def register(self):
        ack = self.client.call("registerConnector", {"id": "sms", "name": "SMS", "channel": "sms"})
        return check_ok(ack, "registerConnector")

    def texts(self):
        return [m["text"] for m in self.recorder.of("messageArrived")]

    def wait_texts(self, count):
        self.recorder.wait(lambda: len(self.texts()) >= count, "%d messages" % count)
        return self.recorder.of("messageArrived")


@pytest.fixture
def sms_deployment(tmp_path, make_deployment):
    deployment = make_deployment("sqlite:///%s" % (tmp_path / "c.db"))
    servers = deployment.launch("server")  # starting while the commands run: both import
    made = deployment.commands(
        ("create-api-user", "gateway", "--role", "connector"),
        deployment.create_agent("ann@example.com", "Ann", "secret123", "general"),
    )
    [server] = deployment.wait_ready(servers)
    return deployment, server.url, made[0]


def _post(base, api_user, text):
    form = {"grant_type": "client_credentials", **api_user}
    token = requests.post(base + "/Token", data=form, timeout=TIMEOUT).json()["access_token"]
    answer = requests.post(
        base + "/api/connectors/sms/messages",
        json={"refId": PHONE, "text": text},
        headers={"Authorization": "Bearer " + token},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_kept_messages_arrive_in_order_when_a_connector_registers(sms_deployment):
    deployment, base, api_user = sms_deployment
    sent = [_post(base, api_user, "campaign %d" % n) for n in range(3)]
    connector = Connector(base, api_user["client_id"], api_user["client_secret"])
    connector.register()
    arrived = connector.wait_texts(3)
    assert [(m["id"], m["refId"], m["text"]) for m in arrived] == [
        (s["id"], PHONE, "campaign %d" % n) for n, s in enumerate(sent)
    ]
    delivered = "SELECT count(*) FROM connector_message WHERE status = 'delivered'"
    wait_until(lambda: deployment.value(delivered) == 3, 10, "3 acks recorded")
    connector.client.disconnect()
    again = Connector(base, api_user["client_id"], api_user["client_secret"])
    again.register()
    live = _post(base, api_user, "after")
    assert [m["id"] for m in again.wait_texts(1)] == [live["id"]]  # nothing twice
    again.client.disconnect()


def test_an_sms_conversation_is_answered_through_the_connector(sms_deployment):
    deployment, base, api_user = sms_deployment
    agent = Agent("ann@example.com", "secret123").connect(base)
    agent.available()
    connector = Connector(base, api_user["client_id"], api_user["client_secret"])
    connector.register()

    first = {"type": "ChatMessage", "refId": PHONE, "text": "Hi, my parcel is late"}
    ack = check_ok(connector.client.call("sendMessage", first), "inbound sms")
    conversation_id = ack["conversationId"]
    assigned = agent.wait_assigned(conversation_id)
    assert assigned["conversation"]["channel"] == "sms"
    agent.recorder.wait_message(lambda m: m.get("text") == first["text"], "the customer's sms")

    agent.send(conversation_id, "Sorry! It ships today.")
    [reply] = connector.wait_texts(1)
    assert reply["refId"] == PHONE and reply["conversationId"] == conversation_id
    assert reply["from"]["role"] == "agent"

    follow_up = {"type": "ChatMessage", "refId": PHONE, "text": "Thanks"}
    again = check_ok(connector.client.call("sendMessage", follow_up), "second sms")
    assert again["conversationId"] == conversation_id and again["seq"] > ack["seq"]

    connector.client.disconnect()  # the gateway goes offline; replies are kept
    agent.send(conversation_id, "Anything else?")
    agent.call(
        "sendMessage",
        {"type": "ChatMessage", "conversationId": conversation_id, "text": "x", "tag": "whisper"},
    )
    back = Connector(base, api_user["client_id"], api_user["client_secret"])
    back.register()
    _post(base, api_user, "marker")  # sent after the whisper: arrives after it, if it came
    assert [m["text"] for m in back.wait_texts(2)] == ["Anything else?", "marker"]
    wrong = back.client.call("endConversation", {"conversationId": "nope"})
    assert wrong["status"] == "error"
    check_ok(back.client.call("endConversation", {"conversationId": conversation_id}), "end")
    agent.recorder.wait_message(
        lambda m: (
            m.get("activityType") == "endOfConversation"
            and m.get("info") == {"reason": "connector"}
        ),
        "the connector's end",
    )
    agent.disconnect()
    back.client.disconnect()
