"""/calls/<callId> for signed-in console agents, and its transcript PDF."""

import os

from chatwidget.core import transcript_pdfs
from tests.admin.helpers import agent_headers, sign_in
from tests.api.capture_helpers import capture, chat
from tests.conftest import bearer_for
from tests.transcripts.pdf_text import pdf_text


def _two_chats(app, client):
    headers = bearer_for(app, client, "chat_capture", "purge")
    first = capture(client, headers, chat("s-1", MasterCallId="m-9"))
    second = chat(
        "s-2", MasterCallId="m-9", UtcStart="2024-03-01T11:00:00Z", UtcEnd="2024-03-01T11:05:00Z"
    )
    second["Contacts"][0]["Messages"] = [
        {"Content": "Ελληνικά <b>too</b>", "UtcTimestamp": "2024-03-01T11:01:00Z"}
    ]
    capture(client, headers, second)
    return first, headers


def test_signed_in_agent_opens_a_call_without_a_token(app, client):
    call_id, _ = _two_chats(app, client)
    refused = client.get("/calls/%s" % call_id)
    assert refused.status_code == 403 and b"Download transcript" not in refused.data
    agent_id, _, _ = agent_headers(app, "Agent", admin=False)
    browser = app.test_client()
    sign_in(app, browser, agent_id)
    page = browser.get("/calls/%s" % call_id)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "hello" in html and "Chat s-2" in html and "&lt;b&gt;too" in html
    assert 'href="/calls/%s/transcript.pdf" download>Download transcript' % call_id in html
    assert browser.get("/calls/nope").status_code == 404


def test_transcript_pdf_for_agents_only(app, client):
    call_id, headers = _two_chats(app, client)
    url = "/calls/%s/transcript.pdf" % call_id
    assert client.get(url).status_code == 401
    agent_id, _, _ = agent_headers(app, "Agent", admin=False)
    browser = app.test_client()
    sign_in(app, browser, agent_id)
    response = browser.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "transcript-call-%s.pdf" % call_id in response.headers["Content-Disposition"]
    text = " ".join(pdf_text(response.data).split())
    assert "hello" in text and "hi there" in text and "Ελληνικά" in text
    assert text.index("hello") < text.index("Ελληνικά")
    with app.app_context():
        folder = os.path.dirname(transcript_pdfs.path_of("x"))
    kept = [name for name in os.listdir(folder) if name.startswith("call-")]
    assert len(kept) == 1
    # Purging the other chat of the group deletes the kept copy that showed it.
    purged = client.post("/purge/v1/calls/sessions", json={"ids": ["s-2"]}, headers=headers)
    assert purged.get_json()["items"][0]["status"] == "Purging"
    assert [name for name in os.listdir(folder) if name.startswith("call-")] == []
    again = browser.get(url)
    assert again.status_code == 200 and "Ελληνικά" not in pdf_text(again.data)
    assert browser.get("/calls/nope/transcript.pdf").status_code == 404
