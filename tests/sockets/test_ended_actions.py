"""An agent acting on a conversation that has ended is told so (issue 15, point 6), for
each /agent event that acts on one, both by the agent who held it and by another one;
nothing changes."""

import pytest

from tests.sockets import helpers as h
from tests.sockets.helpers import AGENT_NS, messages_of, state_of

ENDED = "the conversation has ended"


def _queue_id(app, name="general"):
    from chatwidget.core.queues import find_queue

    with app.app_context():
        return find_queue(name).id


ACTIONS = {
    "sendMessage": lambda ids: ("sendMessage", {"type": "ChatMessage", "text": "still there?"}),
    "endConversation": lambda ids: ("endConversation", {}),
    "acceptConversation": lambda ids: ("acceptConversation", {}),
    "transferConversation to a queue": lambda ids: (
        "transferConversation",
        {"queueId": ids["queue"]},
    ),
    "transferConversation to an agent": lambda ids: (
        "transferConversation",
        {"agentId": ids["other"]},
    ),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("by_handler", [True, False], ids=["its agent", "another agent"])
def test_acting_on_an_ended_conversation_says_it_has_ended(sqlite_app, action, by_handler):
    app = sqlite_app
    handler_id, handler = h.online_agent(app, "Alice")
    cid, _, customer = h.start(app)
    assert state_of(app, cid)[:2] == ("assigned", handler_id)
    other_id, other = h.online_agent(app, "Bob")
    assert h.end(customer, cid)["status"] == "ok"
    assert state_of(app, cid)[0] == "ended"
    h.received(handler, AGENT_NS), h.received(other, AGENT_NS), messages_of(customer)

    ids = {"queue": _queue_id(app), "other": other_id if by_handler else handler_id}
    event, payload = ACTIONS[action](ids)
    client = handler if by_handler else other
    ack = client.emit(event, {"conversationId": cid, **payload}, namespace=AGENT_NS, callback=True)
    assert ack == {"status": "error", "message": ENDED}, ack
    assert state_of(app, cid)[:2] == ("ended", handler_id)
    assert messages_of(customer) == []
    assert messages_of(handler, AGENT_NS) == messages_of(other, AGENT_NS) == []


def test_a_live_conversation_still_says_it_is_not_yours(sqlite_app):
    app = sqlite_app
    h.online_agent(app, "Alice")
    cid, _, _ = h.start(app)
    _, other = h.online_agent(app, "Bob")
    ack = h.send(other, cid, "hello", namespace=AGENT_NS)
    assert ack["status"] == "error" and ack["message"] != ENDED
