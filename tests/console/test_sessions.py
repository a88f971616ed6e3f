"""What a console session opens, and what ends it: sign-out and deactivation refuse the
old cookie, the agent's token and the /agent socket alike."""

import pytest

from chatwidget.extensions import socketio
from tests.console.helpers import (
    WRONG_PAIR,
    bearer,
    deactivate,
    sign_in,
    signed_in_agent,
)
from tests.sockets.helpers import AGENT_NS, PASSWORD

EMAIL = "alice-console@example.com"


def _socket(app, client, **kwargs):
    """An /agent socket test client carrying client's cookies; refused ones raise."""
    return socketio.test_client(app, namespace=AGENT_NS, flask_test_client=client, **kwargs)


def _connects(app, client, **kwargs):
    try:
        socket = _socket(app, client, **kwargs)
    except ConnectionRefusedError:  # the refusal, as flask_socketio's test client reports it
        return False
    connected = socket.is_connected(AGENT_NS)
    if connected:
        socket.disconnect(namespace=AGENT_NS)
    return connected


def _replayed(app, cookie):
    """A new browser holding an old session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def test_the_session_cookie_opens_the_agent_socket(app, client):
    signed_in_agent(app, client)
    assert _connects(app, client)
    assert not _connects(app, app.test_client())  # no cookie, no token


def test_a_cookie_sent_by_another_site_opens_no_socket(app, client):
    signed_in_agent(app, client)
    assert not _connects(app, client, headers={"Origin": "https://evil.example"})


def test_sign_out_ends_the_session_for_the_old_cookie(app, client):
    _, _, headers = signed_in_agent(app, client)
    cookie = client.get_cookie("session").value
    assert client.post("/console/sign-out", headers=headers).status_code == 303
    old = _replayed(app, cookie)  # as if stolen before the sign-out
    assert old.get("/api/console/me").status_code == 401
    assert "<h1>Sign in</h1>" in old.get("/console").get_data(as_text=True)
    assert not _connects(app, old)


@pytest.mark.parametrize("what", ["cookie", "token"])
def test_a_deactivated_agent_is_refused_everywhere(app, client, what):
    agent_id, token, _ = signed_in_agent(app, client)
    cookie = client.get_cookie("session").value
    deactivate(app, agent_id)
    if what == "cookie":
        old = _replayed(app, cookie)
        assert old.get("/api/console/me").status_code == 401
        assert not _connects(app, old)
    else:
        fresh = app.test_client()
        assert fresh.get("/api/console/me", headers=bearer(token)).status_code == 401
        assert not _connects(app, fresh, auth={"token": token})


def test_a_deactivated_agent_cannot_sign_in_again(app, client):
    agent_id, _, _ = signed_in_agent(app, client)
    deactivate(app, agent_id)
    fresh = app.test_client()
    response = sign_in(fresh, EMAIL)
    assert response.status_code == 401
    assert WRONG_PAIR in response.get_data(as_text=True)  # as for a wrong password
    token = fresh.post("/api/agent/token", json={"email": EMAIL, "password": PASSWORD})
    assert token.status_code == 401
    assert fresh.get("/api/console/me").status_code == 401


def test_sign_out_tells_the_sessions_open_sockets(app, client):
    """Another tab of the same browser learns at once that its sign-in is over."""
    _, token, headers = signed_in_agent(app, client)
    same_browser = _socket(app, client)
    other_browser = _socket(app, app.test_client(), auth={"token": token})
    same_browser.get_received(AGENT_NS), other_browser.get_received(AGENT_NS)
    assert client.post("/console/sign-out", headers=headers).status_code == 303
    assert [e["name"] for e in same_browser.get_received(AGENT_NS)] == ["signedOut"]
    assert other_browser.get_received(AGENT_NS) == []
