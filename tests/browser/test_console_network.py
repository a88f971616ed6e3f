"""The agent's network drops while the visitor writes: the console says it is reconnecting,
then shows every message once, in seq order, without a reload."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NETWORK_ERRORS
from tests.browser.console_chat import assert_shown_once_in_order, available_at, start_chat, stored
from tests.browser.hosts import Relay
from tests.browser.widget import poll

pytestmark = pytest.mark.slow  # server processes and a browser

RECONNECTING = re.compile(r"reconnecting", re.I)


@pytest.fixture
def relay(site):
    made = Relay(site.server.port)
    yield made
    made.close()


def test_agent_network_dropped_and_restored_while_the_visitor_writes(site, team, relay, people):
    people.allow(NETWORK_ERRORS)
    crew = team("Nina")
    # The console is loaded through the relay: cutting it is the agent's network going.
    console = available_at(people, relay.url, crew.emails["Nina"])
    url = site.host_page("net-" + crew.queue, subject=crew.queue)
    visitor, conversation_id = start_chat(people, console, url, "Rhea")
    visitor.send("V1 before the cut")
    console.sees("V1 before the cut")
    console.send("A1 before the cut")
    visitor.sees("A1 before the cut")
    console.page.evaluate("window.__sameDocument = 'never reloaded'")

    relay.cut()
    console.page.context.set_offline(True)
    expect(console.page.get_by_text(RECONNECTING).first).to_be_visible()
    written = ["V2 while the agent is away", "V3 still away", "V4 anyone there?"]
    for text in written:
        visitor.send(text)
    console.send("A2 typed while offline")  # the console's outbox sends it once back
    for text in written:  # stored: each shown in the widget under its seq
        visitor.sees(text)
    poll(
        lambda: {t for _, t, _ in stored(site.deployment, conversation_id)} >= set(written),
        15,
        "the visitor's messages stored",
    )
    expect(console.page.get_by_text(RECONNECTING).first).to_be_visible()  # still down
    people.screenshots("cut")

    relay.restore()
    console.page.context.set_offline(False)
    for text in ["V1 before the cut", "A1 before the cut", *written, "A2 typed while offline"]:
        console.sees(text, timeout=30_000)
    visitor.sees("A2 typed while offline")
    expect(console.page.get_by_text(RECONNECTING)).to_have_count(0)

    messages = stored(site.deployment, conversation_id)
    assert [t for _, t, _ in messages].count("A2 typed while offline") == 1, messages
    assert_shown_once_in_order(console.messages(), messages)
    assert_shown_once_in_order(visitor.messages(), messages)
    assert console.page.evaluate("window.__sameDocument") == "never reloaded"
    # And live again: a new message each way arrives without anything else.
    visitor.send("V5 after the restore")
    console.sees("V5 after the restore")
    console.send("A3 after the restore")
    visitor.sees("A3 after the restore")
