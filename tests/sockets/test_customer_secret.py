"""The customer's participant id is its secret: only its own sockets see it (CONTRACT §4).

Agents, connectors, webhooks and captured calls name the customer by a public id, which
lets nobody join the conversation or read its transcript.
"""

import json

from sqlalchemy import select

from chatwidget.core.webhooks import do_add_webhook
from chatwidget.extensions import db
from chatwidget.models import Call, OutboxEvent
from tests.sockets.helpers import (
    AGENT_NS,
    ask_info,
    customer,
    end,
    init,
    join,
    online_agent,
    public_id,
    received,
    send,
)
from tests.sockets.test_connector import _connector


class Seen:
    """Every payload some sockets received (events and acks), kept in order."""

    def __init__(self):
        self.events = []  # (name, first argument)
        self.acks = []

    @property
    def payloads(self):
        return [payload for _, payload in self.events] + self.acks

    def drain(self, client, namespace):
        """Keep the events the client received since the last drain; returns them."""
        events = [(e["name"], e["args"][0]) for e in client.get_received(namespace)]
        self.events.extend(events)
        return events

    def named(self, name):
        """The payloads of the events of that name, in order."""
        return [payload for event, payload in self.events if event == name]

    def ack(self, answer):
        """Keep an ack and hand it back (it must be ok)."""
        self.acks.append(answer)
        assert answer["status"] == "ok", answer
        return answer

    def text(self):
        return json.dumps(self.payloads)

    def strings(self):
        """Every string value anywhere in the payloads (ids among them)."""
        found, pending = set(), list(self.payloads)
        while pending:
            item = pending.pop()
            if isinstance(item, str):
                found.add(item)
            elif isinstance(item, dict):
                pending.extend(item.values())
            elif isinstance(item, list | tuple):
                pending.extend(item)
        return found


def _info(client, conversation_id, namespace):
    return ask_info(client, conversation_id, namespace=namespace)


def _entry(payload, role):
    """The id of the first participant of this role in a conversationInfo payload."""
    return next(p["id"] for p in payload["participant"] if p["role"] == role)


def _full_conversation(app):
    """A conversation through join, messages both ways (plain, targeted, whispered),
    typing both ways, a transfer from Alice to Bob and the customer's end; returns
    (conversation id, secret, what the agents' sockets saw, what the customer's saw)."""
    _, alice = online_agent(app, "Alice")
    bob_id, bob = online_agent(app, "Bob", status="away")  # routing picks Alice
    agents, own = Seen(), Seen()
    cid, pid = init(app, firstName="Carla", refId="crm-7")
    tab, joined = join(app, cid, pid)
    own.ack(joined)
    agents.drain(alice, AGENT_NS)
    [assigned] = agents.named("conversationAssigned")
    public, alice_pid = _entry(assigned, "customer"), _entry(assigned, "agent")

    typing = {"type": "ActivityMessage", "conversationId": cid, "activityType": "typing"}
    own.ack(tab.emit("sendMessage", typing, callback=True))
    own.ack(send(tab, cid, "hello, my order"))
    own.ack(send(tab, cid, "to you only", to=[{"id": alice_pid}]))
    own.ack(send(tab, cid, "noted for myself", to=[{"id": pid}]))  # itself, by its secret
    agents.ack(
        alice.emit(
            "sendMessage", dict(typing, to=[{"id": public}]), namespace=AGENT_NS, callback=True
        )
    )
    agents.ack(send(alice, cid, "let me look", namespace=AGENT_NS))
    agents.ack(send(alice, cid, "just for you", namespace=AGENT_NS, to=[{"id": public}]))
    agents.ack(send(alice, cid, "between us", namespace=AGENT_NS, tag="whisper"))
    agents.ack(_info(alice, cid, AGENT_NS))
    transfer = {"conversationId": cid, "agentId": bob_id}
    agents.ack(alice.emit("transferConversation", transfer, namespace=AGENT_NS, callback=True))
    agents.ack(send(bob, cid, "Bob here", namespace=AGENT_NS))
    agents.ack(_info(bob, cid, AGENT_NS))
    own.ack(_info(tab, cid, "/"))
    own.ack(end(tab, cid))
    for client in (alice, bob):
        agents.drain(client, AGENT_NS)
    own.drain(tab, "/")
    return cid, pid, public, agents, own


def test_no_agent_payload_nor_webhook_nor_call_carries_the_customers_secret(app):
    with app.app_context():
        do_add_webhook("http://127.0.0.1:9/hook", ["call.summary"])
    cid, pid, public, agents, own = _full_conversation(app)
    seen = agents.text()
    assert pid not in seen
    assert len(agents.payloads) > 20 and public != pid
    assert public in seen and "hello, my order" in seen and "Bob here" in seen
    with app.app_context():
        summaries = db.session.scalars(select(OutboxEvent.body).filter_by(event="call.summary"))
        [call] = db.session.scalars(select(Call)).all()
        stored_call = json.dumps([call.contacts, call.call_metadata, call.session_id], default=str)
        assert [pid in body for body in summaries] == [False]
    assert "hello, my order" in stored_call and pid not in stored_call


def test_the_customers_own_sockets_see_it_by_its_secret(app):
    cid, pid, public, _, own = _full_conversation(app)
    joined = own.acks[0]
    assert joined["participant"]["id"] == pid
    wires = own.named("messageArrived")
    by_text = {w.get("text"): w for w in wires if w["type"] == "ChatMessage"}
    assert by_text["hello, my order"]["from"]["id"] == pid
    assert by_text["noted for myself"]["to"] == [{"id": pid, "name": "Carla", "role": "customer"}]
    assert by_text["just for you"]["to"][0]["id"] == pid
    assert by_text["let me look"]["from"]["role"] == "agent"
    assert "between us" not in by_text and "to you only" in by_text  # its own, targeted
    greeting = next(w for w in wires if w.get("activityType") == "greetings")
    assert greeting["info"]["participant"]["id"] == greeting["to"][0]["id"] == pid
    typing = [w for w in wires if w.get("activityType") == "typing"]
    assert [t["from"]["role"] for t in typing] == ["customer", "agent"]
    assert typing[0]["from"]["id"] == typing[1]["to"][0]["id"] == pid
    ending = next(w for w in wires if w.get("activityType") == "endOfConversation")
    assert ending["from"]["id"] == pid
    # Its history too: conversationInfo names it by its secret, never by the public id.
    for history in own.named("conversationInfo") + [a for a in own.acks if "messages" in a]:
        assert _entry(history, "customer") == pid
        entries = [e for m in history["messages"] for e in (m["from"], *m["to"])]
        assert {e["id"] for e in entries if e["role"] == "customer"} == {pid}
    assert public not in own.text()


def test_nothing_an_agent_saw_lets_anyone_join_or_read_the_transcript(app):
    cid, pid, public, agents, _ = _full_conversation(app)
    candidates = sorted(s for s in agents.strings() if s and len(s) <= 255)
    assert public in candidates and len(candidates) > 20
    intruder = customer(app)
    http = app.test_client()
    url = "/api/customer/transcript/%s/pdf" % cid
    for value in candidates:
        ack = intruder.emit("joinConversation", {"conversationId": cid, "id": value}, callback=True)
        assert ack["status"] == "error", value
        assert http.get(url, query_string={"participantId": value}).status_code == 404, value
    assert received(intruder) == []
    # The secret itself still works for its holder.
    assert join(app, cid, pid)[1]["status"] == "ok"
    assert http.get(url, query_string={"participantId": pid}).status_code == 200


def test_an_agent_cannot_address_the_customer_by_its_secret(sqlite_app):
    app = sqlite_app
    _, agent = online_agent(app, "Alice")
    cid, pid = init(app)
    tab, _ = join(app, cid, pid)
    received(tab)
    by_secret = send(agent, cid, "?", namespace=AGENT_NS, to=[{"id": pid}])
    assert by_secret["status"] == "error" and by_secret["errors"] == {"to": [pid]}
    by_public = send(agent, cid, "ok", namespace=AGENT_NS, to=[{"id": public_id(app, cid)}])
    assert by_public["status"] == "ok"
    assert [m["text"] for m in received(tab, "/", "messageArrived")] == ["ok"]


def test_a_connector_and_its_agent_see_the_customer_by_its_public_id(app):
    sms = _connector(app, "connector")
    sms.emit("registerConnector", {"id": "sms", "name": "SMS", "channel": "sms"}, callback=True)
    _, agent = online_agent(app, "Alice")
    seen = Seen()
    inbound = {"type": "ChatMessage", "refId": "+15550100", "text": "is my parcel here?"}
    cid = seen.ack(sms.emit("sendMessage", inbound, callback=True))["conversationId"]
    public = public_id(app, cid)
    seen.ack(send(agent, cid, "on its way", namespace=AGENT_NS))
    seen.ack(send(agent, cid, "tracking 42", namespace=AGENT_NS, to=[{"id": public}]))
    seen.ack(_info(agent, cid, AGENT_NS))
    connector = Seen()
    connector.drain(sms, "/")
    seen.drain(agent, AGENT_NS)
    with app.app_context():
        from chatwidget.models import Conversation, Participant

        secret = db.session.scalar(
            select(Participant.participant_id)
            .join(Conversation, Conversation.id == Participant.conversation_pk)
            .where(Conversation.conversation_id == cid, Participant.role == "customer")
        )
    replies = connector.named("messageArrived")
    assert [(m["text"], m["refId"]) for m in replies] == [
        ("on its way", "+15550100"),
        ("tracking 42", "+15550100"),
    ]
    assert replies[1]["to"][0]["id"] == public
    assert secret not in connector.text() + seen.text()
    assert public in connector.text() and public in seen.text()
