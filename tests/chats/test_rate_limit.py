"""The chats API's own limit per API user (CHATS_RATE_LIMIT, the vendor's 10/s by default)."""

import base64
import time

import pytest

from chatwidget.config import from_environment
from chatwidget.core.chats_limit import not_implied
from tests.chats.helpers import BASE, basic, integrator
from tests.conftest import make_app
from tests.sockets.helpers import create_queue


@pytest.fixture
def app_overrides():
    return {"CHATS_RATE_LIMIT": "3/minute"}  # a window no test outlives


def test_past_the_limit_an_api_user_gets_429_with_retry_after_and_others_do_not(app, client):
    create_queue(app, "general")
    crm, other = integrator(app), integrator(app)
    for _ in range(3):
        assert client.get(BASE + "/chats/999", headers=crm).status_code == 404
    limited = client.get(BASE + "/chats/999", headers=crm)
    assert limited.status_code == 429
    assert limited.get_json()["message"] and int(limited.headers["Retry-After"]) > 0
    created = client.post(BASE + "/chats", json={}, headers=crm)
    assert created.status_code == 429  # refused before the body is read: nothing opened
    assert client.get(BASE + "/chats/1", headers=other).status_code == 404  # no chat 1


def test_the_default_is_the_vendors_ten_a_second(monkeypatch):
    monkeypatch.delenv("CHATS_RATE_LIMIT", raising=False)
    assert from_environment()["CHATS_RATE_LIMIT"] == "10/second"


def _limited_app(tmp_path, **config):
    return make_app(tmp_path, CHATS_RATE_LIMIT="100/minute", **config)


def test_rate_limit_counts_each_api_user_on_the_chats_api(tmp_path):
    app = _limited_app(tmp_path, RATE_LIMIT="2/minute")
    client = app.test_client()
    crm, other = integrator(app), integrator(app)
    for _ in range(2):
        assert client.get(BASE + "/chats/999", headers=crm).status_code == 404
    limited = client.get(BASE + "/chats/999", headers=crm)
    assert limited.status_code == 429
    assert "2 per 1 minute" in limited.get_json()["message"]
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get(BASE + "/chats/999", headers=other).status_code == 404


def test_answers_tell_the_allowance_left_and_only_429s_say_when_to_retry(tmp_path):
    app = make_app(tmp_path, CHATS_RATE_LIMIT="2/minute")
    client = app.test_client()
    crm = integrator(app)
    before = time.time()
    answers = [client.get(BASE + "/chats/999", headers=crm) for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 429]
    assert [a.headers["X-RateLimit-Limit"] for a in answers] == ["2", "2", "2"]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert all(before < int(a.headers["X-RateLimit-Reset"]) <= before + 62 for a in answers)
    assert [("Retry-After" in a.headers) for a in answers] == [False, False, True]


def test_credentials_that_fail_count_against_the_address_not_the_user_they_name(tmp_path):
    app = _limited_app(tmp_path, RATE_LIMIT="2/minute")
    client = app.test_client()
    crm = integrator(app)
    client_id = base64.b64decode(crm["Authorization"].split()[1]).decode().split(":")[0]
    forged = basic(client_id, "not-the-secret")
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [
        client.get(BASE + "/chats/999", headers=forged, environ_base=attacker).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    assert client.get(BASE + "/chats/999", headers=crm).status_code == 404  # crm unaffected
    other = {"REMOTE_ADDR": "203.0.113.10"}
    assert client.get(BASE + "/chats/999", headers=forged, environ_base=other).status_code == 401


def test_every_chats_route_is_rate_limited(tmp_path):
    app = _limited_app(tmp_path, RATE_LIMIT="1/minute")
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("chats.")]
    assert len(rules) >= 14
    for number, rule in enumerate(rules):
        path = rule.rule.replace("<int(max=2147483647):chat_id>", "1")
        path = path.replace("<int(max=2147483647):escalation_id>", "1")
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        address = {"REMOTE_ADDR": "198.51.100.%d" % number}
        client = app.test_client()
        first = client.open(path, method=method, environ_base=address)
        again = client.open(path, method=method, environ_base=address)
        assert (first.status_code, again.status_code) == (401, 429), rule.rule


@pytest.mark.parametrize(
    "rate_limit, chats_limit, counted",
    [
        ("50/second", "10/second", []),  # the defaults: the vendor's limit is the tighter
        ("50/second;1000/hour", "10/second", ["1000 per 1 hour"]),
        ("5/second", "10/second", ["5 per 1 second"]),
        ("20/second", "10/minute", []),  # 10 a minute allows at most 10 in any second
        ("20/minute", "10/second", ["20 per 1 minute"]),
    ],
)
def test_rate_limit_is_counted_where_the_chats_limit_does_not_enforce_it(
    rate_limit, chats_limit, counted
):
    assert [str(item) for item in not_implied(rate_limit, chats_limit)] == counted


def test_a_rate_limit_the_chats_limit_does_not_imply_still_refuses(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT="50/second;3/minute", CHATS_RATE_LIMIT="10/second")
    client = app.test_client()
    crm = integrator(app)
    statuses = [client.get(BASE + "/chats/999", headers=crm).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
