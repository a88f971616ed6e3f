"""Issue 15's hostile probes over Socket.IO, against a served process on SQLite and
PostgreSQL (CONTRACT §1 limits, §4 the customer's secret and validated payloads)."""

import json
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.system.clients import TIMEOUT, Agent, chat_message, check_ok
from tests.system.hostile.conftest import AGENT_PASSWORD, ROUTED_QUEUE
from tests.system.hostile.probes import (
    joined_customer,
    mixed_text,
    pipelined,
    refused_naming,
    send_when_allowed,
    stored_chat,
    strings_in,
)

pytestmark = pytest.mark.slow
MAX_MESSAGE_CHARS = 5000  # the contract's defaults, which the served process runs with
BURST = 20
RATE_PER_S = 10


def test_long_messages_are_refused_naming_text_and_nothing_is_stored(served):
    customer = joined_customer(served.url)
    long = [chat_message(customer.conversation_id, "x" * 20_000) for _ in range(100)]
    acks, _ = pipelined(customer.client, "sendMessage", long)
    assert all(ack.get("status") == "error" for ack in acks), acks
    for ack in acks[:BURST]:  # within the burst, so refused for their length
        refused_naming(ack, "text")
    at_the_limit = send_when_allowed(customer, "x" * MAX_MESSAGE_CHARS)
    assert [m["id"] for m in stored_chat(customer)] == [at_the_limit["id"]]


def test_a_flood_of_sends_is_rate_limited_after_the_burst(served):
    customer = joined_customer(served.url)
    flood = [chat_message(customer.conversation_id, "flood %d" % n) for n in range(100)]
    acks, seconds = pipelined(customer.client, "sendMessage", flood)
    accepted = [ack["id"] for ack in acks if ack.get("status") == "ok"]
    assert len(accepted) >= BURST, acks
    # The burst, plus what the bucket refilled while the flood was answered (one spare).
    assert len(accepted) <= BURST + RATE_PER_S * seconds + 1, (len(accepted), seconds)
    assert all(ack.get("status") in ("ok", "error") for ack in acks), acks
    assert [m["id"] for m in stored_chat(customer)] == accepted  # nothing refused stored
    send_when_allowed(customer, "after the flood")  # the bucket refills


def _pdf_while_polling_healthz(url, params):
    """GET the transcript PDF while polling /healthz; (PDF answer, healthz round trips)."""
    answer = []
    fetch = threading.Thread(
        target=lambda: answer.append(requests.get(url, params=params, timeout=180))
    )
    fetch.start()
    polls = []
    deadline = time.monotonic() + 180
    # Bounded by time alone, one poll every ~20 ms (the join waits for the PDF meanwhile): a
    # bound on the count ended the polling, and the test, before a slow render was done.
    while fetch.is_alive() and time.monotonic() < deadline:
        started = time.monotonic()
        health = requests.get(url.split("/api/")[0] + "/healthz", timeout=30)
        polls.append((health.status_code, time.monotonic() - started))
        fetch.join(0.02)
    fetch.join(5)
    assert answer, "the PDF did not come within 180 s"
    return answer[0], polls


def test_rendering_a_long_transcript_does_not_stall_healthz(served):
    customer = joined_customer(served.url)
    # 400 messages of 4,500 mixed-script characters: 20 sockets of the customer, each
    # sending within its own burst.
    sockets = [customer.client]
    for _ in range(19):
        other = socketio.Client(reconnection=False)
        other.connect(served.url, transports=["websocket"], wait_timeout=TIMEOUT)
        pair = {"conversationId": customer.conversation_id, "id": customer.participant_id}
        check_ok(other.call("joinConversation", pair, timeout=TIMEOUT), "join")
        sockets.append(other)
    for s, client in enumerate(sockets):
        batch = [chat_message(customer.conversation_id, mixed_text(s * 20 + n, 4500))
                 for n in range(BURST)]  # fmt: skip
        acks, _ = pipelined(client, "sendMessage", batch)
        assert all(ack.get("status") == "ok" for ack in acks), acks
    check_ok(customer.client.call("endConversation", {"conversationId": customer.conversation_id},
                                  timeout=TIMEOUT), "end")  # fmt: skip
    url = "%s/api/customer/transcript/%s/pdf" % (served.url, customer.conversation_id)
    pdf, polls = _pdf_while_polling_healthz(url, {"participantId": customer.participant_id})
    for client in sockets:
        client.disconnect()
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert polls and all(status == 200 for status, _ in polls), polls
    assert max(seconds for _, seconds in polls) < 0.5, sorted(s for _, s in polls)[-5:]


def _routed(served):
    """(agent, customer, what the agent was answered) once the customer's conversation is
    routed to the module's one agent; the caller ends it."""
    agent = Agent(served.agent_email, AGENT_PASSWORD).connect(served.url)
    answered = [agent.available()]
    customer = joined_customer(served.url, subject=ROUTED_QUEUE)
    answered.append(agent.wait_assigned(customer.conversation_id))
    return agent, customer, answered


def _end_as_agent(agent, conversation_id):
    end = {"conversationId": conversation_id}
    check_ok(agent.client.call("endConversation", end, namespace=agent.NS, timeout=TIMEOUT), "end")
    agent.disconnect()


def _agent_saw_everything(served):
    """A routed conversation with messages both ways; (customer, every payload the agent
    received or was answered)."""
    agent, customer, seen = _routed(served)
    conversation = customer.conversation_id
    customer.send("my order is late")
    agent.recorder.wait_message(lambda m: m.get("text") == "my order is late", "the message")
    seen.append(agent.send(conversation, "let me look"))
    customer.recorder.wait_message(lambda m: m.get("text") == "let me look", "the answer")
    seen.append(agent.info(conversation))
    seen.extend(payload for _, payload in agent.recorder.events)
    _end_as_agent(agent, conversation)
    return customer, seen


def test_an_agent_cannot_join_as_the_customer(served):
    customer, seen = _agent_saw_everything(served)
    leaked = [p for p in seen if customer.participant_id in json.dumps(p)]
    intruder = socketio.Client(reconnection=False)
    intruder.connect(served.url, transports=["websocket"], wait_timeout=TIMEOUT)
    candidates = sorted({s for s in strings_in(seen) if s})[:300]
    joined = []
    for candidate in candidates:
        pair = {"conversationId": customer.conversation_id, "id": candidate, "name": "Mallory"}
        ack = intruder.call("joinConversation", pair, timeout=TIMEOUT)
        if ack.get("status") != "error":
            joined.append(candidate)
    intruder.disconnect()
    assert not joined, "joined with ids an agent saw: %r" % joined
    assert not leaked, "the customer's secret reached the agent in %r" % leaked


def _connector(served):
    """A registered SMS connector socket."""
    form = {"grant_type": "client_credentials", **served.connector_user}
    token = requests.post(served.url + "/Token", data=form, timeout=TIMEOUT).json()
    client = socketio.Client(reconnection=False)
    client.on("messageArrived", lambda message: {"status": "ok"})
    client.connect(served.url, auth={"token": token["access_token"]}, transports=["websocket"])
    ack = client.call("registerConnector", {"id": "sms", "name": "SMS", "channel": "sms"})
    check_ok(ack, "registerConnector")
    return client


BAD_PAYLOADS = {  # probe → (event, bad payload for a conversation id, the field to name)
    "afterSeq 10**30": ("conversationInfo", lambda c: {"conversationId": c, "afterSeq": 10**30},
                        "afterSeq"),
    "afterSeq sup2": ("conversationInfo", lambda c: {"conversationId": c, "afterSeq": "²"},
                   "afterSeq"),
    "to id object": ("sendMessage", lambda c: dict(chat_message(c, "hi"), to=[{"id": {}}]), "to"),
    "lone surrogate": ("sendMessage", lambda c: chat_message(c, "bad \ud800 text"), "text"),
    "NUL": ("sendMessage", lambda c: chat_message(c, "bad \x00 text"), "text"),
}  # fmt: skip


@pytest.mark.parametrize("probe", BAD_PAYLOADS)
def test_a_bad_payload_is_refused_naming_the_field_and_the_socket_keeps_working(served, probe):
    event, bad, field = BAD_PAYLOADS[probe]
    customer = joined_customer(served.url)
    refused_naming(customer.client.call(event, bad(customer.conversation_id), timeout=TIMEOUT),
                   field)  # fmt: skip
    sent = customer.send("still here")
    assert [m["id"] for m in stored_chat(customer)] == [sent["id"]]


BAD_AGENT_PAYLOADS = {  # probe → (/agent event, bad payload for a conversation id, field)
    "agentId 10**30": ("transferConversation", lambda c: {"conversationId": c, "agentId": 10**30},
                       "agentId"),
    "queueId sup2": ("transferConversation", lambda c: {"conversationId": c, "queueId": "²"},
                  "queueId"),
    "conversationId list": ("acceptConversation", lambda c: {"conversationId": [c]},
                            "conversationId"),
}  # fmt: skip


@pytest.mark.parametrize("probe", BAD_AGENT_PAYLOADS)
def test_a_bad_agent_payload_is_refused_naming_the_field_and_the_socket_keeps_working(
    served, probe
):
    event, bad, field = BAD_AGENT_PAYLOADS[probe]
    agent, customer, _ = _routed(served)
    conversation = customer.conversation_id
    try:
        ack = agent.client.call(event, bad(conversation), namespace=agent.NS, timeout=TIMEOUT)
        refused_naming(ack, field)
        sent = agent.send(conversation, "still yours")
        assert agent.info(conversation)["conversation"]["conversationId"] == conversation
        assert [m["id"] for m in stored_chat(customer)] == [sent["id"]]
    finally:  # frees the agent for the module's next routed conversation
        _end_as_agent(agent, conversation)


def test_a_conversation_id_list_is_refused_and_the_socket_can_still_join(served):
    customer = joined_customer(served.url)
    pair = {"conversationId": [customer.conversation_id], "id": customer.participant_id}
    refused_naming(customer.client.call("joinConversation", pair, timeout=TIMEOUT),
                   "conversationId")  # fmt: skip
    customer.join()
    customer.send("still here")


def test_a_connector_ref_id_longer_than_its_column_is_refused(served):
    client = _connector(served)
    too_long = {"refId": "+1" + "5" * 298, "text": "hello"}
    refused_naming(client.call("sendMessage", too_long, timeout=TIMEOUT), "refId")
    phone = "+1555%07d" % (uuid.uuid4().int % 10**7)
    check_ok(client.call("sendMessage", {"refId": phone, "text": "hello"}, timeout=TIMEOUT),
             "a valid refId")  # fmt: skip
    client.disconnect()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x"])
def test_a_plain_link_attachment_takes_only_http_urls(served, link):
    customer = joined_customer(served.url)
    attachment = {"type": "file", "name": "invoice.html", "contentUrl": link}
    message = dict(chat_message(customer.conversation_id, "see"), attachments=[attachment])
    refused_naming(customer.client.call("sendMessage", message, timeout=TIMEOUT), "attachments")
    attachment["contentUrl"] = "https://example.com/invoice.pdf"
    kept = check_ok(customer.client.call("sendMessage", message, timeout=TIMEOUT), "https")
    assert [m["id"] for m in stored_chat(customer)] == [kept["id"]]


def test_a_resend_with_an_upper_case_or_braced_id_is_stored_once(served):
    customer = joined_customer(served.url)
    message_id = uuid.uuid4()
    first = customer.send("only once", str(message_id))
    for spelling in (str(message_id).upper(), "{%s}" % message_id, message_id.urn):
        again = customer.send("only once", spelling)
        assert (again["id"], again["seq"]) == (first["id"], first["seq"]), spelling
    assert [m["id"] for m in stored_chat(customer)] == [first["id"]]
