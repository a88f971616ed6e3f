"""The virtual agent end to end in a served process (`python app.py`): the customer's
messages go through the group commit, the outbox worker greenlet calls the bot, and its
answers and the escalation reach real Socket.IO clients."""

import pytest

from tests.chats.bot import Bot, says
from tests.system.clients import Agent, Customer
from tests.webhooks.conftest import deployment  # noqa: F401 (the fixture)
from tests.webhooks.signed import verifies

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def from_bot(text):
    return lambda m: m["from"]["role"] == "bot" and m.get("text") == text


def test_a_served_bot_answers_then_hands_the_chat_to_an_agent(deployment):  # noqa: F811
    script = {1: says("Hi from the bot."), 2: says("A human is coming.", escalate="asked")}
    bot = Bot(lambda number, body: script[number]).start()
    try:
        deployment.env.update(VIRTUAL_AGENT_BACKOFF_BASE_S="0.05", VIRTUAL_AGENT_TIMEOUT_S="2")
        queue = deployment.command("create-queue", "support", "--virtual-agent-url", bot.url)
        deployment.flask(
            "create-agent", "--email", "ann@example.test", "--name", "Ann",
            "--password", PASSWORD, "--skill", "support",
        )  # fmt: skip
        [server] = deployment.start("served")
        ann = Agent("ann@example.test", PASSWORD).connect(server.url)
        ann.available()
        customer = Customer(server.url, subject="support").connect(server.url)
        customer.join()
        customer.send("hello")
        customer.recorder.wait_message(from_bot("Hi from the bot."), "the bot's first answer")
        customer.send("a human, please")
        customer.recorder.wait_message(from_bot("A human is coming."), "the bot's second answer")
        joined = customer.recorder.wait_message(
            lambda m: (
                m.get("activityType") == "participantJoined"
                and m["info"]["participant"]["role"] == "agent"
            ),
            "the agent joining",
        )
        assert joined["info"]["participant"]["name"] == "Ann"
        ann.wait_assigned(customer.conversation_id)
        assert [b["message"]["content"] for b in bot.bodies()] == ["hello", "a human, please"]
        assert all(verifies(queue["secret"], call) for call in bot.calls)
        customer.disconnect()
        ann.disconnect()
    finally:
        bot.stop()
