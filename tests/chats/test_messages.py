"""A chat's messages through the chats API (seed 001 "Inviare un messaggio in una chat";
CONTRACT §3 and its GET …/messages extension): the same messages the sockets carry."""

import uuid

import pytest
from sqlalchemy import func, select

from chatwidget.core import chats, conversations, handling
from chatwidget.extensions import db
from chatwidget.models import Media, Message
from tests.chats.helpers import BASE, create_chat, integrator
from tests.sockets.helpers import (
    AGENT_NS,
    create_agent,
    create_queue,
    messages_of,
    online_agent,
    send,
    start,
    wait_for,
)

MESSAGE_KEYS = {"id", "type", "content", "from_user_id", "created_at"}


def post_message(client, headers, chat_id, body):
    response = client.post("%s/chats/%d/message" % (BASE, chat_id), json=body, headers=headers)
    return response.status_code, response.get_json()


def listed(client, headers, chat_id, after_id=None):
    url = "%s/chats/%d/messages" % (BASE, chat_id)
    if after_id is not None:
        url += "?after_id=%d" % after_id
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assigned_chat(app, client, headers, queue="sales"):
    """An API chat assigned to an online agent whose id is not its end user's (agent and
    end-user ids are counted apart): (chat, agent id, agent socket)."""
    create_agent(app, "Placeholder", skills=("elsewhere",))
    queue_id = create_queue(app, queue)
    agent_id, agent = online_agent(app, "Bea Rossi", skills=(queue,))
    chat = create_chat(client, headers, menu_id=queue_id)
    assert chat["status"] == "assigned" and chat["end_user"]["id"] != agent_id
    agent.get_received(AGENT_NS)
    return chat, agent_id, agent


def widget_chat(app):
    """A widget conversation assigned to an online agent: (chat id, conversationId,
    customer socket, agent id, agent socket)."""
    agent_id, agent = online_agent(app, "Ann")
    conversation_id, _, customer = start(app)
    with app.app_context():
        chat_id = conversations.get(conversation_id).id
    agent.get_received(AGENT_NS)
    return chat_id, conversation_id, customer, agent_id, agent


def add_media(app, chat_id, content_type="image/png", kind="photo"):
    """A media row of a chat, as the photo and video routes store one; returns its id."""
    with app.app_context():
        media_id = str(uuid.uuid4())
        row = Media(
            media_id=media_id,
            key="sessions/%d/%s.bin" % (chat_id, media_id),
            session_id=str(chat_id),
            conversation_pk=chat_id,
            name="picture",
            content_type=content_type,
            size=10,
            uploaded_by="customer",
            kind=kind,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def message_count(app):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Message).where(Message.type == "ChatMessage")
        )


def test_the_seed_example_sends_as_the_end_user_and_lists_it(app, client):
    headers = integrator(app)
    chat, agent_id, agent = assigned_chat(app, client, headers)
    body = {
        "from_user_id": chat["end_user"]["id"],
        "message": {"type": "text", "content": "Buongiorno"},
    }
    assert post_message(client, headers, chat["id"], body) == (200, {})
    [arrived] = messages_of(agent, AGENT_NS)
    assert arrived["text"] == "Buongiorno" and arrived["from"]["role"] == "customer"
    [message] = listed(client, headers, chat["id"])
    assert set(message) == MESSAGE_KEYS and isinstance(message["id"], int)
    assert message["type"] == "text" and message["content"] == arrived["text"]
    assert message["from_user_id"] == chat["end_user"]["id"]
    assert message["created_at"].endswith("Z")
    agent.disconnect(namespace=AGENT_NS)


def test_an_agent_sends_and_content_may_be_an_object(app, client):
    headers = integrator(app)
    chat, agent_id, agent = assigned_chat(app, client, headers)
    body = {"from_user_id": agent_id, "message": {"content": {"text": "How can I help?"}}}
    assert post_message(client, headers, chat["id"], body) == (200, {})
    assert post_message(client, headers, chat["id"], {"message": {"content": "Hi"}})[0] == 200
    listing = listed(client, headers, chat["id"])
    assert [(m["content"], m["from_user_id"]) for m in listing] == [
        ("How can I help?", agent_id),
        ("Hi", chat["end_user"]["id"]),
    ]
    assert [m["text"] for m in messages_of(agent, AGENT_NS)] == ["How can I help?", "Hi"]
    agent.disconnect(namespace=AGENT_NS)


def test_a_widget_conversation_is_written_and_read_through_the_api(app, client):
    headers = integrator(app)
    chat_id, conversation_id, customer, agent_id, agent = widget_chat(app)
    assert send(customer, conversation_id, "typed in the widget")["status"] == "ok"
    assert (
        send(agent, conversation_id, "typed in the console", namespace=AGENT_NS)["status"] == "ok"
    )
    send(agent, conversation_id, "a note to colleagues", namespace=AGENT_NS, tag="whisper")
    customer.get_received("/")
    agent.get_received(AGENT_NS)

    assert (
        post_message(client, headers, chat_id, {"message": {"content": "from the API"}})[0] == 200
    )
    to_widget = wait_for(lambda: messages_of(customer, "/", conversation_id))
    to_console = wait_for(lambda: messages_of(agent, AGENT_NS, conversation_id))
    assert [m["text"] for m in to_widget] == [m["text"] for m in to_console] == ["from the API"]
    assert to_console[0]["from"]["role"] == "customer"

    listing = listed(client, headers, chat_id)
    assert [(m["content"], m["from_user_id"]) for m in listing] == [
        ("typed in the widget", None),  # a visitor nobody identified: no end user
        ("typed in the console", agent_id),
        ("from the API", None),
    ]
    agent.disconnect(namespace=AGENT_NS)


def test_after_id_pages_through_the_messages(app, client):
    headers = integrator(app)
    chat, _, agent = assigned_chat(app, client, headers)
    for text in ("one", "two", "three"):
        post_message(client, headers, chat["id"], {"message": {"content": text}})
    first, second, third = listed(client, headers, chat["id"])
    assert first["id"] < second["id"] < third["id"]
    assert listed(client, headers, chat["id"], after_id=first["id"]) == [second, third]
    assert listed(client, headers, chat["id"], after_id=third["id"]) == []
    agent.disconnect(namespace=AGENT_NS)


def test_a_photo_is_sent_as_an_attachment_and_listed_by_its_media_id(app, client):
    headers = integrator(app)
    chat, _, agent = assigned_chat(app, client, headers)
    media_id = add_media(app, chat["id"])
    body = {"message": {"type": "photo", "content": media_id}}
    assert post_message(client, headers, chat["id"], body) == (200, {})
    [arrived] = messages_of(agent, AGENT_NS)
    assert arrived["attachments"][0]["type"] == "image/png"
    [message] = listed(client, headers, chat["id"])
    assert (message["type"], message["content"]) == ("photo", media_id)
    agent.disconnect(namespace=AGENT_NS)


@pytest.mark.parametrize(
    "make_body, field",
    [
        (lambda ids: {"from_user_id": 999999, "message": {"content": "x"}}, "from_user_id"),
        (lambda ids: {"from_user_id": ids["idle"], "message": {"content": "x"}}, "from_user_id"),
        (lambda ids: {"message": {"content": {"txt": "x"}}}, "content"),
        (lambda ids: {"message": {"content": "x" * 5001}}, "content"),
        (lambda ids: {"message": {"content": "   "}}, "content"),
        (lambda ids: {"message": {"content": "nul \u0000"}}, "content"),
        (lambda ids: {"message": {"type": "photo", "content": ids["other"]}}, "content"),
        (lambda ids: {"message": {"type": "video", "content": ids["photo"]}}, "type"),
        (lambda ids: {"message": {"type": "sticker", "content": "x"}}, "type"),
        (lambda ids: {"message": {"type": "photo", "content": "not an id"}}, "content"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(app, client, make_body, field):
    headers = integrator(app)
    chat, _, agent = assigned_chat(app, client, headers)
    other = create_chat(client, headers)
    idle, _ = create_agent(app, "Idle", skills=("sales",))
    ids = {"idle": idle, "other": add_media(app, other["id"]), "photo": add_media(app, chat["id"])}
    before = message_count(app)
    status, body = post_message(client, headers, chat["id"], make_body(ids))
    assert status == 400, body
    errors = body["errors"]
    assert field in (errors if field == "from_user_id" else errors["message"]), errors
    assert message_count(app) == before
    assert messages_of(agent, AGENT_NS) == []
    agent.disconnect(namespace=AGENT_NS)


def test_an_ended_chat_takes_no_message_and_an_unknown_one_is_404(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers)
    with app.app_context():
        handling.do_end(chats.get_chat(chat["id"]), "api")
    status, body = post_message(client, headers, chat["id"], {"message": {"content": "late"}})
    assert (status, body["message"]) == (400, "Chat is already ended")
    assert post_message(client, headers, 999999, {"message": {"content": "x"}})[0] == 404
    assert client.get(BASE + "/chats/999999/messages", headers=headers).status_code == 404
