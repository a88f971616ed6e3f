"""The limiter's per-endpoint path counts, keys and answers exactly as Flask-Limiter's own.

chatwidget.patches.limiter.Limiter resolves the application-wide limits once per endpoint; these
tests hold it to a stock flask_limiter.Limiter on the same requests (headers, 429, storage
keys), across two apps sharing Redis, and check that any other configuration is handed
to Flask-Limiter whole.
"""

import threading
import time
import uuid

import flask_limiter
import pytest
from limits import parse

from chatwidget import patches
from chatwidget.extensions import socketio
from chatwidget.patches.limiter import MemoryStorage
from tests.api.capture_helpers import chat
from tests.conftest import bearer_for, make_app
from tests.system.servers import REDIS_URL, redis_reason

STATUS = {"CallSessionIds": ["x"]}
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After")


def limiter_of(app):
    (limiter,) = app.extensions["limiter"]
    return limiter


def run(app, requests=5):
    """Status, rate-limit headers and body message of a burst from one API user."""
    client = app.test_client()
    headers = bearer_for(app, client, "chat_capture")
    seen = []
    for index in range(requests):
        if index % 2:
            response = client.post("/chatCapture/v1", json=chat("s-%d" % index), headers=headers)
        else:
            response = client.post("/callCapture/v1/status", json=STATUS, headers=headers)
        body = response.get_json()
        seen.append(
            (
                response.status_code,
                {name: response.headers.get(name) for name in HEADERS},
                body.get("message") if response.status_code != 200 else None,
            )
        )
    page = client.get("/healthz")
    assert page.status_code == 200
    assert "X-RateLimit-Limit" not in page.headers  # the pages' blueprint is exempt
    return seen


def stock_app(monkeypatch, tmp_path, **config):
    """The same app with Flask-Limiter's own Limiter (the limiter patch out)."""
    with monkeypatch.context() as patch:
        patch.setattr(patches, "DISABLED", frozenset({"limiter"}))
        return make_app(tmp_path / "stock", **config)


def test_same_answers_and_keys_as_flask_limiter(monkeypatch, tmp_path):
    prefix = "t" + uuid.uuid4().hex[:8]
    ours = make_app(tmp_path / "ours", RATE_LIMIT="3/minute;100/hour", RATELIMIT_KEY_PREFIX=prefix)
    stock = stock_app(
        monkeypatch, tmp_path, RATE_LIMIT="3/minute;100/hour", RATELIMIT_KEY_PREFIX=prefix
    )
    assert type(limiter_of(stock)) is flask_limiter.Limiter
    ours_seen, stock_seen = run(ours), run(stock)
    assert [s for s, _, _ in ours_seen] == [200, 200, 200, 429, 429]
    # Retry-After counts seconds to the window's end: the two runs may straddle a second.
    # It is on the 429s only, with either limiter (the app's after_request hook).
    for ours_one, stock_one in zip(ours_seen, stock_seen, strict=True):
        ours_wait, stock_wait = ours_one[1].pop("Retry-After"), stock_one[1].pop("Retry-After")
        if ours_one[0] != 429:
            assert ours_wait is None and stock_wait is None
            continue
        assert 0 < int(ours_wait) and abs(int(ours_wait) - int(stock_wait)) <= 1
    assert ours_seen == stock_seen
    assert "3 per 1 minute" in ours_seen[3][2]
    assert set(limiter_of(ours).storage.storage) == set(limiter_of(stock).storage.storage)
    assert limiter_of(ours)._per_endpoint["capture.ChatCapture"]  # resolved once, not per request


@pytest.fixture
def socketio_restored():
    """Put Socket.IO's options back: an app made with REDIS_URL leaves its queue in them."""
    saved = dict(socketio.server_options)
    yield
    socketio.server_options.clear()
    socketio.server_options.update(saved)


def test_api_users_share_their_allowance_through_redis(tmp_path, socketio_restored):
    reason = redis_reason()
    if reason:
        pytest.skip(reason)
    config = dict(
        REDIS_URL=REDIS_URL,
        RATE_LIMIT="3/minute",
        RATELIMIT_KEY_PREFIX="t" + uuid.uuid4().hex[:8],
        SECRET_KEY="shared-" + uuid.uuid4().hex,
        DATABASE_URL="sqlite:///%s" % (tmp_path / "shared.db"),
    )
    first = make_app(tmp_path / "one", **config)
    second = make_app(tmp_path / "two", **config)  # another process of the same deployment
    client_one, client_two = first.test_client(), second.test_client()
    headers = bearer_for(first, client_one, "chat_capture")
    assert (
        client_one.post("/callCapture/v1/status", json=STATUS, headers=headers).status_code == 200
    )
    assert (
        client_two.post("/callCapture/v1/status", json=STATUS, headers=headers).status_code == 200
    )
    third = client_two.post("/callCapture/v1/status", json=STATUS, headers=headers)
    assert third.status_code == 200
    assert third.headers["X-RateLimit-Remaining"] == "0"
    limited = client_one.post("/chatCapture/v1", json=chat("s-redis"), headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_other_configurations_take_flask_limiters_own_path(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT="3/minute", RATELIMIT_DEFAULT="1/minute")
    seen = run(app, requests=3)
    assert [s for s, _, _ in seen] == [200, 200, 429]  # the per-route default counts too
    assert limiter_of(app)._per_endpoint["capture.CallStatus"] is False


def test_disabled_limiter_limits_nothing(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT="1/minute", RATELIMIT_ENABLED=False)
    assert [s for s, _, _ in run(app, requests=3)] == [200, 200, 200]


def test_memory_storage_starts_no_thread_per_hit_and_sweeps(monkeypatch, tmp_path):
    app = make_app(tmp_path, RATE_LIMIT="50/second")
    storage = limiter_of(app).storage
    assert isinstance(storage, MemoryStorage)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    assert [s for s, _, _ in run(app, requests=4)] == [200] * 4
    assert started == []
    item = parse("1/second")
    assert storage.incr(item.key_for("k"), 1) == 1
    storage._next_sweep = 0.0
    monkeypatch.setattr(time, "time", lambda: 10.0**10)  # every counter long expired
    storage.incr(parse("1/day").key_for("other"), 86400)
    assert item.key_for("k") not in storage.storage
