"""Attachments in messages: sent by mediaId, delivered with freshly signed links."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Message
from tests.media.helpers import PDF, agent_upload, local, png, upload
from tests.sockets.helpers import (
    AGENT_NS,
    agent_socket,
    ask_info,
    create_agent,
    messages_of,
    send,
    start,
)


def _assigned(app):
    """An agent socket and a customer in a conversation assigned to it."""
    _, token = create_agent(app, name="Ada")
    agent = agent_socket(app, token)
    conversation_id, participant_id, customer = start(app)
    agent.get_received(AGENT_NS)
    return conversation_id, participant_id, customer, agent, token


def test_a_customer_attachment_reaches_the_agent_with_a_link_that_downloads(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id, customer, agent, _ = _assigned(sqlite_app)
    data = png()
    uploaded = upload(client, conversation_id, participant_id, data).get_json()
    ack = send(customer, conversation_id, "", attachments=[{"mediaId": uploaded["mediaId"]}])
    assert ack["status"] == "ok", ack

    (arrived,) = messages_of(agent, AGENT_NS, conversation_id)
    (attachment,) = arrived["attachments"]
    assert set(attachment) == {"mediaId", "type", "name", "size", "contentUrl", "thumbnailUrl"}
    assert attachment["mediaId"] == uploaded["mediaId"]
    assert attachment["type"] == "image/png"
    assert client.get(local(attachment["contentUrl"])).data == data
    assert client.get(local(attachment["thumbnailUrl"])).mimetype == "image/jpeg"
    (own,) = messages_of(customer, "/", conversation_id)
    assert own["attachments"][0]["mediaId"] == uploaded["mediaId"]

    with sqlite_app.app_context():
        stored = db.session.scalar(select(Message.attachments).filter_by(message_id=own["id"]))
    assert stored[0]["mediaId"] == uploaded["mediaId"]
    assert "contentUrl" not in stored[0]  # links are signed when delivered, never stored


def test_an_agent_attachment_reaches_the_customer(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, _, customer, agent, token = _assigned(sqlite_app)
    uploaded = agent_upload(client, token, conversation_id, PDF, "terms.pdf", "application/pdf")
    assert uploaded.status_code == 201, uploaded.get_json()
    media_id = uploaded.get_json()["mediaId"]
    ack = send(agent, conversation_id, "our terms", AGENT_NS, attachments=[{"mediaId": media_id}])
    assert ack["status"] == "ok", ack
    (arrived,) = messages_of(customer, "/", conversation_id)
    (attachment,) = arrived["attachments"]
    assert attachment["name"] == "terms.pdf"
    assert "thumbnailUrl" not in attachment
    served = client.get(local(attachment["contentUrl"]))
    assert served.data == PDF
    assert served.mimetype == "application/pdf"
    assert "attachment" in served.headers["Content-Disposition"]


def test_catch_up_signs_links_afresh(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id, customer, _, _ = _assigned(sqlite_app)
    uploaded = upload(client, conversation_id, participant_id, png()).get_json()
    send(customer, conversation_id, "see", attachments=[{"mediaId": uploaded["mediaId"]}])
    (live,) = messages_of(customer, "/", conversation_id)
    sqlite_app.config["MEDIA_URL_TTL_S"] = 10**6  # links signed from now on live longer
    info = ask_info(customer, conversation_id)
    (replayed,) = [m for m in info["messages"] if m["id"] == live["id"]]
    url = replayed["attachments"][0]["contentUrl"]

    def expires(link):
        return int(parse_qs(urlsplit(link).query)["expires"][0])

    assert expires(url) > expires(live["attachments"][0]["contentUrl"]) + 10**5
    assert client.get(local(url)).status_code == 200


def test_media_of_another_conversation_or_unknown_is_refused(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id, customer, _, _ = _assigned(sqlite_app)
    other_id, other_participant, _ = start(sqlite_app)
    theirs = upload(client, other_id, other_participant, png()).get_json()["mediaId"]
    for media_id in (theirs, "no-such-media", 42):
        ack = send(customer, conversation_id, "x", attachments=[{"mediaId": media_id}])
        assert ack["status"] == "error", ack
        assert "attachments" in ack["errors"]
    assert messages_of(customer, "/", conversation_id) == []


def test_attachments_given_as_links_still_pass_as_sent(sqlite_app):
    conversation_id, _, customer, agent, _ = _assigned(sqlite_app)
    link = {"type": "image/png", "name": "logo", "contentUrl": "https://example.com/logo.png"}
    assert send(customer, conversation_id, "", attachments=[link])["status"] == "ok"
    (arrived,) = messages_of(agent, AGENT_NS, conversation_id)
    assert arrived["attachments"] == [link]
