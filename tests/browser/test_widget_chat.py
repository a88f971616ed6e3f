"""The widget on a page of another origin: a visitor and an agent chatting, safely."""

import pytest
from playwright.sync_api import expect

from tests.browser.widget import TITLE, agent_sees, exchange, start_chat, stored_texts

pytestmark = pytest.mark.slow  # server processes and a browser


def test_the_tag_alone_on_another_origin_draws_an_accessible_launcher(site, people):
    url = site.host_page("plain")
    visitor = people.visitor().goto(url)
    page = visitor.page
    assert page.evaluate("location.origin") != site.url  # the widget's server is elsewhere
    assert page.evaluate("document.body.lastElementChild.localName") == "chat-widget"
    assert page.evaluate("document.querySelector('chat-widget').shadowRoot.mode") == "open"
    api = page.evaluate("['open','close','identify','on'].map(k => typeof ChatWidget[k])")
    assert api == ["function"] * 4
    # Nobody reached for the launcher: the page paid for the loader alone.
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in loaded if u.startswith(site.url)] == [site.url + "/widget.js"], loaded
    # Keyboard: focus moves into the panel on open, Escape closes and focus returns.
    visitor.launcher.focus()
    page.keyboard.press("Enter")
    expect(visitor.dialog).to_be_visible()
    assert page.evaluate("document.activeElement.localName") == "chat-widget"
    page.keyboard.press("Escape")
    expect(visitor.dialog).to_be_hidden()
    expect(visitor.launcher).to_be_focused()
    visitor.open()
    visitor.button("Close chat").click()
    expect(visitor.dialog).to_be_hidden()


def test_visitor_and_agent_exchange_messages_both_ways(site, agent, people):
    visitor = people.visitor().goto(site.host_page("plain"))
    conversation_id = start_chat(visitor, agent)
    exchange(visitor, agent, conversation_id, "Hello, is my parcel lost?", "Let me look it up.")
    visitor.send("Thanks, it is order 1234.")
    visitor.sees("Thanks, it is order 1234.")
    agent_sees(agent, conversation_id, "Thanks, it is order 1234.")
    stored = {text: seq for seq, text, _ in stored_texts(agent, conversation_id)}
    shown = dict((text, seq) for seq, text in visitor.messages())
    for text, seq in stored.items():
        assert [s for t, s in shown.items() if text in t] == [seq], (text, shown)
    expect(visitor.dialog).to_have_accessible_name(TITLE)


def test_a_whisper_never_reaches_the_widget(site, agent, people):
    visitor = people.visitor().goto(site.host_page("plain"))
    conversation_id = start_chat(visitor, agent)
    secret = "Whisper: this customer was rude last time"
    agent.call(
        "sendMessage",
        {"type": "ChatMessage", "conversationId": conversation_id, "text": secret,
         "tag": "whisper"},
    )  # fmt: skip
    agent.send(conversation_id, "How can I help?")  # sent after the whisper, shown after it
    visitor.sees("How can I help?")
    assert "rude" not in visitor.shadow_html()
    assert "rude" not in visitor.page.content()
    [whisper_seq] = [s for s, _, tag in stored_texts(agent, conversation_id) if tag == "whisper"]
    assert whisper_seq not in [seq for seq, _ in visitor.messages()]


def test_markup_in_a_message_is_shown_as_text(site, agent, people):
    visitor = people.visitor().goto(site.host_page("plain"))
    conversation_id = start_chat(visitor, agent)
    attack = '<img src=x onerror="window.__pwned=(window.__pwned||0)+1">'
    agent.send(conversation_id, "agent says " + attack)
    visitor.send("visitor says " + attack)
    visitor.sees("agent says " + attack)
    visitor.sees("visitor says " + attack)
    page = visitor.page
    assert (
        page.evaluate(
            "document.querySelector('chat-widget').shadowRoot.querySelectorAll('img[src=x]').length"
        )
        == 0
    )
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("window.__pwned") is None


def test_a_reload_keeps_the_conversation(site, agent, people):
    url = site.host_page("plain")
    visitor = people.visitor().goto(url)
    conversation_id = start_chat(visitor, agent)
    exchange(visitor, agent, conversation_id, "Before the reload", "Agent before the reload")
    before = visitor.messages()
    visitor.page.reload()
    expect(visitor.launcher.or_(visitor.dialog).first).to_be_visible()
    if not visitor.dialog.is_visible():
        visitor.open()
    visitor.sees("Agent before the reload")
    assert visitor.conversation()["conversationId"] == conversation_id
    assert [m for m in visitor.messages() if m[0] is not None] == [
        m for m in before if m[0] is not None
    ]
    exchange(visitor, agent, conversation_id, "After the reload", "Agent after the reload")
