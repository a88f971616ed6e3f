"""The virtual agent's calls (CONTRACT §7): a real HTTP bot, the real outbox, real sockets.

The outbox worker's deliver_due() is run by the test (tests.webhooks.test_delivery's
deliver_until), so each call happens when the test polls for its effect.
"""

import json

import pytest
from sqlalchemy import func, select

from chatwidget.core import chats, client_messages, escalations, senders, sending
from chatwidget.extensions import db
from chatwidget.models import Conversation, DeliveryAttempt, Escalation, OutboxEvent, Participant
from chatwidget.outbox.worker import deliver_due
from tests.chats.bot import Bot, says
from tests.chats.helpers import BASE, create_chat, integrator
from tests.sockets.helpers import ask_info, messages_of, online_agent, send, start
from tests.webhooks.signed import verifies
from tests.webhooks.test_delivery import deliver_until

MESSAGE_FIELDS = {"id", "type", "content", "from_user_id", "created_at"}


@pytest.fixture
def app_overrides():
    """Retries within milliseconds and a short time-out: a test walks every try."""
    return {
        "VIRTUAL_AGENT_TIMEOUT_S": 0.3,
        "VIRTUAL_AGENT_MAX_ATTEMPTS": 3,
        "VIRTUAL_AGENT_BACKOFF_BASE_S": 0.01,
        "VIRTUAL_AGENT_BACKOFF_MAX_S": 0.02,
    }


@pytest.fixture
def bot():
    server = Bot(lambda number, body: says("Hello from the bot")).start()
    yield server
    server.stop()


def bot_queue(app, bot, name="support"):
    """create-queue NAME --virtual-agent-url (the bot's); returns its printed JSON."""
    result = app.test_cli_runner().invoke(
        args=["create-queue", name, "--virtual-agent-url", bot.url]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def row_of(app, conversation_id):
    """The conversation's row (id, end_user_id, state)."""
    with app.app_context():
        row = db.session.scalars(select(Conversation).filter_by(conversation_id=conversation_id))
        conversation = row.one()
        return conversation.id, conversation.end_user_id, conversation.state


def calls(app):
    """The bot calls in the outbox: [(status, attempts)] in order."""
    with app.app_context():
        rows = db.session.execute(
            select(OutboxEvent.status, OutboxEvent.attempts)
            .where(OutboxEvent.queue_id.is_not(None))
            .order_by(OutboxEvent.id)
        )
        return [tuple(row) for row in rows]


def escalation_reasons(app, chat_id):
    with app.app_context():
        reasons = select(Escalation.reason).filter_by(conversation_pk=chat_id)
        return list(db.session.scalars(reasons))


class Seen:
    """Everything a socket received, kept across drains."""

    def __init__(self, client, namespace="/"):
        self.client, self.namespace, self.messages = client, namespace, []

    def __call__(self):
        self.messages.extend(messages_of(self.client, self.namespace))
        return self.messages

    def from_bot(self):
        return [m["text"] for m in self() if m["from"]["role"] == "bot" and m.get("text")]

    def joined(self, role):
        return [
            m["info"]["participant"]
            for m in self()
            if m.get("activityType") == "participantJoined"
            and m["info"]["participant"]["role"] == role
        ]


def test_the_bot_answers_twice_then_escalates_to_an_online_agent(app, client, bot):
    queue = bot_queue(app, bot)
    agent_id, agent = online_agent(app, name="Ugo Neri", skills=("support",))
    conversation_id, _, customer = start(app, subject="support")
    chat_id, end_user_id, state = row_of(app, conversation_id)
    assert state == "va"
    script = {
        1: says("Hi, I am the support bot."),
        2: says("Have you tried turning it off and on?", "Still there?"),
        3: says("Let me find you a human.", escalate="customer_asked"),
    }
    bot.answer = lambda number, body: script[number]
    seen = Seen(customer)
    texts = ["hello", "my router is broken", "I want a human"]
    for number, text in enumerate(texts, 1):
        assert send(customer, conversation_id, text)["status"] == "ok"
        wanted = script[number][1]["messages"][-1]["content"]
        deliver_until(app, lambda w=wanted: w in seen.from_bot())

    assert seen.from_bot() == [
        "Hi, I am the support bot.",
        "Have you tried turning it off and on?",
        "Still there?",
        "Let me find you a human.",
    ]
    names = {m["from"]["name"] for m in seen() if m["from"]["role"] == "bot"}
    assert names == {"support virtual agent"}
    joined = seen.joined("agent")
    assert joined and joined[0]["name"] == "Ugo Neri"

    # What the bot received: one signed call per end-user message, in order.
    bodies = bot.bodies()
    assert [b["message"]["content"] for b in bodies] == texts
    for call, body in zip(bot.calls, bodies, strict=True):
        assert verifies(queue["secret"], call), call["headers"]
        assert body["event"] == "message" and body["chat"]["id"] == chat_id
        assert body["chat"]["status"] == "va_assigned"
        assert set(body["message"]) == MESSAGE_FIELDS
        assert body["message"]["type"] == "text"
        assert body["message"]["from_user_id"] == end_user_id
        assert isinstance(body["message"]["id"], int) and body["message"]["created_at"][-1] == "Z"

    # The history holds the bot's answers between the customer's messages.
    history = ask_info(customer, conversation_id)["messages"]
    chat_texts = [(m["from"]["role"], m["text"]) for m in history if m["type"] == "ChatMessage"]
    assert chat_texts == [
        ("customer", "hello"),
        ("bot", "Hi, I am the support bot."),
        ("customer", "my router is broken"),
        ("bot", "Have you tried turning it off and on?"),
        ("bot", "Still there?"),
        ("customer", "I want a human"),
        ("bot", "Let me find you a human."),
    ]
    chat = client.get("%s/chats/%d" % (BASE, chat_id), headers=integrator(app)).get_json()
    assert chat["status"] == "assigned" and chat["agent"]["id"] == agent_id
    assert escalation_reasons(app, chat_id) == ["customer_asked"]
    assert calls(app) == [("delivered", 1)] * 3
    agent.disconnect(namespace="/agent")


FAILURES = {
    "500": (500, {"error": "boom"}, 0),
    "timeout": (200, says("too slow")[1], 1.0),
    "malformed": (200, b"<html>not a bot answer</html>", 0),
    "wrong shape": (200, {"messages": [{"type": "carousel", "content": "x"}]}, 0),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failing_bot_is_retried_then_the_chat_escalated_va_failed(app, bot, failure):
    bot_queue(app, bot)
    online_agent(app, name="Ugo Neri", skills=("support",))
    conversation_id, _, customer = start(app, subject="support")
    chat_id, _, _ = row_of(app, conversation_id)
    bot.answer = lambda number, body: FAILURES[failure]
    seen = Seen(customer)
    assert send(customer, conversation_id, "hello?")["status"] == "ok"

    deliver_until(app, lambda: seen.joined("agent"))
    assert len(bot.calls) == 3  # VIRTUAL_AGENT_MAX_ATTEMPTS
    assert len({call["headers"]["X-Event-Id"] for call in bot.calls}) == 1
    assert escalation_reasons(app, chat_id) == ["va_failed"]
    assert seen.from_bot() == []
    assert calls(app) == [("dead", 3)]
    with app.app_context():
        errors = db.session.scalars(select(DeliveryAttempt.error).order_by(DeliveryAttempt.id))
        assert [bool(error) for error in errors] == [True] * 3


def test_a_chats_calls_reach_the_bot_in_order(app, bot):
    bot_queue(app, bot)
    conversation_id, _, customer = start(app, subject="support")
    bot.answer = lambda number, body: (
        (503, {}, 0) if number == 1 else says("got " + body["message"]["content"])
    )
    seen = Seen(customer)
    for text in ("one", "two", "three"):
        assert send(customer, conversation_id, text)["status"] == "ok"
    deliver_until(app, lambda: len(seen.from_bot()) == 3)
    # The first call failed once: the later ones waited for its retry.
    assert [b["message"]["content"] for b in bot.bodies()] == ["one", "one", "two", "three"]
    assert seen.from_bot() == ["got one", "got two", "got three"]


def test_messages_to_a_chat_with_humans_call_no_bot(app, client, bot):
    bot_queue(app, bot)
    conversation_id, _, customer = start(app, subject="support")
    chat_id, _, _ = row_of(app, conversation_id)
    assert send(customer, conversation_id, "before the escalation")["status"] == "ok"
    headers = integrator(app)
    url = "%s/chats/%d/escalations" % (BASE, chat_id)
    assert client.post(url, json={"reason": "by_end_user_ask"}, headers=headers).status_code == 200
    assert send(customer, conversation_id, "with humans now")["status"] == "ok"
    assert send(customer, conversation_id, "still with humans")["status"] == "ok"
    while deliver_due(app):
        pass
    # The call kept before the escalation is dropped unposted; the later messages made none.
    assert bot.calls == [] and calls(app) == [("cancelled", 1)]
    plain_queue_chat, _, plain = start(app, subject="general")
    assert send(plain, plain_queue_chat, "no bot here")["status"] == "ok"
    assert calls(app) == [("cancelled", 1)]


def test_an_answer_arriving_after_the_escalation_posts_nothing(app, bot):
    bot_queue(app, bot)
    conversation_id, _, customer = start(app, subject="support")

    def escalated_meanwhile(number, body):
        with app.app_context():
            escalations.do_escalate(chats.get_chat(body["chat"]["id"]), "agent_took_over")
        return says("too late", escalate="again")

    bot.answer = escalated_meanwhile
    assert send(customer, conversation_id, "hello")["status"] == "ok"
    deliver_until(app, lambda: calls(app) == [("delivered", 1)])
    history = ask_info(customer, conversation_id)["messages"]
    assert [m["text"] for m in history if m["type"] == "ChatMessage"] == ["hello"]
    chat_id, _, _ = row_of(app, conversation_id)
    assert escalation_reasons(app, chat_id) == ["agent_took_over"]


def pending_calls():
    return db.session.scalar(select(func.count(OutboxEvent.id)).where(OutboxEvent.queue_id > 0))


def test_a_rolled_back_message_leaves_no_call(app, bot):
    bot_queue(app, bot)
    conversation_id, participant_id, _ = start(app, subject="support")
    with app.app_context():
        conversation, sender = senders.customer_sender(conversation_id, participant_id)
        client_messages.post(conversation, sender, {"type": "ChatMessage", "text": "undone"})
        assert pending_calls() == 1  # written in the message's own transaction ...
        db.session.rollback()
        assert pending_calls() == 0  # ... and gone with it
    assert deliver_due(app) == 0 and bot.calls == []


def test_a_call_from_an_api_chat_names_its_end_user(app, client, bot):
    """A chat created through the chats API, its customer writing (any protocol sends
    through do_send_message): from_user_id is the chat's end user."""
    queue = bot_queue(app, bot)
    chat = create_chat(client, integrator(app), menu_id=queue["id"], email="eva@example.com")
    with app.app_context():
        customer = db.session.scalars(
            select(Participant).filter_by(conversation_pk=chat["id"], role="customer")
        ).one()
        conversation_id = db.session.get(Conversation, chat["id"]).conversation_id
        as_customer = sending.AsCustomer(conversation_id, customer.participant_id)
        sending.do_send_message(as_customer, {"type": "ChatMessage", "text": "from the API"})
    deliver_until(app, lambda: calls(app) == [("delivered", 1)])
    (body,) = bot.bodies()
    assert chat["end_user"] is not None
    assert body["message"]["from_user_id"] == chat["end_user"]["id"]
    assert body["chat"]["end_user"] == chat["end_user"]


def test_a_last_try_abandoned_by_a_dead_process_still_escalates_the_chat(app, bot):
    bot_queue(app, bot)
    online_agent(app, name="Ugo Neri", skills=("support",))
    conversation_id, _, customer = start(app, subject="support")
    chat_id, _, _ = row_of(app, conversation_id)
    seen = Seen(customer)
    with app.app_context():  # its call held through its last try by a process that died
        assert send(customer, conversation_id, "hello?")["status"] == "ok"
        row = db.session.scalars(select(OutboxEvent).filter_by(conversation_pk=chat_id)).one()
        row.attempts = app.config["VIRTUAL_AGENT_MAX_ATTEMPTS"]
        row.lease_until = row.next_attempt_at = row.created_at
        db.session.commit()
    deliver_until(app, lambda: seen.joined("agent"))
    assert bot.calls == []  # not posted once more
    assert calls(app) == [("dead", 3)]
    assert escalation_reasons(app, chat_id) == ["va_failed"]
