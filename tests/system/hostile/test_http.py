"""Issue 15's hostile probes over HTTP, against served processes on SQLite and PostgreSQL
(CONTRACT §1 limits and proxies, §4 the customer's secret)."""

import json
import os
import uuid

import pytest
import requests

from tests.system.clients import TIMEOUT, check_ok
from tests.system.hostile.conftest import AGENT_PASSWORD
from tests.system.hostile.probes import joined_customer, raw_post, readable

pytestmark = pytest.mark.slow
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "fixtures")


def _init(base_url, forwarded_for=None):
    """POST /api/customer/init from a client, as a proxy would pass it on."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    body = {"channel": "web", "email": "proxy-%s@example.test" % uuid.uuid4().hex[:6]}
    return requests.post(base_url + "/api/customer/init", json=body, headers=headers,
                         timeout=TIMEOUT)  # fmt: skip


def _exhaust(base_url, forwarded_for, most=20):
    """Send inits from one client until it is rate limited; that 429."""
    for _ in range(most):
        answer = _init(base_url, forwarded_for)
        if answer.status_code == 429:
            return answer
        assert answer.status_code == 200, answer.text
    raise AssertionError("%d inits from %s were never rate limited" % (most, forwarded_for))


def test_behind_one_proxy_each_client_has_its_own_bucket(proxied):
    limited = _exhaust(proxied[1], "192.0.2.10")
    assert limited.headers["Retry-After"].isdigit(), limited.headers
    assert _init(proxied[1], "192.0.2.11").status_code == 200  # another client, another bucket


def test_with_no_proxy_trusted_a_forged_header_gets_no_fresh_bucket(proxied):
    _exhaust(proxied[0], "192.0.2.20")
    assert _init(proxied[0], "192.0.2.21").status_code == 429
    assert _init(proxied[0]).status_code == 429


def test_the_sixth_failed_sign_in_for_one_email_is_429_with_retry_after(served):
    wrong = {"email": served.signin_email, "password": "not " + AGENT_PASSWORD}
    url = served.url + "/api/agent/token"
    statuses = [requests.post(url, json=wrong, timeout=TIMEOUT).status_code for _ in range(5)]
    assert statuses == [401] * 5
    sixth = requests.post(url, json=wrong, timeout=TIMEOUT)
    assert sixth.status_code == 429, sixth.text
    assert int(sixth.headers["Retry-After"]) > 0
    assert "message" in sixth.json()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_max_body_mb_is_413(served, chunked):
    prefix = b'{"channel": "web", "email": "big@example.test", "refId": "'
    body = prefix + b"x" * (1024 * 1024 + 1) + b'"}'  # the served MAX_BODY_MB is 1
    answer = raw_post(served.url, "/api/customer/init", body, chunked)
    assert answer.startswith("HTTP/1.1 413"), answer


def test_retry_after_comes_only_with_a_429(served):
    answers = [
        requests.get(served.url + "/healthz", timeout=TIMEOUT),
        _init(served.url),
        requests.post(served.url + "/api/customer/init", json={}, timeout=TIMEOUT),
        requests.post(served.url + "/Token", data={"grant_type": "client_credentials"},
                      timeout=TIMEOUT),
    ]  # fmt: skip
    assert [a.status_code for a in answers] == [200, 200, 400, 401]
    assert [a.headers.get("Retry-After") for a in answers] == [None] * 4


def _capture_token(served):
    form = {"grant_type": "client_credentials", **served.capture_user}
    answer = requests.post(served.url + "/Token", data=form, timeout=TIMEOUT)
    return {"Authorization": "bearer " + answer.json()["access_token"]}


def test_a_share_link_reveals_no_email(served):
    headers = _capture_token(served)
    with open(os.path.join(FIXTURES, "sample_chat.json")) as fh:
        chat = dict(json.load(fh), SessionId=str(uuid.uuid4()))
    captured = requests.post(served.url + "/chatCapture/v1", json=chat, headers=headers,
                             timeout=TIMEOUT)  # fmt: skip
    assert captured.status_code == 200, captured.text
    email = "qa-%s@example.test" % uuid.uuid4().hex[:8]
    share = {"callId": captured.json()["callId"], "email": email}
    answer = requests.post(served.url + "/callshare/v1/token", json=share, headers=headers,
                           timeout=TIMEOUT)  # fmt: skip
    assert answer.status_code == 200, answer.text
    link = answer.json()["callUrl"]
    assert email not in readable(link), link
    assert requests.get(link, timeout=TIMEOUT).status_code == 200  # and the link still works


def test_a_transcript_link_reveals_no_email_and_no_participant_id(served, fresh_email):
    customer = joined_customer(served.url, email=fresh_email)
    customer.send("a short chat")
    end = {"conversationId": customer.conversation_id}
    check_ok(customer.client.call("endConversation", end, timeout=TIMEOUT), "end")
    customer.disconnect()
    url = "%s/api/customer/transcript/%s/pdf" % (served.url, customer.conversation_id)
    pdf = requests.get(url, params={"participantId": customer.participant_id}, timeout=60)
    assert pdf.status_code == 200, pdf.text
    link = pdf.headers["X-Transcript-Url"]
    text = readable(link)
    assert fresh_email not in text and customer.participant_id.lower() not in text, link
    again = requests.get(link, timeout=60)  # and the link still works
    assert again.status_code == 200 and again.headers["Content-Type"] == "application/pdf"
