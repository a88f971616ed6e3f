"""PROXY_HOPS (CONTRACT §1 `proxies`): behind a trusted proxy the rate limit counts per real
client; without one, a client's own X-Forwarded-For changes nothing. And Retry-After is
only on the answers that ask a client to come back later."""

from tests.api.test_auth_limits import assert_json_error
from tests.conftest import make_app

PROXY = "10.0.0.5"
INIT = {"channel": "web", "email": "carla@example.com", "firstName": "Carla"}


def _init(client, forwarded_for=None, address=PROXY):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        "/api/customer/init", json=INIT, headers=headers, environ_base={"REMOTE_ADDR": address}
    )


def test_behind_one_proxy_each_client_has_its_own_bucket(tmp_path):
    client = make_app(tmp_path, RATE_LIMIT="2/minute", PROXY_HOPS=1).test_client()
    for _ in range(2):
        assert _init(client, "198.51.100.1").status_code == 200
    assert_json_error(_init(client, "198.51.100.1"), 429)
    # Another visitor through the same proxy is not locked out by the first.
    assert _init(client, "198.51.100.2").status_code == 200
    # Only the hop the proxy appended counts: a forged left-most entry is not a new client.
    assert_json_error(_init(client, "203.0.113.9, 198.51.100.1"), 429)


def test_without_proxy_hops_a_forged_forwarded_for_changes_nothing(tmp_path):
    client = make_app(tmp_path, RATE_LIMIT="2/minute").test_client()
    assert _init(client, "198.51.100.1").status_code == 200
    assert _init(client, "198.51.100.2").status_code == 200
    assert_json_error(_init(client, "198.51.100.3"), 429)
    assert_json_error(_init(client), 429)
    assert _init(client, address="10.0.0.6").status_code == 200  # another real address


def test_retry_after_only_on_429(tmp_path):
    client = make_app(tmp_path, RATE_LIMIT="2/minute").test_client()
    first = _init(client)
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert "Retry-After" not in first.headers
    bad = client.post("/api/customer/init", json={}, environ_base={"REMOTE_ADDR": PROXY})
    assert_json_error(bad, 400)
    assert "Retry-After" not in bad.headers
    limited = _init(client)
    assert_json_error(limited, 429)
    assert 0 < int(limited.headers["Retry-After"]) <= 60


def test_a_view_keeps_its_own_retry_after_on_a_503(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT="2/minute")
    app.add_url_rule("/api/busy", "busy", lambda: ({"message": "busy"}, 503, {"Retry-After": "7"}))
    answer = app.test_client().get("/api/busy")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"  # not the rate-limit window's end
    assert answer.headers["X-RateLimit-Remaining"] == "1"
