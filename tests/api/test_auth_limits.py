"""Credentials, roles, limits and the error envelope of the REST APIs (CONTRACT §1, §2)."""

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from chatwidget.core.identity import do_revoke_api_user
from tests.api.capture_helpers import EVERY_CAPTURE_ROLE, call_count, chat
from tests.conftest import api_user, bearer_for, make_app

TOKEN_SALT = "api-token"

# Each capture route, a body it accepts, and the role it needs.
ROUTES = {
    "/chatCapture/v1": ("chat_capture", chat("sess-auth")),
    "/callCapture/v1/status": ("chat_capture", {"CallSessionIds": ["sess-auth"]}),
    "/callEvent/v1/outofband/event": (
        "async_metadata",
        {"SessionId": "sess-auth", "Metadata": {"a": 1}},
    ),
    "/callEvent/v1/outofband/mastercall": (
        "async_metadata",
        {"masterCallId": "m-auth", "metadata": {"a": 1}},
    ),
    "/purge/v1/calls": ("purge", {"ids": ["c-auth"]}),
    "/purge/v1/calls/sessions": ("purge", {"ids": ["sess-auth"]}),
    "/purge/v1/calls/customer": ("purge", {"email": "a@example.com"}),
    "/callshare/v1/token": ("call_share", {"callId": "c-auth", "email": "a@example.com"}),
}


def assert_json_error(response, status):
    """status, a JSON body with a message, and nothing of a stack trace or a page."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body.get("message"), str) and body["message"]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "<html" not in text.lower()
    assert 'File "' not in text
    return body


def _token(client, client_id, secret, **extra):
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/Token", data={**form, **extra})


def _signed_at(app, payload, seconds_ago):
    """An API token for payload as the server signs them, but signed seconds_ago."""

    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - seconds_ago

    secret = app.config["SECRET_KEY"]
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT, signer=Past).dumps(payload)


@pytest.fixture
def client(sqlite_app):
    return sqlite_app.test_client()


# ---- /Token ------------------------------------------------------------------------------


def test_token_by_form_and_by_json(sqlite_app, client):
    client_id, secret = api_user(sqlite_app, "chat_capture")
    by_form = _token(client, client_id, secret)
    assert by_form.status_code == 200
    token = by_form.get_json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 1799
    assert token["access_token"]
    by_json = client.post(
        "/Token",
        json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert by_json.status_code == 200
    headers = {"Authorization": "bearer " + by_json.get_json()["access_token"]}
    assert client.post("/callCapture/v1/status", json={"CallSessionIds": ["x"]}, headers=headers)


def test_token_refusals(sqlite_app, client):
    client_id, secret = api_user(sqlite_app, "chat_capture")
    wrong_grant = _token(client, client_id, secret, grant_type="password")
    assert wrong_grant.status_code == 400
    assert wrong_grant.get_json()["error"] == "unsupported_grant_type"
    assert wrong_grant.get_json()["message"]
    for cid, sec in ((client_id, "wrong"), ("unknown", secret), ("", ""), (client_id, "")):
        refused = _token(client, cid, sec)
        assert refused.status_code == 401, (cid, sec)
        assert refused.get_json()["error"] == "invalid_client"
        assert refused.get_json()["message"]
    with sqlite_app.app_context():
        do_revoke_api_user(client_id)
    assert _token(client, client_id, secret).status_code == 401


# ---- bearer tokens -----------------------------------------------------------------------


def test_missing_or_bad_credentials_are_401_json(sqlite_app, client):
    good = bearer_for(sqlite_app, client, *EVERY_CAPTURE_ROLE)["Authorization"].split(" ", 1)[1]
    other = URLSafeTimedSerializer("another-secret", salt=TOKEN_SALT).dumps({"u": 1})
    ttl = sqlite_app.config["TOKEN_TTL_S"]
    expired = _signed_at(sqlite_app, {"u": 1}, ttl + 60)
    refused = {
        "no header": {},
        "empty": {"Authorization": ""},
        "scheme only": {"Authorization": "bearer"},
        "blank token": {"Authorization": "bearer    "},
        "basic scheme": {"Authorization": "Basic " + good},
        "no scheme": {"Authorization": good},
        "garbage": {"Authorization": "bearer not.a.token"},
        "tampered": {
            "Authorization": "bearer " + good[:-3] + ("xyz" if good[-3:] != "xyz" else "abc")
        },
        "other secret": {"Authorization": "bearer " + other},
        "expired": {"Authorization": "bearer " + expired},
        "unknown user": {"Authorization": "bearer " + _signed_at(sqlite_app, {"u": 999}, 0)},
        "not a claim": {"Authorization": "bearer " + _signed_at(sqlite_app, [1], 0)},
    }
    for case, headers in refused.items():
        for path, (_role, body) in ROUTES.items():
            response = client.post(path, json=body, headers=headers)
            assert_json_error(response, 401)
            assert response.status_code == 401, (case, path)
    assert call_count(sqlite_app) == 0
    # Within its lifetime the same kind of token is fine.
    fresh = {"Authorization": "bearer " + _signed_at(sqlite_app, {"u": 1}, ttl - 60)}
    assert client.post("/chatCapture/v1", json=chat("sess-ok"), headers=fresh).status_code == 200


def test_bearer_scheme_in_any_case(sqlite_app, client):
    token = bearer_for(sqlite_app, client, "chat_capture")["Authorization"].split(" ", 1)[1]
    for index, scheme in enumerate(("bearer", "Bearer", "BEARER", "bEaReR")):
        headers = {"Authorization": "%s %s" % (scheme, token)}
        response = client.post("/chatCapture/v1", json=chat("sess-%d" % index), headers=headers)
        assert response.status_code == 200, scheme
    assert call_count(sqlite_app) == 4


def test_each_route_needs_its_role(sqlite_app, client):
    for path, (role, body) in ROUTES.items():
        others = [r for r in EVERY_CAPTURE_ROLE + ("apps_api", "connector") if r != role]
        headers = bearer_for(sqlite_app, client, *others)
        response = client.post(path, json=body, headers=headers)
        assert_json_error(response, 403)
        assert role in response.get_json()["message"], path
        allowed = bearer_for(sqlite_app, client, role)
        assert client.post(path, json=body, headers=allowed).status_code in (200, 404), path
    # admin stands for every role
    admin = bearer_for(sqlite_app, client, "admin")
    assert client.post("/chatCapture/v1", json=chat("sess-admin"), headers=admin).status_code == 200


def test_forbidden_capture_stores_nothing(sqlite_app, client):
    headers = bearer_for(sqlite_app, client, "purge", "call_share")
    response = client.post("/chatCapture/v1", json=chat("sess-no"), headers=headers)
    assert_json_error(response, 403)
    assert call_count(sqlite_app) == 0


def test_revoked_user_is_401_at_once(sqlite_app, client):
    client_id, secret = api_user(sqlite_app, "chat_capture")
    headers = {
        "Authorization": "bearer " + _token(client, client_id, secret).get_json()["access_token"]
    }
    assert client.post("/chatCapture/v1", json=chat("sess-1"), headers=headers).status_code == 200
    with sqlite_app.app_context():
        do_revoke_api_user(client_id)
    response = client.post("/chatCapture/v1", json=chat("sess-2"), headers=headers)
    assert_json_error(response, 401)
    assert call_count(sqlite_app) == 1


# ---- limits ------------------------------------------------------------------------------


def test_rate_limit_is_429_with_retry_after_per_api_user(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT="3/minute")
    client = app.test_client()
    first = bearer_for(app, client, "chat_capture")
    second = bearer_for(app, client, "chat_capture")
    body = {"CallSessionIds": ["x"]}
    for _ in range(3):
        assert client.post("/callCapture/v1/status", json=body, headers=first).status_code == 200
    limited = client.post("/callCapture/v1/status", json=body, headers=first)
    assert_json_error(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert client.post("/chatCapture/v1", json=chat("sess-429"), headers=first).status_code == 429
    assert call_count(app) == 0
    # Another API user has its own allowance.
    assert client.post("/callCapture/v1/status", json=body, headers=second).status_code == 200


def test_body_over_max_body_mb_is_413_json(tmp_path):
    app = make_app(tmp_path, MAX_BODY_MB=0.01)
    client = app.test_client()
    headers = bearer_for(app, client, "chat_capture")
    big = chat("sess-big", Metadata={"blob": "x" * 20_000})
    response = client.post("/chatCapture/v1", json=big, headers=headers)
    body = assert_json_error(response, 413)
    assert "0.01" in body["message"]
    assert call_count(app) == 0
    small = client.post("/chatCapture/v1", json=chat("sess-small"), headers=headers)
    assert small.status_code == 200
    huge_form = client.post("/Token", data={"client_id": "x" * 20_000, "client_secret": "y"})
    assert_json_error(huge_form, 413)


def test_non_json_body_is_415_and_malformed_json_400(sqlite_app, client):
    headers = bearer_for(sqlite_app, client, "chat_capture")
    raw = '{"SessionId": "s", "UtcStart": "2024-03-01T10:00:00Z", "UtcEnd": "2024-03-01T10:00:00Z"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = client.post(
            "/chatCapture/v1", data=raw, content_type=content_type, headers=headers
        )
        assert_json_error(response, 415)
    for bad in ('{"SessionId": "s",', "{'SessionId': 's'}", "SessionId=s", "\xff\xfe{}", "{}}"):
        response = client.post(
            "/chatCapture/v1", data=bad, content_type="application/json", headers=headers
        )
        assert_json_error(response, 400)
    # application/json with a charset, and JSON's +json types, are JSON.
    for index, content_type in enumerate(
        ("application/json; charset=utf-8", "application/vnd.api+json")
    ):
        body = raw.replace('"s"', '"s-%d"' % index)
        response = client.post(
            "/chatCapture/v1", data=body, content_type=content_type, headers=headers
        )
        assert response.status_code == 200, content_type
    assert call_count(sqlite_app) == 2


# ---- the error envelope ------------------------------------------------------------------


def test_unknown_urls_and_methods_answer_json_under_the_api(sqlite_app, client):
    for path in ("/nope", "/chatCapture/v2", "/purge/v1", "/apps/api/v1/nothing"):
        assert_json_error(client.get(path), 404)
        assert_json_error(client.post(path, json={}), 404)
    assert_json_error(client.get("/chatCapture/v1"), 405)
    assert_json_error(client.delete("/callCapture/v1/status"), 405)


def test_pages_stay_html(sqlite_app, client):
    for path, status in (("/calls/x", 403), ("/calls/x?token=bad", 403), ("/calls/", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        assert response.mimetype == "text/html", path
        assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_errors_are_500_json_without_a_trace(tmp_path):
    app = make_app(tmp_path)

    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    app.add_url_rule("/callCapture/v1/boom", "boom", boom)
    app.add_url_rule("/calls/boom/page", "boom_page", boom)
    client = app.test_client()
    body = assert_json_error(client.get("/callCapture/v1/boom"), 500)
    assert "secret internals" not in body["message"]
    page = client.get("/calls/boom/page")
    assert page.status_code == 500
    assert "secret internals" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


def test_healthz_and_openapi(sqlite_app, client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ROUTES:
        operation = spec["paths"][path]["post"]
        assert {"200", "400", "401", "403", "413", "415", "429"} <= set(operation["responses"])
        assert "422" not in operation["responses"]
    token = spec["paths"]["/Token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert client.get("/docs").status_code == 200
