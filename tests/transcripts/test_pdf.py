"""GET /api/customer/transcript/<id>/pdf: who may fetch it, and what it shows."""

import os
import unicodedata
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from chatwidget.api.agent_auth import SESSION_KEY
from chatwidget.core import console_sessions
from chatwidget.core.transcripts import FONTS, direction
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Message
from tests.conftest import bearer_for
from tests.transcripts.conftest import ARABIC, CHINESE, CYRILLIC, GREEK, WHISPER, chat
from tests.transcripts.pdf_text import contains, embedded_fonts, pdf_text


def pdf_url(conversation_id, **query):
    url = "/api/customer/transcript/%s/pdf" % conversation_id
    return url + ("?" + "&".join("%s=%s" % kv for kv in query.items()) if query else "")


def test_the_customer_gets_a_pdf_with_every_script_in_order_and_no_whisper(app, client):
    missing = [path for _, _, path in FONTS if not os.path.exists(path)]
    assert not missing, "fonts missing; `make test` as root installs them: %s" % missing
    conversation_id, participant_id, _ = chat(app)
    response = client.get(pdf_url(conversation_id, participantId=participant_id))
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for words in (CHINESE, GREEK, CYRILLIC, ARABIC):
        assert contains(text, words), (words, text)
    flat = " ".join(text.split())
    chinese = unicodedata.normalize("NFKC", CHINESE)  # the full-width comma folds to ","
    assert flat.index(chinese) < flat.index(GREEK) < flat.index(CYRILLIC)
    assert flat.index(CYRILLIC) < flat.index("receipt.png")  # the last message's attachment
    assert WHISPER not in flat
    assert "Carla" in flat and "Alice" in flat
    assert "Alice joined" in flat and "The conversation ended" in flat
    # Legible, not boxes: the glyphs come from the embedded TrueType fonts.
    assert {"DejaVuSans", "DroidSansFallback"} <= embedded_fonts(response.data)
    assert "■" not in text


def test_times_are_in_the_customers_time_zone(app, client):
    conversation_id, participant_id, _ = chat(app, timeZone="Asia/Tokyo")
    with app.app_context():
        first = db.session.scalar(
            select(Message.created_at)
            .join(Conversation, Conversation.id == Message.conversation_pk)
            .where(Conversation.conversation_id == conversation_id, Message.text == CHINESE)
        )
    tokyo = first.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    response = client.get(pdf_url(conversation_id, participantId=participant_id))
    text = pdf_text(response.data)
    assert "Asia/Tokyo" in text
    assert tokyo.strftime("%Y-%m-%d %H:%M") in text


def test_an_unknown_time_zone_falls_back_to_utc(app, client):
    conversation_id, participant_id, _ = chat(app, timezone="Mars/Olympus_Mons")
    text = pdf_text(client.get(pdf_url(conversation_id, participantId=participant_id)).data)
    assert "Times in UTC" in " ".join(text.split())


@pytest.mark.parametrize("participant", ["wrong", "", None])
def test_a_wrong_or_missing_participant_id_is_404(app, client, participant):
    conversation_id, _, _ = chat(app)
    query = {} if participant is None else {"participantId": participant}
    response = client.get(pdf_url(conversation_id, **query))
    assert response.status_code == 404
    assert response.get_json()["message"]


def test_an_ongoing_conversation_is_404_even_for_its_customer(app, client):
    conversation_id, participant_id, token = chat(app, end=False)
    assert client.get(pdf_url(conversation_id, participantId=participant_id)).status_code == 404
    headers = {"Authorization": "Bearer " + token}
    assert client.get(pdf_url(conversation_id), headers=headers).status_code == 404


def test_an_unknown_conversation_is_404(app, client):
    _, participant_id, token = chat(app)
    url = pdf_url("00000000-0000-0000-0000-000000000000", participantId=participant_id)
    assert client.get(url).status_code == 404
    headers = {"Authorization": "Bearer " + token}
    assert client.get(pdf_url("nope"), headers=headers).status_code == 404


def test_another_conversations_participant_id_is_404(app, client):
    first, _, _ = chat(app)
    _, other_participant, _ = chat(app)
    assert client.get(pdf_url(first, participantId=other_participant)).status_code == 404


def test_agents_need_no_participant_id(app, client):
    conversation_id, _, token = chat(app)
    response = client.get(pdf_url(conversation_id), headers={"Authorization": "Bearer " + token})
    assert response.status_code == 200
    assert contains(pdf_text(response.data), CHINESE)


def test_an_agent_console_session_needs_no_participant_id(app, client):
    conversation_id, _, _ = chat(app)
    with app.app_context():
        agent_id = db.session.scalar(select(Conversation.agent_id)) or 1
        token = console_sessions.do_open(db.session.get(Agent, agent_id))
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
    assert client.get(pdf_url(conversation_id)).status_code == 200


def test_admin_api_users_need_no_participant_id(app, client):
    conversation_id, _, _ = chat(app)
    response = client.get(pdf_url(conversation_id), headers=bearer_for(app, client, "admin"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"


def test_other_api_users_are_403_whatever_the_conversation(app, client):
    conversation_id, participant_id, _ = chat(app)
    headers = bearer_for(app, client, "chat_capture")
    for url in (pdf_url(conversation_id), pdf_url("nope")):
        response = client.get(url, headers=headers)
        assert response.status_code == 403
        assert "admin" in response.get_json()["message"]


def test_a_bad_bearer_is_401(app, client):
    conversation_id, participant_id, _ = chat(app)
    url = pdf_url(conversation_id, participantId=participant_id)
    response = client.get(url, headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401


def test_the_signed_link_works_without_participant_id_and_only_for_its_conversation(app, client):
    first, participant_id, _ = chat(app)
    second, _, _ = chat(app)
    response = client.get(pdf_url(first, participantId=participant_id))
    link = response.headers["X-Transcript-Url"]
    assert link.startswith("http://chat.example.test/api/customer/transcript/%s/pdf?token=" % first)
    path = link.removeprefix("http://chat.example.test")
    again = client.get(path)
    assert again.status_code == 200 and again.mimetype == "application/pdf"
    token = path.partition("token=")[2]
    assert client.get(pdf_url(second, token=token)).status_code == 404
    assert client.get(pdf_url(first, token=token[:-2] + "xx")).status_code == 404


def test_an_expired_link_is_404(app, client):
    conversation_id, participant_id, _ = chat(app)
    link = client.get(pdf_url(conversation_id, participantId=participant_id)).headers[
        "X-Transcript-Url"
    ]
    app.config["TRANSCRIPT_LINK_TTL_S"] = -1
    assert client.get(link.removeprefix("http://chat.example.test")).status_code == 404


def test_the_routes_are_in_the_openapi_document(app, client):
    paths = client.get("/openapi.json").get_json()["paths"]
    pdf = paths["/api/customer/transcript/{conversation_id}/pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    assert {"404", "401", "403"} <= set(pdf["responses"])
    email = paths["/api/customer/transcript/{conversation_id}/email"]["get"]
    assert {"200", "400", "404", "503"} <= set(email["responses"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("مرحبا", "rtl"),
        ("123 مرحبا hello", "rtl"),
        ("hello مرحبا", "ltr"),
        ("你好", "ltr"),
        ("", "ltr"),
        ("123", "ltr"),
    ],
)
def test_direction_is_that_of_the_first_strong_character(text, expected):
    assert direction(text) == expected


def test_the_pdf_downloads_as_an_attachment_even_from_another_origins_link(app, client):
    """A cross-origin link's `download` attribute is ignored: the widget's "Download
    transcript" saves the file only because the answer says attachment."""
    conversation_id, participant_id, _ = chat(app)
    response = client.get(pdf_url(conversation_id, participantId=participant_id))
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "transcript-%s.pdf" % conversation_id in disposition
