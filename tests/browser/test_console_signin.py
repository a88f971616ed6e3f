"""Signing in to the console: a wrong pair refused, a form without its CSRF token refused,
the Status combobox's round trip, signing out."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.console import PASSWORD, SESSION_TABLE, me, wait_status
from tests.browser.widget import poll

pytestmark = pytest.mark.slow  # server processes and a browser

UNAUTHORIZED = re.compile(r"status of 401")
META_TOKEN = re.compile(r"<meta[^>]*name=[\"']csrf-token[\"'][^>]*content=[\"']([^\"']+)", re.I)
HIDDEN_TOKEN = re.compile(r"<input[^>]*name=[\"']csrf_token[\"'][^>]*>", re.I)


def csrf_token(html):
    """The sign-in form's hidden csrf_token value."""
    [field] = HIDDEN_TOKEN.findall(html)
    return re.search(r"value=[\"']([^\"']+)[\"']", field).group(1)


def test_wrong_password_is_refused_and_no_session_is_given(site, team, people):
    people.allow(UNAUTHORIZED)  # the refused form answers 401, as it should
    crew = team("Wanda")
    email = crew.emails["Wanda"]
    agent = people.agent().sign_in_form(site.url)
    page = agent.page
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    agent.fill_sign_in(email, "not-" + PASSWORD)
    expect(agent.alert).to_be_visible()
    wrong_password = agent.alert.inner_text()
    agent.fill_sign_in("nobody-" + email, PASSWORD)
    expect(agent.alert).to_be_visible()
    # The same words whichever half was wrong: nothing tells an attacker an e-mail exists.
    assert agent.alert.inner_text() == wrong_password
    people.screenshots("refused")
    expect(agent.textbox("Password")).to_have_value("")
    expect(agent.status_box).to_have_count(0)
    expect(agent.button("Sign out")).to_have_count(0)

    assert me(page, site.url)[0] == 401
    assert site.deployment.value(SESSION_TABLE, a=crew.ids["Wanda"]) == 0
    agent.fill_sign_in(email, PASSWORD)  # the right pair still works afterwards
    expect(agent.status_box).to_be_visible()
    assert me(page, site.url)[0] == 200


def test_a_form_post_without_the_csrf_token_is_refused(site, team):
    crew = team("Cyril")
    email = crew.emails["Cyril"]
    browser = requests.Session()
    form = browser.get(site.url + "/console", timeout=10)
    assert form.status_code == 200
    assert "no-store" in form.headers.get("Cache-Control", "")
    token = csrf_token(form.text)

    # The right pair, but no token (a forged cross-site form would have none): refused.
    forged = browser.post(
        site.url + "/console/sign-in",
        data={"email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert forged.status_code == 400, forged.text[:300]
    assert 'role="alert"' in forged.text
    assert browser.get(site.url + "/api/console/me", timeout=10).status_code == 401
    assert site.deployment.value(SESSION_TABLE, a=crew.ids["Cyril"]) == 0
    wrong = browser.post(
        site.url + "/console/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token + "x"},
        allow_redirects=False,
        timeout=10,
    )
    assert wrong.status_code == 400
    assert browser.get(site.url + "/api/console/me", timeout=10).status_code == 401

    # With the token: signed in (303 to /console), and the session cookie now counts.
    signed = browser.post(
        site.url + "/console/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert signed.status_code == 303, signed.text[:300]
    assert browser.get(site.url + "/api/console/me", timeout=10).json()["email"] == email
    # Signed in, a change the cookie alone authenticates still needs the page's token.
    canned = {"shortcut": "csrf-%d" % crew.ids["Cyril"], "text": "Hello!"}
    bare = browser.post(site.url + "/api/console/canned", json=canned, timeout=10)
    assert bare.status_code == 400, bare.text
    out = browser.post(site.url + "/console/sign-out", allow_redirects=False, timeout=10)
    assert out.status_code == 400
    assert browser.get(site.url + "/api/console/me", timeout=10).status_code == 200
    # The page signed in carries its token (a new one: signing in starts a new session).
    page_token = META_TOKEN.search(browser.get(site.url + "/console", timeout=10).text)
    assert page_token, "no <meta name=csrf-token> on the signed-in console page"
    headers = {"X-CSRFToken": page_token.group(1)}
    made = browser.post(site.url + "/api/console/canned", json=canned, headers=headers, timeout=10)
    assert made.status_code == 201, made.text


def test_status_round_trip_away_is_not_routed_to(site, team, people):
    crew = team("Stan")
    agent = people.agent().sign_in(site.url, crew.emails["Stan"])
    page = agent.page
    for label in ("Away", "Available", "Away"):
        agent.set_status(label)
        wait_status(page, site.url, label)

    # Available while the visitor opens the widget (it offers the chat), then Away: the
    # chat waits in the agent's only queue, and the console lists it under Waiting.
    agent.set_status("Available")
    wait_status(page, site.url, "available")
    visitor = people.visitor().goto(site.host_page("away-" + crew.queue, subject=crew.queue))
    visitor.open()
    expect(visitor.button("Start chat")).to_be_visible()
    agent.set_status("Away")
    wait_status(page, site.url, "away")
    visitor.textbox("Name").fill("Wally Waiting")  # no one joins: the log stays empty
    visitor.textbox("Email").fill("wally@example.test")
    visitor.button("Start chat").click()
    expect(visitor.dialog.get_by_role("status")).to_be_visible()
    expect(agent.waiting_item(crew.queue)).to_have_count(1, timeout=15_000)
    expect(agent.conversation_item("Wally Waiting")).to_have_count(0)
    people.screenshots("waiting")
    assert (
        site.deployment.value(
            "SELECT state FROM conversation WHERE conversation_id = :c",
            c=visitor.conversation()["conversationId"],
        )
        == "waiting"
    )

    # Accept picks it: it moves to My conversations and the visitor is answered.
    agent.accept(crew.queue)
    agent.open_conversation("Wally Waiting")
    expect(agent.waiting_item(crew.queue)).to_have_count(0)
    agent.send("Sorry for the wait, Wally.")
    visitor.sees("Sorry for the wait, Wally.")
    agent.set_status("Available")
    wait_status(page, site.url, "available")


def test_sign_out_ends_the_session(site, team, people):
    crew = team("Olaf")
    agent = people.agent().sign_in(site.url, crew.emails["Olaf"])
    assert site.deployment.value(SESSION_TABLE, a=crew.ids["Olaf"]) == 1
    agent.sign_out()
    assert me(agent.page, site.url)[0] == 401
    assert site.deployment.value(SESSION_TABLE, a=crew.ids["Olaf"]) == 0
    agent.page.goto(site.url + "/console")
    expect(agent.button("Sign in")).to_be_visible()


def test_a_status_chosen_while_the_console_asks_who_i_am_is_kept(site, team, people):
    """The console's /me answer read before a status change arrives after it: the combobox
    keeps what the agent chose (the answer held back here, as a slow network would)."""
    crew = team("Sadie")
    agent = people.agent()
    page = agent.page
    held, fetched = [], []

    def hold_the_first(route):
        if held:
            route.continue_()
            return
        held.append(route)  # before the fetch, during which another /me may come
        fetched.append(route.fetch())

    page.route("**/api/console/me", hold_the_first)
    agent.sign_in_form(site.url).fill_sign_in(crew.emails["Sadie"], PASSWORD)
    expect(agent.status_box).to_be_visible()
    agent.wait_connected()

    def held_yet():
        page.evaluate("0")  # a round trip, in which Playwright runs the route handler
        return bool(fetched)

    poll(held_yet, 10, "the console's first /me to be held")
    [route], [answer] = held, fetched
    assert answer.json()["status"] == "offline"
    agent.set_status("Available")
    wait_status(page, site.url, "Available")
    with page.expect_event("requestfinished"):
        route.fulfill(response=answer)  # now the stale "offline" answer arrives
    people.screenshots("after-stale-me")
    expect(agent.status_box).to_have_value("available")
    assert me(page, site.url)[1]["status"] == "available"
