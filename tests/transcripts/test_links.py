"""Transcript links (X-Transcript-Url, the e-mail's link) carry nothing readable (issue 15.6).

itsdangerous payloads are only base64: whatever a token signs, anyone holding the link
reads. The token signs a fixed value; the conversation is bound by the signature alone.
"""

import base64
import re
import uuid
from urllib.parse import parse_qs, urlsplit

from tests.transcripts.conftest import chat
from tests.transcripts.test_email import email_url, parsed


def _decoded(part):
    """A token part as bytes, base64url-decoded where it decodes at all."""
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except ValueError:
        return b""


def _link(client, conversation_id, participant_id):
    url = "/api/customer/transcript/%s/pdf?participantId=%s" % (conversation_id, participant_id)
    return client.get(url).headers["X-Transcript-Url"]


def test_the_token_reveals_no_email_participant_or_conversation(app, client):
    conversation_id, participant_id, _ = chat(app, firstName="Carla", email="carla@example.com")
    link = _link(client, conversation_id, participant_id)
    [token] = parse_qs(urlsplit(link).query)["token"]
    secrets = [
        conversation_id.encode(),
        uuid.UUID(conversation_id).bytes,
        uuid.UUID(conversation_id).hex.encode(),
        participant_id.encode(),
        b"carla",
        b"example.com",
    ]
    parts = token.split(".")
    assert len(parts) == 3 and parts[0] == "pdf"  # a fixed value, a timestamp, a MAC
    for shown in [token.encode().lower()] + [_decoded(p).lower() for p in parts]:
        for secret in secrets:
            assert secret.lower() not in shown, (secret, shown)
    assert len(_decoded(parts[1])) <= 8  # the time of issue: an integer, nothing more


def test_every_link_has_the_same_shape_whoever_the_customer(app, client):
    first = _link(client, *chat(app, email="a@example.com")[:2])
    second = _link(client, *chat(app, email="someone.with.a.long.name@example.org")[:2])
    shape = re.compile(r".*/pdf\?token=pdf\.[A-Za-z0-9_-]{4,8}\.[A-Za-z0-9_-]{43}")
    assert shape.fullmatch(first) and shape.fullmatch(second), (first, second)


def test_the_mailed_link_downloads_the_pdf(app, client, smtp):
    conversation_id, participant_id, _ = chat(app)
    assert client.get(email_url(conversation_id, participant_id)).status_code == 200
    text = parsed(smtp[1].envelopes[-1]).get_body(("plain",)).get_content()
    [link] = re.findall(r"https?://\S+/pdf\?token=\S+", text)
    answer = client.get(link.removeprefix("http://chat.example.test"))
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
