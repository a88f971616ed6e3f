"""Two `python app.py` processes on PostgreSQL and Redis: the visitor's widget talks to one,
the agent's console to the other, and the conversation works the same (issue 17)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.console_chat import (
    Team,
    assert_shown_once_in_order,
    available_at,
    start_chat,
    stored,
)
from tests.browser.hosts import HostSite, page, widget_tag

# The system tests' fixtures (a deployment of real processes, the machine's Redis).
from tests.system.conftest import make_deployment, redis_url  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def cluster(pg_database, redis_url, make_deployment):  # noqa: F811 (fixtures imported above)
    """(deployment, left, right, team): two processes sharing PostgreSQL and Redis."""
    deployment = make_deployment(pg_database, redis_url)
    servers = deployment.launch("left", "right")  # importing the app is slow: all at once
    crew = Team(deployment, "Pia")
    left, right = deployment.wait_ready(servers)
    return deployment, left, right, crew


@pytest.fixture
def host():
    made = HostSite()
    yield made
    made.close()


def test_widget_on_one_process_console_on_the_other(cluster, host, people):
    deployment, left, right, crew = cluster
    console = available_at(people, right.url, crew.emails["Pia"])
    tag = widget_tag(left.url, crew.queue)
    url = host.add("/two.html", page("Two processes", tag))
    visitor, conversation_id = start_chat(people, console, url, "Lena Left")

    visitor.send("V1 written to the left process")
    console.sees("V1 written to the left process")
    console.send("A1 answered from the right process")
    visitor.sees("A1 answered from the right process")
    console.whisper("W1 internal, right process only")
    console.sees("W1 internal, right process only")
    expect(console.shown("W1 internal")).to_have_attribute("data-tag", "whisper")
    visitor.send("V2 still on the left")
    console.sees("V2 still on the left")
    visitor.sees("V2 still on the left")
    assert "internal, right process" not in visitor.shadow_html()

    messages = stored(deployment, conversation_id)
    assert_shown_once_in_order(console.messages(), messages)
    assert_shown_once_in_order(visitor.messages(), [m for m in messages if m[2] != "whisper"])
    console.end()
    expect(visitor.page.get_by_role("radiogroup", name="Rate this chat")).to_be_visible()
    expect(console.page.get_by_text(re.compile(r"\bended\b", re.I)).first).to_be_visible()
    state = "SELECT state FROM conversation WHERE conversation_id = :c"
    assert deployment.value(state, c=conversation_id) == "ended"
