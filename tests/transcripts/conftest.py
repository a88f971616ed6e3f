"""Fixtures for the transcript tests: a real local SMTP server (aiosmtpd), ended chats."""

import shutil
import socket
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from chatwidget.core import conversations, handling
from tests.conftest import make_app
from tests.sockets.helpers import agent_socket, create_agent, send, start

# One of each script the issue names, each a word or two, in the order they are sent.
CHINESE = "你好，我的订单在哪里"
ARABIC = "مرحبا أين طلبي"
GREEK = "Καλημέρα"
CYRILLIC = "Здравствуйте"
WHISPER = "internal note never for the customer"


def free_port():
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every envelope it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def smtp_server(**kwargs):
    """A started aiosmtpd Controller on a free loopback port and its inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()  # returns once the server answers
    return controller, inbox


@pytest.fixture(scope="session")
def _plain_smtp():
    controller, inbox = smtp_server()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp(_plain_smtp):
    """The plain local SMTP server, its inbox emptied for this test."""
    controller, inbox = _plain_smtp
    inbox.envelopes.clear()
    return controller, inbox


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (cert path, key path)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not found: the STARTTLS test needs it to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


@pytest.fixture
def tls_smtp(certificate):
    """A local SMTP server that requires STARTTLS, then AUTH as mailer / s3cret."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"mailer", b"s3cret"))

    controller, inbox = smtp_server(
        tls_context=context, require_starttls=True, auth_required=True, authenticator=authenticator
    )
    yield controller, inbox, logins
    controller.stop()


@pytest.fixture
def app(tmp_path, _plain_smtp):
    """A fresh app on SQLite whose SMTP_* point at the plain local SMTP server."""
    controller, _ = _plain_smtp
    application = make_app(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    yield application
    from chatwidget.extensions import db

    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def chat(app, end=True, **customer):
    """A chat between Carla and the agent Alice in four scripts, with a whisper and a file.

    Returns (conversationId, participant id, agent token).
    """
    _, token = create_agent(app, "Alice")
    agent = agent_socket(app, token)
    body = {"firstName": "Carla", "email": "carla@example.com", **customer}
    conversation_id, participant_id, client = start(app, **body)
    attachment = {"name": "receipt.png", "type": "image/png", "contentUrl": "https://x.test/r.png"}
    acks = [
        send(client, conversation_id, CHINESE),
        send(agent, conversation_id, GREEK + "! " + CYRILLIC, namespace="/agent"),
        send(agent, conversation_id, WHISPER, namespace="/agent", tag="whisper"),
        send(client, conversation_id, ARABIC, attachments=[attachment]),
    ]
    assert all(ack["status"] == "ok" for ack in acks), acks
    if end:
        with app.app_context():
            handling.do_end(conversations.get(conversation_id), "customer")
    client.disconnect()
    agent.disconnect("/agent")
    return conversation_id, participant_id, token
