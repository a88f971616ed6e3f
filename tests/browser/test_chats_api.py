"""One conversation everywhere (CONTRACT §7): a widget conversation read and written through
the chats API, and a chat created through the chats API answered from the console."""

import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.console_chat import available_at, start_chat

pytestmark = pytest.mark.slow  # server processes and a browser


class Integrator:
    """A CCAI integrator's code: HTTP Basic with an apps_api user, plain requests."""

    def __init__(self, site):
        [creds] = site.deployment.commands(("create-api-user", "crm", "--role", "apps_api"))
        self.base = site.url + "/apps/api/v1"
        self.auth = (creds["client_id"], creds["client_secret"])

    def call(self, method, path, **kwargs):
        response = requests.request(method, self.base + path, auth=self.auth, timeout=10, **kwargs)
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json()

    def messages(self, chat_id):
        return self.call("GET", "/chats/%d/messages" % chat_id)


@pytest.fixture
def crew(team):
    return team("Ada")


@pytest.fixture
def console(site, crew, people):
    return available_at(people, site.url, crew.emails["Ada"])


@pytest.fixture
def crm(site):
    return Integrator(site)


def test_a_widget_conversation_is_read_and_written_through_the_chats_api(
    site, crew, console, people, crm
):
    host = site.host_page("api-%s" % crew.queue, subject=crew.queue)
    visitor, conversation_id = start_chat(people, console, host, "Nadia Costa")
    visitor.send("V1 where is my order?")
    console.sees("V1 where is my order?")
    chat_id = site.deployment.value(
        "SELECT id FROM conversation WHERE conversation_id = :c", c=conversation_id
    )
    chat = crm.call("GET", "/chats/%d" % chat_id)
    assert chat["status"] == "assigned" and chat["agent"]["id"] == crew.ids["Ada"]

    body = {"from_user_id": crew.ids["Ada"], "message": {"type": "text", "content": "A1 via API"}}
    assert crm.call("POST", "/chats/%d/message" % chat_id, json=body) == {}
    visitor.sees("A1 via API")
    console.sees("A1 via API")
    listed = [(m["content"], m["from_user_id"]) for m in crm.messages(chat_id)]
    assert listed == [("V1 where is my order?", None), ("A1 via API", crew.ids["Ada"])]

    crm.call("PATCH", "/chats/%d" % chat_id, json={"chat": {"status": "finished"}})
    expect(console.button("End conversation")).to_be_disabled()
    ended = crm.call("GET", "/chats/%d" % chat_id)
    assert ended["status"] == "finished" and ended["ends_at"]


def test_a_chat_created_through_the_api_is_answered_from_the_console(
    site, crew, console, people, crm
):
    menu_id = site.deployment.value("SELECT id FROM queue WHERE name = :n", n=crew.queue)
    email = "api-%s@example.test" % uuid.uuid4().hex[:6]
    chat = crm.call("POST", "/chats", json={"chat": {"menu_id": menu_id, "email": email}})
    assert chat["status"] == "assigned" and chat["agent"]["id"] == crew.ids["Ada"]
    end_user = chat["end_user"]["id"]
    said = {"from_user_id": end_user, "message": {"content": {"text": "C1 my invoice is wrong"}}}
    crm.call("POST", "/chats/%d/message" % chat["id"], json=said)

    console.open_conversation(email)
    console.sees("C1 my invoice is wrong")
    console.send("A1 I will fix it now")
    console.sees("A1 I will fix it now")
    listed = [(m["content"], m["from_user_id"]) for m in crm.messages(chat["id"])]
    assert listed == [
        ("C1 my invoice is wrong", end_user),
        ("A1 I will fix it now", crew.ids["Ada"]),
    ]
