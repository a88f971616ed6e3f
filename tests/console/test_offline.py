"""Offline messages in the console: listed per queue, answered by e-mail through a real
local SMTP server (aiosmtpd), marked done; a failed e-mail stores nothing."""

import email
import email.policy

import pytest
from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Conversation, Message
from tests.console.helpers import messages_count, signed_in_agent
from tests.sockets.helpers import create_queue
from tests.transcripts.conftest import free_port

TEXT = "My parcel never arrived.\nOrder 4711."


@pytest.fixture
def inbox(smtp):
    return smtp[1]


@pytest.fixture
def app_overrides(smtp):
    controller, _ = smtp
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port}


def leave(client, text=TEXT, subject=None, email_address="Olga@Example.com"):
    body = {"name": "Olga", "email": email_address, "text": text, "subject": subject}
    response = client.post("/api/customer/offline", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["conversationId"]


def listed(client, status=None):
    query = {"status": status} if status else {}
    response = client.get("/api/console/offline", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["offline"]


def reply(client, headers, conversation_id, text="It is on its way."):
    url = "/api/console/offline/%s/reply" % conversation_id
    return client.post(url, json={"text": text}, headers=headers)


def done(client, headers, conversation_id):
    return client.post("/api/console/offline/%s/done" % conversation_id, headers=headers)


def _stored(app, conversation_id):
    """(done at, [(role, text)] of its ChatMessages) of a conversation."""
    with app.app_context():
        conversation = db.session.scalar(
            select(Conversation).filter_by(conversation_id=conversation_id)
        )
        rows = db.session.scalars(
            select(Message).filter_by(conversation_pk=conversation.id).order_by(Message.seq)
        )
        return conversation.offline_done_at, [(m.sender["role"], m.text) for m in rows]


def test_listed_for_the_agents_queues_oldest_first(app, client):
    create_queue(app, "billing")
    first = leave(client, "first")
    second = leave(client, "second")
    leave(client, "billing's", subject="billing")
    signed_in_agent(app, client)
    items = listed(client)
    assert [i["conversationId"] for i in items] == [first, second]
    item = items[0]
    assert item == {
        "conversationId": first,
        "name": "Olga",
        "email": "olga@example.com",
        "text": "first",
        "queue": "general",
        "createdAt": item["createdAt"],
        "doneAt": None,
        "replies": [],
    }
    assert item["createdAt"].endswith("Z")
    assert listed(client, "done") == []


def test_an_admin_sees_every_queue(app, client):
    create_queue(app, "billing")
    leave(client, "general's")
    leave(client, "billing's", subject="billing")
    signed_in_agent(app, client, skills=("sales",), admin=True)
    assert [i["text"] for i in listed(client)] == ["general's", "billing's"]


def test_the_reply_is_mailed_stored_and_marks_it_done(app, client, inbox):
    conversation_id = leave(client)
    _, _, headers = signed_in_agent(app, client)
    response = reply(client, headers, conversation_id, "It is on its way.\nSorry!")
    assert response.status_code == 200, response.get_json()
    item = response.get_json()
    assert item["doneAt"] and item["doneAt"].endswith("Z")
    assert item["replies"] == [
        {"text": "It is on its way.\nSorry!", "at": item["replies"][0]["at"], "agent": "Alice"}
    ]
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["olga@example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == "olga@example.com"
    assert message["Subject"] == "Re: your message"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "It is on its way.\nSorry!" in body and "> Order 4711." in body
    done_at, stored = _stored(app, conversation_id)
    assert done_at is not None
    assert stored == [("customer", TEXT), ("agent", "It is on its way.\nSorry!")]
    assert listed(client) == []
    assert listed(client, "done") == [item]


def test_a_second_reply_keeps_the_first_done_time(app, client, inbox):
    conversation_id = leave(client)
    _, _, headers = signed_in_agent(app, client)
    first = reply(client, headers, conversation_id, "one").get_json()
    second = reply(client, headers, conversation_id, "two").get_json()
    assert second["doneAt"] == first["doneAt"]
    assert [r["text"] for r in second["replies"]] == ["one", "two"]
    assert len(inbox.envelopes) == 2


def test_a_failed_email_stores_nothing(app, client, inbox):
    conversation_id = leave(client)
    _, _, headers = signed_in_agent(app, client)
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    before = messages_count(app)
    response = reply(client, headers, conversation_id)
    assert response.status_code == 503
    assert response.get_json()["message"]
    assert messages_count(app) == before
    assert _stored(app, conversation_id)[0] is None
    assert [i["conversationId"] for i in listed(client)] == [conversation_id]


def test_done_is_idempotent_and_sends_nothing(app, client, inbox):
    conversation_id = leave(client)
    _, _, headers = signed_in_agent(app, client)
    first = done(client, headers, conversation_id)
    assert first.status_code == 200
    assert first.get_json()["doneAt"]
    again = done(client, headers, conversation_id)
    assert again.get_json() == first.get_json()
    assert inbox.envelopes == []
    assert listed(client) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "  \n"}, "text"),
        ({"text": 7}, "text"),
        ({"text": None}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "a\u0000"}, "text"),
    ],
)
def test_a_bad_reply_is_400_and_sends_and_stores_nothing(app, client, inbox, body, field):
    conversation_id = leave(client)
    _, _, headers = signed_in_agent(app, client)
    before = messages_count(app)
    url = "/api/console/offline/%s/reply" % conversation_id
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["errors"]
    assert inbox.envelopes == [] and messages_count(app) == before
    assert _stored(app, conversation_id)[0] is None


def test_what_is_not_an_offline_message_of_my_queues_is_refused(app, client, inbox):
    create_queue(app, "billing")
    theirs = leave(client, subject="billing")
    _, _, headers = signed_in_agent(app, client)
    live = client.post("/api/customer/init", json={"channel": "web", "email": "x@example.com"})
    live_id = live.get_json()["conversationId"]
    before = messages_count(app)
    for action in (reply, done):
        assert action(client, headers, theirs).status_code == 403
        assert action(client, headers, "no-such-id").status_code == 404
        assert action(client, headers, live_id).status_code == 404
    assert inbox.envelopes == [] and messages_count(app) == before
    assert _stored(app, theirs)[0] is None


def test_a_bad_status_is_400(app, client):
    signed_in_agent(app, client)
    response = client.get("/api/console/offline", query_string={"status": "all"})
    assert response.status_code == 400
    assert "status" in response.get_json()["errors"]


def test_done_ones_are_listed_oldest_first_too(app, client):
    first, second = leave(client, "first"), leave(client, "second")
    _, _, headers = signed_in_agent(app, client)
    for conversation_id in (second, first):
        assert done(client, headers, conversation_id).status_code == 200
    assert [i["text"] for i in listed(client, "done")] == ["first", "second"]
