"""chat.created and chat.ended fired by the chats themselves, for every conversation."""

import json

from chatwidget.core import chats, handling
from chatwidget.extensions import db
from chatwidget.models import OutboxEvent
from tests.chats.helpers import BASE, create_chat, integrator
from tests.sockets.helpers import init
from tests.webhooks.signed import verifies
from tests.webhooks.test_delivery import add_hook, deliver_until

EVENTS = ("--event", "chat.created", "--event", "chat.ended")


def bodies(receiver):
    return [json.loads(r["body"]) for r in receiver.snapshot()]


def test_a_chat_opened_and_finished_fires_created_then_ended(hook_app, receiver):
    secret = add_hook(hook_app, receiver.url, *EVENTS)["secret"]
    client = hook_app.test_client()
    headers = integrator(hook_app)
    chat = create_chat(client, headers, lang="en")
    with hook_app.app_context():
        handling.do_end(chats.get_chat(chat["id"]), "api")
    ended = client.get("%s/chats/%d" % (BASE, chat["id"]), headers=headers).get_json()
    deliver_until(hook_app, lambda: len(receiver.acked()) == 2)
    created_body, ended_body = bodies(receiver)
    assert created_body["event"] == "chat.created"
    # as it was when it opened: queued, nobody on it yet
    for key in ("id", "status", "lang", "menus", "end_user", "agent", "created_at"):
        assert created_body["chat"][key] == chat[key], key
    assert ended_body == {"event": "chat.ended", "chat": ended}
    assert ended["status"] == "finished" and ended["ends_at"]
    assert all(verifies(secret, r) for r in receiver.snapshot())


def test_a_widget_conversation_is_a_chat_too(hook_app, receiver):
    add_hook(hook_app, receiver.url, "--event", "chat.created")
    init(hook_app, channel="web", email="w@example.com")
    deliver_until(hook_app, lambda: len(receiver.acked()) == 1)
    (body,) = bodies(receiver)
    assert body["event"] == "chat.created" and isinstance(body["chat"]["id"], int)


def test_without_a_subscriber_nothing_is_written(hook_app):
    add_hook(hook_app, "http://127.0.0.1:9/hook")  # call.summary only
    create_chat(hook_app.test_client(), integrator(hook_app))
    with hook_app.app_context():
        assert db.session.query(OutboxEvent).count() == 0


def test_a_chat_message_fires_chat_message_as_messages_lists_it(hook_app, receiver):
    add_hook(hook_app, receiver.url, "--event", "chat.message")
    client = hook_app.test_client()
    headers = integrator(hook_app)
    chat = create_chat(client, headers)
    said = {"message": {"type": "text", "content": {"text": "Ciao, serve aiuto"}}}
    assert client.post("%s/chats/%d/message" % (BASE, chat["id"]), json=said, headers=headers)
    deliver_until(hook_app, lambda: len(receiver.acked()) == 1)
    (body,) = bodies(receiver)
    listed = client.get("%s/chats/%d/messages" % (BASE, chat["id"]), headers=headers).get_json()
    assert body["event"] == "chat.message" and body["chat"]["id"] == chat["id"]
    assert body["message"] == listed[0]
    assert body["message"]["content"] == "Ciao, serve aiuto"
    assert body["message"]["from_user_id"] == chat["end_user"]["id"]
