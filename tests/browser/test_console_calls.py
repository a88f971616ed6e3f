"""The console's calls search, driven in Chromium by an agent who is not an admin.

On the session's site, with an agent and an API user of this module's own: calls captured
through /chatCapture/v1 are found by text, paged through and bounded by dates.
"""

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.console_admin import bearer_headers, capture, heading, signed_in
from tests.system.servers import Deployment

pytestmark = pytest.mark.slow  # server processes and a browser


@pytest.fixture(scope="module")
def searcher(site):
    """A new agent's e-mail: not the session agent, whose status a console would change."""
    email = "searcher-%s@example.test" % uuid.uuid4().hex[:8]
    site.deployment.flask(*Deployment.create_agent(email, "Sam", PASSWORD, "calls-search"))
    return email


@pytest.fixture(scope="module")
def capture_headers(site):
    """Bearer headers of an API user with the chat_capture role, for POST /chatCapture/v1."""
    recorder = site.deployment.flask("create-api-user", "calls-recorder", "--role", "chat_capture")
    return bearer_headers(site, recorder)


def test_calls_search_finds_a_captured_call_by_text(site, searcher, capture_headers, people):
    word = "zebra" + uuid.uuid4().hex[:6]
    session_id, call_id = capture(site, capture_headers, "My %s blender broke" % word)
    capture(site, capture_headers, "Something else entirely")
    page = signed_in(people, site, "agent", searcher, route="calls")  # not an admin
    heading(page, "Calls")
    search = page.get_by_role("search", name="Search calls")
    search.get_by_label("Text", exact=True).fill(word.upper())  # case-insensitive
    search.get_by_role("button", name="Search", exact=True).click()
    table = page.get_by_role("table", name="1 call found")
    expect(table).to_contain_text(session_id)
    expect(page.get_by_text("Page 1 of 1", exact=True)).to_be_visible()
    link = table.get_by_role("link", name=call_id, exact=True)
    assert link.get_attribute("href") == "/calls/" + call_id
    transcript = table.get_by_role("link", name="PDF transcript of %s" % call_id)
    assert transcript.get_attribute("href") == "/calls/%s/transcript.pdf" % call_id

    with page.context.expect_page() as opened:
        link.click()
    call_page = opened.value
    people.pages["call-page"] = call_page
    expect(call_page.get_by_text("My %s blender broke" % word)).to_be_visible()
    with page.expect_download(timeout=30_000) as download:
        transcript.click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_calls_search_pages_and_dates(site, searcher, capture_headers, people):
    word = "kiwi" + uuid.uuid4().hex[:6]
    for n in range(27):  # started 2026-03-01 10:00 UTC: 05:00 in New York
        capture(site, capture_headers, "%s number %d" % (word, n))
    page = signed_in(people, site, "agent", searcher, route="calls?q=" + word,
                     timezone_id="America/New_York")  # fmt: skip
    table = page.get_by_role("table", name="27 calls found")
    expect(table.get_by_role("row")).to_have_count(26)  # the header and 25
    expect(page.get_by_text("Page 1 of 2", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Previous", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_text("Page 2 of 2", exact=True)).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(3)
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_disabled()
    page.go_back()  # the search and its page live in the address
    expect(page.get_by_text("Page 1 of 2", exact=True)).to_be_visible()

    search = page.get_by_role("search", name="Search calls")
    search.get_by_label("From", exact=True).fill("2026-03-02")
    search.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("table", name="0 calls found")).to_be_visible()
    expect(page.get_by_text("Page 1 of 1", exact=True)).to_be_visible()
    search.get_by_label("From", exact=True).fill("2026-03-01")
    search.get_by_label("To", exact=True).fill("2026-03-01")  # that whole day, New York's
    search.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("table", name="27 calls found")).to_be_visible()
