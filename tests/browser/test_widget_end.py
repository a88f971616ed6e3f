"""After the chat: end, rating, transcript download; before any: the offline form."""

import json

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import NOBODY
from tests.browser.widget import exchange, start_chat

pytestmark = pytest.mark.slow  # server processes and a browser


def test_end_rating_and_transcript_download(site, agent, people):
    visitor = people.visitor().goto(site.host_page("plain"))
    conversation_id = start_chat(visitor, agent)
    exchange(visitor, agent, conversation_id, "Send me the transcript", "End the chat, then.")
    page = visitor.page

    visitor.button("End chat").click()
    rating = page.get_by_role("radiogroup", name="Rate this chat")
    expect(rating).to_be_visible()
    for n in "12345":
        expect(rating.get_by_role("radio", name=n, exact=True)).to_have_count(1)
    rating.get_by_role("radio", name="4", exact=True).check()
    visitor.textbox("Comment").fill("Quick and kind")
    with page.expect_response(lambda r: r.url.endswith("/rating")) as answer:
        visitor.button("Send rating").click()
    assert answer.value.status == 200, answer.value.text()
    rows = site.deployment.rows("SELECT metadata FROM call")
    metadata = [(json.loads(m) if isinstance(m, str) else m) or {} for (m,) in rows]
    rated = {"CustomerRating": "4", "CustomerComment": "Quick and kind"}
    assert any(rated.items() <= m.items() for m in metadata), metadata

    link = page.get_by_role("link", name="Download transcript", exact=True)
    expect(visitor.button("Email transcript")).to_be_visible()
    with page.expect_download(timeout=30_000) as download:
        link.click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    answer = requests.get(link.get_attribute("href"), timeout=30)
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment")


def test_offline_form_when_nobody_can_answer(site, people):
    visitor = people.visitor().goto(site.host_page("nobody", subject=NOBODY)).open()
    page = visitor.page
    expect(visitor.button("Leave a message")).to_be_visible()
    expect(visitor.button("Start chat")).to_have_count(0)
    if visitor.textbox("Name").count():  # §6 names Email and Message; a name is optional
        visitor.textbox("Name").fill("Olga")
    visitor.textbox("Email").fill("olga@example.test")
    visitor.textbox("Message").fill("Call me back about my invoice, please.")
    with page.expect_response(lambda r: r.url.endswith("/api/customer/offline")) as answer:
        visitor.button("Leave a message").click()
    assert answer.value.status == 200, answer.value.text()
    conversation_id = answer.value.json()["conversationId"]
    expect(visitor.dialog.get_by_role("status")).to_be_visible()
    expect(visitor.button("Leave a message")).to_have_count(0)
    state = site.deployment.value(
        "SELECT state FROM conversation WHERE conversation_id = :c", c=conversation_id
    )
    assert state == "offline"
