"""Drive the widget as a visitor does: by role and accessible name exactly as CONTRACT §6."""

import json
import re
import time

from playwright.sync_api import expect

LAUNCHER = re.compile(r"^Open chat")  # "Open chat" or "Open chat, 2 unread"
TITLE = "Chat with us"  # data-title's default names the dialog


class Visitor:
    """One person at one browser tab of the host page."""

    def __init__(self, page):
        self.page = page

    def goto(self, url):
        self.page.goto(url)
        expect(self.launcher).to_be_visible()
        return self

    @property
    def launcher(self):
        return self.page.get_by_role("button", name=LAUNCHER)

    @property
    def dialog(self):
        return self.page.get_by_role("dialog", name=TITLE)

    @property
    def log(self):
        return self.page.get_by_role("log")

    def button(self, name):
        return self.page.get_by_role("button", name=name, exact=True)

    def textbox(self, name):
        return self.page.get_by_role("textbox", name=name, exact=True)

    def open(self):
        """Click the launcher; the panel opens."""
        self.launcher.click()
        expect(self.dialog).to_be_visible()
        return self

    def start(self, name="Vera", email="vera@example.test"):
        """Fill the pre-chat form and start; the message log and composer appear."""
        self.textbox("Name").fill(name)
        self.textbox("Email").fill(email)
        self.button("Start chat").click()
        expect(self.log).to_be_visible()
        expect(self.textbox("Message")).to_be_editable()
        return self

    def send(self, text):
        """Type text in the composer and press Send."""
        self.textbox("Message").fill(text)
        self.button("Send").click()

    def sees(self, text, timeout=15_000):
        """Wait until the log shows a message with text."""
        expect(self.log.get_by_text(text, exact=False).first).to_be_visible(timeout=timeout)

    def messages(self):
        """The log's direct children: [(data-seq as int or None, text)] in document order."""
        items = self.log.evaluate(
            "log => [...log.children].map(c => [c.getAttribute('data-seq'), c.textContent])"
        )
        return [(int(seq) if seq and seq.isdigit() else None, text) for seq, text in items]

    def conversation(self):
        """The pair the widget keeps in the page origin's localStorage (the shared plan)."""
        stored = self.page.evaluate("localStorage.getItem('chatwidget:conversation')")
        assert stored, "no chatwidget:conversation in localStorage"
        return json.loads(stored)

    def shadow_html(self):
        """Everything inside <chat-widget>'s open shadow root, as markup."""
        return self.page.evaluate("document.querySelector('chat-widget').shadowRoot.innerHTML")


def assert_each_once_in_order(visitor, texts):
    """Each text in exactly one log child; the children's data-seq strictly increasing."""
    shown = visitor.messages()
    for text in texts:
        holders = [seq for seq, shown_text in shown if text in shown_text]
        assert len(holders) == 1, "%r shown %d times in %r" % (text, len(holders), shown)
    seqs = [seq for seq, _ in shown if seq is not None]
    assert seqs == sorted(set(seqs)), "log children out of seq order or repeated: %r" % shown
    return shown


def start_chat(visitor, agent):
    """Open the widget, fill the pre-chat form; the agent is assigned. → conversationId."""
    visitor.open().start()
    conversation_id = visitor.conversation()["conversationId"]
    agent.wait_assigned(conversation_id)
    return conversation_id


def agent_sees(agent, conversation_id, text, timeout=15):
    """Wait until the agent's socket received the customer's message text."""
    return agent.recorder.wait_message(
        lambda m: m.get("conversationId") == conversation_id and m.get("text") == text,
        "the agent to receive %r" % text,
        timeout,
    )


def stored_texts(agent, conversation_id):
    """The conversation's chat messages as the server has them: [(seq, text, tag)]."""
    messages = agent.info(conversation_id)["messages"]
    return [
        (m["seq"], m.get("text"), m.get("tag") or "")
        for m in messages
        if m.get("type") == "ChatMessage"
    ]


def poll(condition, seconds, what, interval=0.05):
    """Check condition() until it holds, under a deadline (for state with no event to await).

    Every check is a DOM read or one request: a short interval costs little, where each
    wait used to overshoot by half a 0.25 s interval on average.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up after %ss waiting for %s" % (seconds, what)
        time.sleep(interval)


def exchange(visitor, agent, conversation_id, from_visitor, from_agent):
    """The visitor writes, the agent receives it; the agent answers, the widget shows it."""
    visitor.send(from_visitor)
    agent_sees(agent, conversation_id, from_visitor)
    agent.send(conversation_id, from_agent)
    visitor.sees(from_agent)
