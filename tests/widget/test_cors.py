"""WIDGET_ORIGINS: CORS of the customer routes and Socket.IO's allowed origins."""

import pytest

from tests.conftest import make_app
from tests.widget.helpers import conversation_count, ended

SHOP = "https://shop.example"
EVIL = "https://evil.example"
INIT = {"channel": "web", "email": "a@example.com"}


def preflight(client, path, origin, method="POST"):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type, authorization",
    }
    return client.options(path, headers=headers)


@pytest.fixture
def listed(tmp_path):
    """An app whose widget may only be embedded by SHOP."""
    return make_app(tmp_path, WIDGET_ORIGINS=SHOP + "/, https://other.example")


def test_by_default_any_origin_may_call_and_preflight(sqlite_app):
    client = sqlite_app.test_client()
    answer = preflight(client, "/api/customer/init", EVIL)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    allowed = answer.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "authorization" in allowed
    posted = client.post("/api/customer/init", json=INIT, headers={"Origin": EVIL})
    assert posted.status_code == 200 and posted.headers["Access-Control-Allow-Origin"] == "*"


def test_a_listed_origin_is_echoed_on_every_customer_route_errors_included(listed):
    client = listed.test_client()
    conversation_id, participant_id = ended(listed)
    calls = [
        ("GET", "/api/customer/availability", None, 200),
        ("POST", "/api/customer/init", INIT, 200),
        ("POST", "/api/customer/offline", {"email": "a@example.com", "text": "hi"}, 200),
        ("POST", "/api/customer/conversations/%s/rating" % conversation_id, {}, 400),
        ("GET", "/api/customer/conversations", None, 401),
        ("POST", "/api/customer/attachments", None, 400),
        ("GET", "/api/customer/transcript/%s/pdf?participantId=x" % conversation_id, None, 404),
        ("GET", "/api/customer/transcript/%s/email?participantId=x" % conversation_id, None, 404),
    ]
    for method, path, body, status in calls:
        pre = preflight(client, path.partition("?")[0], SHOP, method)
        assert pre.headers.get("Access-Control-Allow-Origin") == SHOP, path
        assert method in pre.headers["Access-Control-Allow-Methods"], path
        answer = client.open(path, method=method, json=body, headers={"Origin": SHOP})
        assert answer.status_code == status, (path, answer.get_json())
        assert answer.headers.get("Access-Control-Allow-Origin") == SHOP, path
        assert "Origin" in answer.headers.get("Vary", ""), path
    assert participant_id


def test_another_origin_is_refused_and_changes_nothing(listed):
    client = listed.test_client()
    answer = preflight(client, "/api/customer/init", EVIL)
    assert "Access-Control-Allow-Origin" not in answer.headers
    posted = client.post("/api/customer/init", json=INIT, headers={"Origin": EVIL})
    assert posted.status_code == 403
    assert "WIDGET_ORIGINS" in posted.get_json()["message"]
    assert "Access-Control-Allow-Origin" not in posted.headers
    assert conversation_count(listed) == 0


def test_the_servers_own_pages_and_servers_without_origin_still_call(listed):
    client = listed.test_client()
    own = listed.config["PUBLIC_URL"]
    assert client.post("/api/customer/init", json=INIT, headers={"Origin": own}).status_code == 200
    assert client.post("/api/customer/init", json=INIT).status_code == 200  # no Origin: a script


def test_routes_outside_the_customer_channel_get_no_cors(sqlite_app):
    answer = sqlite_app.test_client().post("/Token", data={}, headers={"Origin": SHOP})
    assert "Access-Control-Allow-Origin" not in answer.headers


def _handshake(app, origin):
    """An Engine.IO polling handshake (the first request of every Socket.IO client)."""
    headers = {"Origin": origin} if origin else {}
    return app.test_client().get("/socket.io/?EIO=4&transport=polling", headers=headers)


def test_socketio_takes_only_the_listed_origins_and_the_servers_own(listed):
    assert _handshake(listed, SHOP).status_code == 200
    assert _handshake(listed, listed.config["PUBLIC_URL"]).status_code == 200
    assert _handshake(listed, None).status_code == 200  # python-socketio, connectors
    refused = _handshake(listed, EVIL)
    assert refused.status_code == 400


def test_socketio_takes_any_origin_by_default(sqlite_app):
    assert _handshake(sqlite_app, EVIL).status_code == 200
