"""Nothing lost, ever: a dropped connection and a killed server, while both sides write."""

import re
from unittest import mock

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NETWORK_ERRORS, ChatSite
from tests.browser.hosts import Relay
from tests.browser.widget import (
    agent_sees,
    assert_each_once_in_order,
    poll,
    start_chat,
    stored_texts,
)

pytestmark = pytest.mark.slow  # server processes and a browser

RECONNECTING = re.compile(r"reconnecting", re.I)
RETRYING = re.compile(r"not sent, retrying", re.I)


def settled(visitor, agent, conversation_id, visitor_texts, agent_texts, seconds=30):
    """Wait until every text is stored once and shown once with its seq; check the log.

    The log must show each of the conversation's chat messages (as the server stores
    them, whispers aside) exactly once under its seq, in seq order, with none missing.
    """

    def all_stored():
        return set(visitor_texts) <= {t for _, t, _ in stored_texts(agent, conversation_id)}

    def all_shown():
        shown = {seq for seq, _ in visitor.messages() if seq is not None}
        return {seq for seq, _, _ in stored_texts(agent, conversation_id)} <= shown

    poll(all_stored, seconds, "every visitor message stored (resent from the outbox)")
    poll(all_shown, seconds, "every stored message shown in the widget with its seq")
    stored = stored_texts(agent, conversation_id)
    for text in visitor_texts + agent_texts:
        assert [t for _, t, _ in stored].count(text) == 1, (text, stored)
    shown = assert_each_once_in_order(visitor, visitor_texts + agent_texts)
    shown_seqs = [seq for seq, _ in shown]
    for seq, text, _ in stored:
        assert shown_seqs.count(seq) == 1, (seq, text, shown)
        assert text in dict(shown)[seq], (seq, text, shown)


@pytest.fixture
def relay(site):
    made = Relay(site.server.port)
    yield made
    made.close()


def test_connection_cut_while_both_write_then_restored(site, agent, relay, people):
    people.allow(NETWORK_ERRORS)
    visitor = people.visitor().goto(site.host_page("relayed", server_url=relay.url))
    conversation_id = start_chat(visitor, agent)
    visitor.send("V1 before the cut")
    agent.send(conversation_id, "A1 before the cut")
    visitor.sees("A1 before the cut")

    relay.cut()
    visitor.page.context.set_offline(True)
    visitor.send("V2 while offline")
    agent.send(conversation_id, "A2 while the visitor is offline")
    visitor.send("V3 while offline")
    agent.send(conversation_id, "A3 while the visitor is offline")
    # What the visitor sees meanwhile: the widget says it is reconnecting, and the two
    # messages wait below the log marked as not sent yet.
    expect(visitor.dialog.get_by_text(RECONNECTING).first).to_be_visible()
    for text in ("V2 while offline", "V3 while offline"):
        waiting = visitor.dialog.get_by_role("listitem").filter(has_text=text)
        expect(waiting).to_contain_text(RETRYING)
    relay.restore()
    visitor.page.context.set_offline(False)

    settled(
        visitor,
        agent,
        conversation_id,
        ["V1 before the cut", "V2 while offline", "V3 while offline"],
        ["A1 before the cut", "A2 while the visitor is offline",
         "A3 while the visitor is offline"],
    )  # fmt: skip
    expect(visitor.dialog.get_by_text(RECONNECTING)).to_be_hidden()


def restart_on_same_port(deployment, dead):
    """A new `python app.py` on the dead one's port and database, as a supervisor does."""
    with mock.patch("tests.system.servers.free_port", return_value=dead.port):
        [server] = deployment.start(dead.name + "-restarted")
    return server


@pytest.fixture
def own_site(tmp_path):
    """A site of its own (its server gets killed); named before `people` in a test's
    arguments, so the screenshots are taken before the server goes."""
    made = ChatSite(tmp_path)
    yield made
    made.close()


def test_server_killed_and_restarted_loses_nothing(own_site, people):
    people.allow(NETWORK_ERRORS)
    site = own_site
    agent = site.agent()
    visitor = people.visitor().goto(site.host_page("plain"))
    conversation_id = start_chat(visitor, agent)
    for text in ("V1 acked", "V2 acked"):
        visitor.send(text)
        agent_sees(agent, conversation_id, text)
    agent.send(conversation_id, "A1 before the crash")
    visitor.sees("A1 before the crash")

    visitor.send("V3 in flight at the crash")
    site.server.kill()
    agent.disconnect()
    visitor.send("V4 while the server is down")
    expect(visitor.dialog.get_by_text(RECONNECTING).first).to_be_visible()
    site.server = restart_on_same_port(site.deployment, site.server)
    agent = site.agent()
    agent.send(conversation_id, "A2 after the restart")

    settled(
        visitor,
        agent,
        conversation_id,
        ["V1 acked", "V2 acked", "V3 in flight at the crash", "V4 while the server is down"],
        ["A1 before the crash", "A2 after the restart"],
    )
    expect(visitor.dialog.get_by_text(RECONNECTING)).to_be_hidden()
    agent.disconnect()
