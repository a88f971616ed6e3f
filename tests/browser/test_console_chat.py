"""A visitor in the widget and an agent in the console: messages both ways, whispers kept
among agents, markup shown as text."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.console_chat import (
    assert_shown_once_in_order,
    available_at,
    start_chat,
    stored,
)

pytestmark = pytest.mark.slow  # server processes and a browser

ATTACK = "<img src=x onerror=window.__xss=1>"


@pytest.fixture
def crew(team):
    return team("Ada")


@pytest.fixture
def console(site, crew, people):
    return available_at(people, site.url, crew.emails["Ada"])


def host(site, crew, name):
    return site.host_page("%s-%s" % (name, crew.queue), subject=crew.queue)


def test_visitor_and_console_exchange_messages_both_ways(site, crew, console, people):
    visitor, conversation_id = start_chat(people, console, host(site, crew, "chat"), "Vera Ahn")
    visitor.send("V1 is my parcel lost?")
    console.sees("V1 is my parcel lost?")
    console.send("A1 let me look it up")
    visitor.sees("A1 let me look it up")
    console.sees("A1 let me look it up")
    visitor.send("V2 it is order 1234")
    console.sees("V2 it is order 1234")
    console.send("A2 found it, it ships today")
    visitor.sees("A2 found it, it ships today")

    messages = stored(site.deployment, conversation_id)
    assert [text for _, text, _ in messages] == [
        "V1 is my parcel lost?",
        "A1 let me look it up",
        "V2 it is order 1234",
        "A2 found it, it ships today",
    ]
    expect(console.shown("A2 found it")).to_have_count(1)
    assert_shown_once_in_order(console.messages(), messages)
    assert_shown_once_in_order(visitor.messages(), messages)
    expect(console.customer).to_contain_text("Vera Ahn")
    expect(console.textbox("Message")).to_have_value("")


def test_a_whisper_is_internal_in_the_console_and_never_in_the_widget(site, crew, console, people):
    visitor, conversation_id = start_chat(people, console, host(site, crew, "whisper"), "Walt")
    secret = "W1 internal: refund already refused twice"
    console.whisper(secret)
    console.sees(secret)
    whisper = console.shown(secret)
    expect(whisper).to_have_attribute("data-tag", "whisper")
    expect(whisper.get_by_text(re.compile(r"^\s*Whisper\s*$", re.I))).to_be_visible()
    console.send("A1 how can I help?")  # sent after the whisper, shown after it
    visitor.sees("A1 how can I help?")
    console.sees("A1 how can I help?")
    expect(console.shown("A1 how can I help?")).not_to_have_attribute("data-tag", "whisper")
    visitor.send("V1 about my refund")
    console.sees("V1 about my refund")
    visitor.sees("V1 about my refund")

    messages = stored(site.deployment, conversation_id)
    [whisper_seq] = [seq for seq, text, tag in messages if tag == "whisper"]
    assert whisper_seq not in [seq for seq, _ in visitor.messages()]
    assert "refund already refused" not in visitor.shadow_html()
    assert "refund already refused" not in visitor.page.content()
    assert_shown_once_in_order(console.messages(), messages)
    whispers = [seq for seq, _, tag in console.messages() if tag == "whisper"]
    assert whispers == [whisper_seq]


def test_markup_in_messages_is_text_on_both_sides(site, crew, console, people):
    visitor, _ = start_chat(people, console, host(site, crew, "xss"), "Mallory")
    visitor.send("V1 " + ATTACK)
    console.sees("V1 " + ATTACK)
    console.send("A1 " + ATTACK)
    visitor.sees("A1 " + ATTACK)
    console.sees("A1 " + ATTACK)
    console.whisper("W1 " + ATTACK)
    console.sees("W1 " + ATTACK)
    visitor.sees("V1 " + ATTACK)

    for page in (console.page, visitor.page):
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    shadow = "document.querySelector('chat-widget').shadowRoot.querySelectorAll('img[src=x]')"
    assert visitor.page.evaluate(shadow + ".length") == 0
    assert console.customer.locator("img[src=x]").count() == 0


def test_the_customer_panel_shows_what_the_chats_api_told(site, crew, console, people):
    page = host(site, crew, "custdata")
    visitor, conversation_id = start_chat(people, console, page, "Nina Berg")
    chat_id = site.deployment.value(
        "SELECT id FROM conversation WHERE conversation_id = :c", c=conversation_id
    )
    [user] = site.deployment.commands(("create-api-user", "crm", "--role", "apps_api"))
    auth = (user["client_id"], user["client_secret"])
    chat = "%s/apps/api/v1/chats/%d/" % (site.url, chat_id)
    data = {
        "plan": {"label": "Plan", "value": "gold " + ATTACK},
        "orders": {"label": "Orders", "value": 12},
        "reserved_verified_customer": {"value": True},
    }
    told = [
        requests.post(chat + "custom_data", json={"data": data}, auth=auth, timeout=10),
        requests.post(chat + "customer_flag", json={"bad_actor": True}, auth=auth, timeout=10),
    ]
    assert [r.status_code for r in told] == [200, 200], [r.text for r in told]
    visitor.send("V1 anything new?")  # the panel asks again after each message
    console.sees("V1 anything new?")
    expect(console.customer).to_contain_text("gold " + ATTACK)
    expect(console.customer).to_contain_text("Orders12")
    expect(console.customer).to_contain_text("Verified customer")
    expect(console.customer).to_contain_text("Bad actor")
    expect(console.customer).not_to_contain_text("Repeat customer")
    people.screenshots("custom-data")
    assert console.page.evaluate("typeof window.__xss") == "undefined"
    assert console.customer.locator("img[src=x]").count() == 0
