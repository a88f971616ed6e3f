"""Signing in at /console (CONTRACT §6): the form, its CSRF token, the failed-attempt
limit, the session's expiry, sign-out, and `next`."""

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select, update

from chatwidget.console import safe_next
from chatwidget.extensions import db
from chatwidget.models import AgentSession
from chatwidget.models.types import utcnow
from tests.console.helpers import (
    WRONG_PAIR,
    form_token,
    page_token,
    sign_in,
    signed_in_agent,
)
from tests.sockets.helpers import PASSWORD, create_agent

ALICE = "alice@example.com"


@pytest.fixture
def app_overrides():
    return {"SIGNIN_LIMIT_PER_EMAIL": "3/minute", "CONSOLE_SESSION_TTL_S": 600}


def _me(client):
    return client.get("/api/console/me")


def test_the_form_names_its_fields_and_is_never_cached(app, client):
    response = client.get("/console")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "<h1>Sign in</h1>" in page
    assert '<label for="email">Email</label>' in page
    assert 'id="email" name="email" type="email" autocomplete="username"' in page
    assert '<label for="password">Password</label>' in page
    assert 'id="password" name="password" type="password"' in page
    assert '<button type="submit">Sign in</button>' in page
    assert form_token(client)
    assert 'role="alert"' not in page


def test_the_right_pair_opens_the_console(app, client):
    create_agent(app, "Alice", email=ALICE)
    response = sign_in(client, ALICE)
    assert response.status_code == 303
    assert response.headers["Location"] == "/console"
    # The cookie lives as long as the server-side session: CONSOLE_SESSION_TTL_S.
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    lifetime = expires.replace(tzinfo=None) - utcnow()
    assert timedelta(seconds=590) < lifetime <= timedelta(seconds=600)
    with app.app_context():
        row = db.session.scalar(select(AgentSession))
        assert abs(row.expires_at - row.created_at - timedelta(seconds=600)) < timedelta(seconds=1)
    page = client.get("/console")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert '<meta name="csrf-token" content="' in text and '<div id="app"></div>' in text
    assert "Sign out" in text
    assert _me(client).get_json()["email"] == ALICE


def test_the_address_is_case_insensitive(app, client):
    create_agent(app, "Alice", email=ALICE)
    assert sign_in(client, "  Alice@Example.COM ").status_code == 303


@pytest.mark.parametrize(
    "email, password", [(ALICE, "wrong password"), ("bob@example.com", PASSWORD)]
)
def test_a_wrong_pair_says_so_without_saying_which_half(app, client, email, password):
    create_agent(app, "Alice", email=ALICE)
    response = sign_in(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert '<p role="alert" class="alert">%s</p>' % WRONG_PAIR in page
    assert 'value="%s"' % email in page  # the e-mail is kept
    assert password not in page  # the password never comes back
    assert _me(client).status_code == 401


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_a_form_without_its_token_signs_nobody_in(app, client, token):
    create_agent(app, "Alice", email=ALICE)
    response = sign_in(client, ALICE, token=token)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<p role="alert" class="alert">The form expired; please sign in again.</p>' in page
    assert form_token(client)  # a form to try again with
    assert _me(client).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(AgentSession)) is None


def test_a_token_of_another_browser_is_refused(app, client):
    create_agent(app, "Alice", email=ALICE)
    other = app.test_client()
    response = sign_in(client, ALICE, token=form_token(other))
    assert response.status_code == 400
    assert _me(client).status_code == 401


def test_failed_sign_ins_are_limited_and_the_right_password_waits_too(app, client):
    create_agent(app, "Alice", email=ALICE)
    for _ in range(3):
        assert sign_in(client, ALICE, "wrong password").status_code == 401
    response = sign_in(client, ALICE)  # the right one, now refused
    wait = int(response.headers["Retry-After"])
    assert response.status_code == 429
    assert 0 < wait <= 60
    alert = '<p role="alert" class="alert">Too many failed sign-ins; try again in %d s.</p>'
    assert alert % wait in response.get_data(as_text=True)
    assert _me(client).status_code == 401


def test_the_form_limit_and_the_token_route_share_their_counts(app, client):
    create_agent(app, "Alice", email=ALICE)
    for _ in range(3):
        body = {"email": ALICE, "password": "wrong password"}
        assert client.post("/api/agent/token", json=body).status_code == 401
    assert sign_in(client, ALICE).status_code == 429


def test_an_expired_session_asks_again(app, client):
    signed_in_agent(app, client)
    assert _me(client).status_code == 200
    with app.app_context():
        db.session.execute(update(AgentSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _me(client).status_code == 401
    assert "<h1>Sign in</h1>" in client.get("/console").get_data(as_text=True)


def test_signing_in_again_replaces_the_session(app, client):
    signed_in_agent(app, client)
    first = client.get_cookie("session").value
    assert sign_in(client, "alice-console@example.com").status_code == 303
    assert client.get_cookie("session").value != first
    assert _me(client).status_code == 200


def test_sign_out_needs_the_pages_token(app, client):
    _, _, headers = signed_in_agent(app, client)
    assert client.post("/console/sign-out").status_code == 400
    assert client.post("/console/sign-out", headers={"X-CSRFToken": "forged"}).status_code == 400
    assert _me(client).status_code == 200
    response = client.post("/console/sign-out", data={"csrf_token": headers["X-CSRFToken"]})
    assert response.status_code == 303 and response.headers["Location"] == "/console"
    assert _me(client).status_code == 401


def test_signed_out_pages_ask_to_sign_in(app, client):
    _, _, headers = signed_in_agent(app, client)
    assert client.post("/console/sign-out", headers=headers).status_code == 303
    assert "<h1>Sign in</h1>" in client.get("/console").get_data(as_text=True)
    # Signing out twice (another tab) is no error.
    token = form_token(client)
    assert client.post("/console/sign-out", data={"csrf_token": token}).status_code == 303


@pytest.mark.parametrize("target", ["/calls/abc-123", "/console#/admin/agents", "/calls/x?token=1"])
def test_a_same_site_next_is_followed(app, client, target):
    create_agent(app, "Alice", email=ALICE)
    page = client.get("/console", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next"' in page
    response = sign_in(client, ALICE, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/calls/x\r\nSet-Cookie: a=b",
        "calls/x",
        "",
    ],
)
def test_any_other_next_goes_to_the_console(app, client, target):
    create_agent(app, "Alice", email=ALICE)
    response = sign_in(client, ALICE, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/console"


def test_safe_next_takes_only_paths_of_this_site():
    assert safe_next("/calls/1") == "/calls/1"
    for value in (None, 3, "//x", "/\\x", "https://x/", "x", "/a\tb", "/" + "a" * 2000):
        assert safe_next(value) is None


def test_the_csrf_token_of_the_console_page_is_the_sessions(app, client):
    _, _, headers = signed_in_agent(app, client)
    assert page_token(client)
    body = {"shortcut": "hi", "text": "Hello!"}
    assert client.post("/api/console/canned", json=body, headers=headers).status_code == 201


def test_what_was_typed_comes_back_as_text(app, client):
    typed = '"><script>alert(1)</script>@example.com'
    page = sign_in(client, typed, "x").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.com" in page
    nexted = client.get("/console", query_string={"next": '/calls/"><b>x'})
    assert '"><b>' not in nexted.get_data(as_text=True)
