"""GET /api/customer/transcript/<id>/email: the PDF arrives at a real local SMTP server."""

import email
import email.policy

from chatwidget.extensions import db
from chatwidget.models import Conversation
from tests.conftest import bearer_for
from tests.transcripts.conftest import ARABIC, CHINESE, WHISPER, chat, free_port
from tests.transcripts.pdf_text import contains, pdf_text


def email_url(conversation_id, participant_id=None):
    url = "/api/customer/transcript/%s/email" % conversation_id
    return url + ("?participantId=%s" % participant_id if participant_id else "")


def parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


def pdf_of(message):
    """The one PDF attachment of a message: (filename, bytes)."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    return parts[0].get_filename(), parts[0].get_content()


def test_the_customer_gets_the_pdf_by_email(app, client, smtp):
    _, inbox = smtp
    conversation_id, participant_id, _ = chat(app)
    response = client.get(email_url(conversation_id, participant_id))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.data == b""
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == ["carla@example.com"]
    assert envelope.mail_from == "chatwidget@localhost"
    message = parsed(envelope)
    assert message["To"] == "carla@example.com"
    assert "transcript" in message["Subject"].lower()
    filename, data = pdf_of(message)
    assert filename == "transcript-%s.pdf" % conversation_id
    text = pdf_text(data)
    assert contains(text, CHINESE) and contains(text, ARABIC)
    assert WHISPER not in text
    # The HTML body is the same transcript, and carries the signed link.
    html = message.get_body(("html",)).get_content()
    assert CHINESE in html and ARABIC in html and WHISPER not in html
    link = response.headers["X-Transcript-Url"]
    assert link.partition("?token=")[0] in html
    assert "/pdf?token=" in message.get_body(("plain",)).get_content()


def test_agents_and_admins_may_mail_it_without_participant_id(app, client, smtp):
    _, inbox = smtp
    conversation_id, _, token = chat(app)
    agent = {"Authorization": "Bearer " + token}
    assert client.get(email_url(conversation_id), headers=agent).status_code == 200
    admin = bearer_for(app, client, "admin")
    assert client.get(email_url(conversation_id), headers=admin).status_code == 200
    assert [e.rcpt_tos for e in inbox.envelopes] == [["carla@example.com"]] * 2


def test_nothing_is_sent_for_a_wrong_participant_or_an_ongoing_chat(app, client, smtp):
    _, inbox = smtp
    ended, _, _ = chat(app)
    ongoing, participant_id, _ = chat(app, end=False)
    assert client.get(email_url(ended, "wrong")).status_code == 404
    assert client.get(email_url(ended)).status_code == 404
    assert client.get(email_url(ongoing, participant_id)).status_code == 404
    assert client.get(email_url("unknown", participant_id)).status_code == 404
    assert inbox.envelopes == []


def test_no_email_on_file_is_400(app, client, smtp):
    _, inbox = smtp
    conversation_id, participant_id, _ = chat(app, email=None, phone="+15550100")
    response = client.get(email_url(conversation_id, participant_id))
    assert response.status_code == 400
    assert "e-mail" in response.get_json()["message"]
    assert inbox.envelopes == []


def test_an_smtp_server_that_is_down_is_503(app, client):
    conversation_id, participant_id, _ = chat(app)
    app.config["SMTP_PORT"] = free_port()
    response = client.get(email_url(conversation_id, participant_id))
    assert response.status_code == 503
    assert response.get_json()["message"] == "the e-mail could not be sent; try again later"


def test_starttls_and_login_when_configured(app, client, tls_smtp, certificate):
    controller, inbox, logins = tls_smtp
    conversation_id, participant_id, _ = chat(app)
    app.config.update(SMTP_PORT=controller.port, SMTP_USER="mailer", SMTP_PASSWORD="s3cret")
    # Without STARTTLS this server refuses to log in or take mail: 503, nothing sent.
    assert client.get(email_url(conversation_id, participant_id)).status_code == 503
    assert inbox.envelopes == [] and logins == []
    app.config.update(SMTP_STARTTLS=True, SMTP_CA_FILE=certificate[0])
    response = client.get(email_url(conversation_id, participant_id))
    assert response.status_code == 200, response.get_json()
    assert logins == [(b"mailer", b"s3cret")]  # only after STARTTLS (auth_require_tls)
    assert len(inbox.envelopes) == 1
    assert pdf_of(parsed(inbox.envelopes[0]))[1].startswith(b"%PDF-")


def test_starttls_refuses_an_untrusted_certificate(app, client, tls_smtp):
    controller, inbox, _ = tls_smtp
    conversation_id, participant_id, _ = chat(app)
    app.config.update(SMTP_PORT=controller.port, SMTP_STARTTLS=True)  # system CAs only
    assert client.get(email_url(conversation_id, participant_id)).status_code == 503
    assert inbox.envelopes == []


def test_the_customer_email_is_the_one_given_at_init(app, client, smtp):
    _, inbox = smtp
    conversation_id, participant_id, _ = chat(app, email="Someone.Else@Example.com")
    assert client.get(email_url(conversation_id, participant_id)).status_code == 200
    with app.app_context():
        stored = db.session.scalar(db.select(Conversation.email))
    assert inbox.envelopes[0].rcpt_tos == [stored] == ["someone.else@example.com"]
