"""What the console tests share: a Team of agents with a queue of its own, a chat started
from the widget and opened in the console, and the checks against the database.

Each Team gets a queue of its own: the session's script agent (conftest `agent`) serves
another queue, so only the console's agents are routed the team's conversations.
"""

import uuid

from tests.browser.console import PASSWORD, wait_status
from tests.system.servers import Deployment


class Team:
    """A queue of its own and agents serving only it (created with the admin CLI)."""

    def __init__(self, deployment, *names, max_chats=5):
        tag = uuid.uuid4().hex[:8]
        self.queue = "console-%s" % tag
        self.emails = {name: "%s-%s@example.test" % (name.lower(), tag) for name in names}
        made = deployment.commands(
            *(
                Deployment.create_agent(email, name, PASSWORD, self.queue)
                + ("--max-chats", str(max_chats))
                for name, email in self.emails.items()
            )
        )
        self.ids = {name: printed["id"] for name, printed in zip(names, made, strict=True)}


def available_at(people, url, email, name="agent"):
    """A console agent signed in at url and Available (the server says so)."""
    agent = people.agent(name).sign_in(url, email)
    agent.set_status("Available")
    wait_status(agent.page, url, "Available")
    return agent


def start_chat(people, agent, host_url, customer, email=None):
    """A visitor opens the widget at host_url and starts a chat as customer; the agent,
    Available, gets it in My conversations and opens it. → (visitor, conversationId)."""
    visitor = people.visitor("visitor-" + customer.split()[0].lower()).goto(host_url)
    visitor.open().start(name=customer, email=email or "%s@example.test" % uuid.uuid4().hex[:8])
    agent.open_conversation(customer)
    return visitor, visitor.conversation()["conversationId"]


def stored(deployment, conversation_id):
    """The conversation's chat messages as the database has them: [(seq, text, tag)]."""
    return [
        tuple(row)
        for row in deployment.rows(
            "SELECT m.seq, m.text, m.tag FROM message m JOIN conversation c"
            " ON c.id = m.conversation_pk WHERE c.conversation_id = :c"
            " AND m.type = 'ChatMessage' ORDER BY m.seq",
            c=conversation_id,
        )
    ]


def assert_shown_once_in_order(shown, stored_messages):
    """Each stored message in exactly one child under its seq; children in seq order."""
    seqs = [seq for seq, *_ in shown if seq is not None]
    assert seqs == sorted(set(seqs)), "children out of seq order or repeated: %r" % shown
    for seq, text, _ in stored_messages:
        holders = [s for s, shown_text, *_ in shown if text in shown_text]
        assert holders == [seq], "%r (seq %d) shown as %r in %r" % (text, seq, holders, shown)
