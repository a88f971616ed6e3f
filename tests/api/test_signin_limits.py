"""Failed agent sign-ins are limited per e-mail and per client address (CONTRACT §1
`limits`, §5), and /openapi.json documents the 429s and /healthz."""

import uuid

import pytest

from tests.api.test_auth_limits import assert_json_error
from tests.conftest import make_app
from tests.sockets.helpers import PASSWORD, create_agent

PROXY = "10.9.8.7"


@pytest.fixture
def signin_app(tmp_path):
    # A short per-address allowance keeps the address case quick; the e-mail one is the default.
    return make_app(tmp_path, SIGNIN_LIMIT_PER_ADDRESS="8/minute")


def _sign_in(client, email, password, address="192.0.2.1"):
    return client.post(
        "/api/agent/token",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _agent(app):
    email = "ann-%s@example.com" % uuid.uuid4().hex[:6]
    create_agent(app, "Ann", email=email)
    return email


def test_the_sixth_failure_for_an_email_is_429_even_with_the_right_password(signin_app):
    client = signin_app.test_client()
    email = _agent(signin_app)
    for _ in range(5):
        assert_json_error(_sign_in(client, email, "wrong password"), 401)
    limited = _sign_in(client, email, "wrong password")
    body = assert_json_error(limited, 429)
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert "sign-in" in body["message"]
    # Locked out: the right password is refused too, until the window has passed.
    assert_json_error(_sign_in(client, email, PASSWORD), 429)
    assert_json_error(_sign_in(client, email.upper(), PASSWORD, address="192.0.2.99"), 429)
    # Another e-mail from the same address is still answered (401) until the address limit.
    assert_json_error(_sign_in(client, "nobody@example.com", "wrong"), 401)


def test_the_address_limit_counts_failures_across_emails(signin_app):
    client = signin_app.test_client()
    email = _agent(signin_app)
    for index in range(8):
        assert_json_error(_sign_in(client, "guess%d@example.com" % index, "x"), 401)
    limited = _sign_in(client, email, PASSWORD)
    assert_json_error(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    # Another address, the same agent: signed in.
    assert _sign_in(client, email, PASSWORD, address="192.0.2.2").status_code == 200


def test_successful_sign_ins_do_not_count(signin_app):
    client = signin_app.test_client()
    email = _agent(signin_app)
    for _ in range(4):
        assert_json_error(_sign_in(client, email, "wrong password"), 401)
    for _ in range(10):
        answer = _sign_in(client, email, PASSWORD)
        assert answer.status_code == 200, answer.get_json()
        assert "Retry-After" not in answer.headers
    assert_json_error(_sign_in(client, email, "wrong password"), 401)  # the fifth failure
    assert_json_error(_sign_in(client, email, PASSWORD), 429)


def test_behind_a_proxy_each_client_address_has_its_own_count(tmp_path):
    app = make_app(tmp_path, SIGNIN_LIMIT_PER_ADDRESS="3/minute", PROXY_HOPS=1)
    client = app.test_client()

    def attempt(client_address):
        return client.post(
            "/api/agent/token",
            json={"email": "x-%s@example.com" % uuid.uuid4().hex[:6], "password": "x"},
            environ_base={"REMOTE_ADDR": PROXY},
            headers={"X-Forwarded-For": client_address},
        )

    for _ in range(3):
        assert attempt("198.51.100.1").status_code == 401
    assert attempt("198.51.100.1").status_code == 429
    assert attempt("198.51.100.2").status_code == 401


def test_openapi_documents_healthz_and_the_429s(sqlite_app):
    client = sqlite_app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    paths = client.get("/openapi.json").get_json()["paths"]
    health = paths["/healthz"]["get"]["responses"]
    assert {"200", "503"} <= set(health)
    for path in ("/api/agent/token", "/api/customer/init"):
        too_many = paths[path]["post"]["responses"]["429"]
        assert "Retry-After" in too_many["headers"], path


def test_processes_sharing_redis_share_the_counts(tmp_path):
    from chatwidget.extensions import socketio
    from tests.system.servers import REDIS_URL, redis_reason

    reason = redis_reason()
    if reason:
        pytest.skip(reason)
    saved = dict(socketio.server_options)  # an app made with REDIS_URL leaves its queue there
    try:
        config = dict(
            REDIS_URL=REDIS_URL,
            RATELIMIT_KEY_PREFIX="t" + uuid.uuid4().hex[:8],
            SECRET_KEY="shared-" + uuid.uuid4().hex,
            DATABASE_URL="sqlite:///%s" % (tmp_path / "shared.db"),
        )
        one = make_app(tmp_path / "one", **config).test_client()
        two = make_app(tmp_path / "two", **config).test_client()  # another process
        for client in (one, two, one, two, one):
            assert_json_error(_sign_in(client, "ann@example.com", "wrong"), 401)
        limited = _sign_in(two, "ann@example.com", "wrong")
        assert_json_error(limited, 429)
        assert int(limited.headers["Retry-After"]) > 0
    finally:
        socketio.server_options.clear()
        socketio.server_options.update(saved)
