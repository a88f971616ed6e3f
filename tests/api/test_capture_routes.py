"""Status, out-of-band metadata, purges and share links of the chat-capture API (CONTRACT §2)."""

import time
from datetime import datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from chatwidget.core.share import _SALT as SHARE_SALT
from chatwidget.models.types import utcnow
from tests.api.capture_helpers import (
    EVERY_CAPTURE_ROLE,
    call_count,
    capture,
    chat,
    key_count,
    page_path,
    status_of,
    statuses,
    stored_call,
)
from tests.conftest import bearer_for


@pytest.fixture
def headers(app, client):
    return bearer_for(app, client, *EVERY_CAPTURE_ROLE)


# ---- status ------------------------------------------------------------------------------


def test_status_answers_each_session_in_the_order_asked(app, client, headers):
    five = capture(client, headers, chat("sess-a"))
    zero = capture(client, headers, chat("sess-b", UtcEnd="2024-03-01T10:00:00Z"))
    answer = statuses(client, headers, "nope-1", "sess-b", "sess-a", "nope-1", "SESS-A")
    assert answer == [
        {"callId": None, "sessionId": "nope-1", "status": "NotFound", "durationSec": None},
        {"callId": zero, "sessionId": "sess-b", "status": "Complete", "durationSec": 0},
        {"callId": five, "sessionId": "sess-a", "status": "Complete", "durationSec": 300},
        {"callId": None, "sessionId": "nope-1", "status": "NotFound", "durationSec": None},
        {"callId": None, "sessionId": "SESS-A", "status": "NotFound", "durationSec": None},
    ]


def test_status_request_rules(app, client, headers):
    for body in ({}, {"CallSessionIds": []}, {"CallSessionIds": "sess-a"}, {"CallSessionIds": [1]}):
        response = client.post("/callCapture/v1/status", json=body, headers=headers)
        assert response.status_code == 400, body
        assert "CallSessionIds" in response.get_json()["errors"], body
    response = client.post(
        "/callCapture/v1/status", json={"callSessionIds": ["x"]}, headers=headers
    )
    assert response.status_code == 200
    assert response.get_json()["callSessions"][0]["status"] == "NotFound"


# ---- out-of-band metadata --------------------------------------------------------------


def _event(client, headers, session_id, metadata, event_time=None):
    body = {"SessionId": session_id, "Metadata": metadata}
    if event_time:
        body["EventTime"] = event_time
    return client.post("/callEvent/v1/outofband/event", json=body, headers=headers)


def test_session_event_merges_and_later_events_overwrite(app, client, headers):
    capture(client, headers, chat("sess-ev", Metadata={"ReferenceId": "r-1", "Keep": "k"}))
    first = _event(
        client, headers, "sess-ev", {"ReferenceId": "r-2", "Score": 1}, "2024-03-01T11:00:00Z"
    )
    assert first.status_code == 200
    assert first.get_json()["message"]
    assert stored_call(app, "sess-ev")["metadata"] == {
        "ReferenceId": "r-2",
        "Keep": "k",
        "Score": 1,
    }

    later = _event(client, headers, "sess-ev", {"Score": 2, "Extra": [1]}, "2024-03-01T12:00:00Z")
    assert later.status_code == 200
    # An event stamped before the last one for a key does not undo it.
    stale = _event(client, headers, "sess-ev", {"Score": 0}, "2024-03-01T11:30:00Z")
    assert stale.status_code == 200
    assert stored_call(app, "sess-ev")["metadata"] == {
        "ReferenceId": "r-2",
        "Keep": "k",
        "Score": 2,
        "Extra": [1],
    }
    # No EventTime: it happened now, after everything above.
    assert _event(client, headers, "sess-ev", {"Keep": {"nested": True}}).status_code == 200
    assert stored_call(app, "sess-ev")["metadata"]["Keep"] == {"nested": True}


def test_session_event_any_case_and_offsets(app, client, headers):
    capture(client, headers, chat("sess-case"))
    response = client.post(
        "/callEvent/v1/outofband/event",
        json={
            "sessionId": "sess-case",
            "eventTime": "2024-03-01T11:00:00.1234567",
            "metaData": {"a": 1},
        },
        headers=headers,
    )
    assert response.status_code == 200
    assert stored_call(app, "sess-case")["metadata"] == {"ReferenceId": "r-1", "a": 1}


def test_session_event_for_an_unknown_session_is_404(app, client, headers):
    capture(client, headers, chat("sess-known"))
    response = _event(client, headers, "sess-unknown", {"a": 1})
    assert response.status_code == 404
    assert "sess-unknown" in response.get_json()["message"]
    assert call_count(app) == 1
    assert status_of(client, headers, "sess-unknown") == "NotFound"


def test_session_event_rules(app, client, headers):
    capture(client, headers, chat("sess-rule"))
    bad = {
        "Metadata": {"SessionId": "sess-rule"},
        "SessionId": {"Metadata": {"a": 1}},
        "EventTime": {"SessionId": "sess-rule", "Metadata": {}, "EventTime": "soon"},
    }
    bad["Metadata list"] = {"SessionId": "sess-rule", "Metadata": [1]}
    for case, body in bad.items():
        response = client.post("/callEvent/v1/outofband/event", json=body, headers=headers)
        assert response.status_code == 400, case
        assert case.split()[0] in response.get_json()["errors"], case
    assert stored_call(app, "sess-rule")["metadata"] == {"ReferenceId": "r-1"}


def test_event_reindexes_metadata_for_customer_purge(app, client, headers):
    capture(client, headers, chat("sess-idx", Metadata={"Phone": "555-0001"}))
    _event(client, headers, "sess-idx", {"Phone": "555-0002"})
    old = _customer(client, headers, {"phoneNumber": "555-0001"}, what_if=True)
    new = _customer(client, headers, {"phoneNumber": "555-0002"}, what_if=True)
    assert old == []
    assert [item["sessionId"] for item in new] == ["sess-idx"]


def test_mastercall_event_reaches_every_call_of_the_master_call(app, client, headers):
    capture(client, headers, chat("sess-m1", MasterCallId="master-1"))
    capture(client, headers, chat("sess-m2", MasterCallId="master-1", Metadata=None))
    capture(client, headers, chat("sess-other", MasterCallId="master-2"))
    response = client.post(
        "/callEvent/v1/outofband/mastercall",
        json={
            "masterCallId": "master-1",
            "eventTime": "2024-03-01T11:00:00Z",
            "metadata": {"Outcome": "sale"},
        },
        headers=headers,
    )
    assert response.status_code == 200
    assert stored_call(app, "sess-m1")["metadata"] == {"ReferenceId": "r-1", "Outcome": "sale"}
    assert stored_call(app, "sess-m2")["metadata"] == {"Outcome": "sale"}
    assert stored_call(app, "sess-other")["metadata"] == {"ReferenceId": "r-1"}

    pascal = client.post(
        "/callEvent/v1/outofband/mastercall",
        json={"MasterCallId": "master-1", "Metadata": {"Outcome": "refund"}},
        headers=headers,
    )
    assert pascal.status_code == 200
    assert stored_call(app, "sess-m2")["metadata"] == {"Outcome": "refund"}


def test_mastercall_event_for_an_unknown_master_call_is_404(app, client, headers):
    capture(client, headers, chat("sess-m1", MasterCallId="master-1"))
    response = client.post(
        "/callEvent/v1/outofband/mastercall",
        json={"masterCallId": "master-9", "metadata": {"a": 1}},
        headers=headers,
    )
    assert response.status_code == 404
    assert "master-9" in response.get_json()["message"]
    assert stored_call(app, "sess-m1")["metadata"] == {"ReferenceId": "r-1"}


# ---- purge -------------------------------------------------------------------------------


def _purge(client, headers, path, ids):
    response = client.post(path, json={"ids": ids}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_purge_by_call_id_is_committed_before_the_answer(app, client, headers):
    first = capture(client, headers, chat("sess-p1"))
    second = capture(client, headers, chat("sess-p2"))
    kept = capture(client, headers, chat("sess-keep"))
    items = _purge(client, headers, "/purge/v1/calls", [first, "nope", second])
    assert [(i["callId"], i["sessionId"], i["status"]) for i in items] == [
        (first, "sess-p1", "Purging"),
        ("nope", None, "NotFound"),
        (second, "sess-p2", "Purging"),
    ]
    assert items[0]["errorMsg"] is None
    assert items[1]["errorMsg"]
    assert [s["status"] for s in statuses(client, headers, "sess-p1", "sess-p2", "sess-keep")] == [
        "NotFound",
        "NotFound",
        "Complete",
    ]
    assert stored_call(app, "sess-p1") is None
    assert stored_call(app, "sess-keep")["call_id"] == kept
    assert _event(client, headers, "sess-p1", {"a": 1}).status_code == 404
    again = _purge(client, headers, "/purge/v1/calls", [first])
    assert again[0]["status"] == "NotFound"
    # The session id is free again: the same chat can be captured anew.
    assert capture(client, headers, chat("sess-p1")) != first


def test_purge_by_session_id(app, client, headers):
    call_id = capture(client, headers, chat("sess-s1"))
    capture(client, headers, chat("sess-s2"))
    items = _purge(client, headers, "/purge/v1/calls/sessions", ["sess-s1", "sess-none"])
    assert [(i["callId"], i["sessionId"], i["status"]) for i in items] == [
        (call_id, "sess-s1", "Purging"),
        (None, "sess-none", "NotFound"),
    ]
    assert status_of(client, headers, "sess-s1") == "NotFound"
    assert status_of(client, headers, "sess-s2") == "Complete"
    assert key_count(app) > 0
    _purge(client, headers, "/purge/v1/calls/sessions", ["sess-s2"])
    assert key_count(app) == 0
    assert call_count(app) == 0


def test_purge_takes_at_most_100_ids(app, client, headers):
    capture(client, headers, chat("sess-0"))
    for path in ("/purge/v1/calls", "/purge/v1/calls/sessions"):
        too_many = ["sess-0"] + ["other-%d" % n for n in range(100)]
        response = client.post(path, json={"ids": too_many}, headers=headers)
        assert response.status_code == 400, path
        assert "ids" in response.get_json()["errors"]
        for body in ({}, {"ids": []}, {"ids": "sess-0"}):
            response = client.post(path, json=body, headers=headers)
            assert response.status_code == 400, (path, body)
            assert "ids" in response.get_json()["errors"], (path, body)
        assert status_of(client, headers, "sess-0") == "Complete"
    items = _purge(client, headers, "/purge/v1/calls/sessions", too_many[:100])
    assert len(items) == 100
    assert items[0]["status"] == "Purging"
    assert {i["status"] for i in items[1:]} == {"NotFound"}


def _customer(client, headers, body, what_if=False):
    path = "/purge/v1/calls/customer" + ("?whatIf=true" if what_if else "")
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def _customer_calls(client, headers):
    """Six calls; a..e belong to Jane (by e-mail or by phone), f to someone else."""
    jane = {"Type": "Customer", "Email": "Jane.Doe@Example.com", "Messages": []}
    by_phone = {"Type": "Customer", "Phone": "+1 555 0100"}
    by_phone_number = {"Type": "customer", "PhoneNumber": "+1 555 0100"}
    capture(client, headers, chat("sess-a", Contacts=[jane]))
    capture(client, headers, chat("sess-b", Metadata={"crm": {"emails": ["JANE.DOE@example.COM"]}}))
    capture(client, headers, chat("sess-c", Contacts=[by_phone]))
    capture(client, headers, chat("sess-d", Contacts=[by_phone_number]))
    capture(client, headers, chat("sess-e", Metadata={"CallerId": "+1 555 0100"}))
    capture(client, headers, chat("sess-f", Metadata={"CallerId": "+1 555 0199", "n": 15550100}))


def test_customer_purge_what_if_lists_and_deletes_nothing(app, client, headers):
    _customer_calls(client, headers)
    items = _customer(client, headers, {"email": "jane.doe@example.com"}, what_if=True)
    assert sorted(i["sessionId"] for i in items) == ["sess-a", "sess-b"]
    assert {i["status"] for i in items} == {"WhatIf"}
    assert all(i["callId"] for i in items)
    items = _customer(client, headers, {"phoneNumber": "+1 555 0100"}, what_if=True)
    assert sorted(i["sessionId"] for i in items) == ["sess-c", "sess-d", "sess-e"]
    response = client.post(
        "/purge/v1/calls/customer?WhatIf=True",
        json={"EMAIL": "jane.doe@example.com"},
        headers=headers,
    )
    assert {i["status"] for i in response.get_json()["items"]} == {"WhatIf"}
    assert call_count(app) == 6
    lookup = statuses(client, headers, "sess-a", "sess-b", "sess-c", "sess-d", "sess-e")
    assert {s["status"] for s in lookup} == {"Complete"}


def test_customer_purge_by_email_ignores_case(app, client, headers):
    _customer_calls(client, headers)
    items = _customer(client, headers, {"email": "  JANE.doe@EXAMPLE.com "})
    assert sorted(i["sessionId"] for i in items) == ["sess-a", "sess-b"]
    assert {i["status"] for i in items} == {"Purging"}
    assert status_of(client, headers, "sess-a") == "NotFound"
    assert status_of(client, headers, "sess-b") == "NotFound"
    assert call_count(app) == 4


def test_customer_purge_by_phone_matches_contacts_and_metadata(app, client, headers):
    _customer_calls(client, headers)
    assert _customer(client, headers, {"phoneNumber": "+15550100"}) == []
    items = _customer(client, headers, {"PhoneNumber": "+1 555 0100"})
    assert sorted(i["sessionId"] for i in items) == ["sess-c", "sess-d", "sess-e"]
    remaining = statuses(client, headers, "sess-c", "sess-d", "sess-e", "sess-f", "sess-a")
    assert [s["status"] for s in remaining] == ["NotFound"] * 3 + ["Complete"] * 2
    # A number in metadata matches its digits.
    items = _customer(client, headers, {"phoneNumber": "15550100"})
    assert [i["sessionId"] for i in items] == ["sess-f"]


def test_customer_purge_rules(app, client, headers):
    capture(client, headers, chat("sess-x"))
    for body in ({}, {"email": ""}, {"phoneNumber": None}, {"email": 5}):
        response = client.post("/purge/v1/calls/customer", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.get_json()["errors"], body
    response = client.post(
        "/purge/v1/calls/customer?whatIf=maybe", json={"email": "a@b.c"}, headers=headers
    )
    assert response.status_code == 400
    assert "whatIf" in response.get_json()["errors"]
    assert _customer(client, headers, {"email": "nobody@example.com"}) == []
    assert call_count(app) == 1


# ---- share links -------------------------------------------------------------------------


def _share(client, headers, call_id, email="qa@example.com"):
    response = client.post(
        "/callshare/v1/token", json={"callId": call_id, "email": email}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _signed_at(app, payload, seconds_ago):
    """A share token for payload signed seconds_ago (itsdangerous, as the server signs)."""

    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - seconds_ago

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SHARE_SALT, signer=Past)
    return serializer.dumps(payload)


def test_share_link_opens_the_call_read_only_with_text_escaped(app, client, headers):
    body = chat("sess-xss", Metadata={"Note": "<b>bold</b>"})
    body["Contacts"][0]["FirstName"] = "<img src=x onerror=alert(2)>"
    body["Contacts"][0]["Messages"][0]["Content"] = "<script>alert(1)</script>"
    call_id = capture(client, headers, body)
    before = utcnow()
    link = _share(client, headers, call_id)
    assert link["callUrl"].startswith("http://chat.example.test/calls/%s?token=" % call_id)
    expiration = datetime.strptime(link["expiration"], "%Y-%m-%dT%H:%M:%SZ")
    assert before + timedelta(hours=8) - timedelta(seconds=5) <= expiration
    assert expiration <= utcnow() + timedelta(hours=8, seconds=5)

    page = client.get(page_path(link["callUrl"]))
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "hi there" in html


def test_share_link_refused_when_tampered_foreign_missing_or_expired(app, client, headers):
    call_id = capture(client, headers, chat("sess-1"))
    other_id = capture(client, headers, chat("sess-2"))
    link = page_path(_share(client, headers, call_id)["callUrl"])
    token = link.split("token=", 1)[1]
    ttl = app.config["SHARE_TTL_S"]
    refused = {
        "tampered": "/calls/%s?token=%s"
        % (call_id, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")),
        "another call": "/calls/%s?token=%s" % (other_id, token),
        "no token": "/calls/%s" % call_id,
        "garbage": "/calls/%s?token=not-a-token" % call_id,
        "expired": "/calls/%s?token=%s"
        % (call_id, _signed_at(app, {"c": call_id, "e": "qa@example.com"}, ttl + 60)),
        "other secret": "/calls/%s?token=%s"
        % (call_id, URLSafeTimedSerializer("x", salt=SHARE_SALT).dumps({"c": call_id})),
    }
    for case, path in refused.items():
        page = client.get(path)
        assert page.status_code == 403, case
        assert page.mimetype == "text/html", case
        html = page.get_data(as_text=True)
        assert "hi there" not in html, case
        assert "Traceback" not in html, case
    fresh = _signed_at(app, {"c": call_id, "e": "qa@example.com"}, ttl - 60)
    assert client.get("/calls/%s?token=%s" % (call_id, fresh)).status_code == 200
    assert client.get(link).status_code == 200


def test_share_link_of_a_purged_call_is_gone(app, client, headers):
    call_id = capture(client, headers, chat("sess-gone"))
    link = page_path(_share(client, headers, call_id)["callUrl"])
    _purge(client, headers, "/purge/v1/calls", [call_id])
    page = client.get(link)
    assert page.status_code == 404
    assert "hi there" not in page.get_data(as_text=True)


def test_share_request_rules(app, client, headers):
    call_id = capture(client, headers, chat("sess-1"))
    missing = client.post(
        "/callshare/v1/token", json={"callId": "nope", "email": "qa@example.com"}, headers=headers
    )
    assert missing.status_code == 404
    assert missing.get_json()["message"]
    for body in (
        {"callId": call_id},
        {"email": "qa@example.com"},
        {"callId": call_id, "email": "x"},
    ):
        response = client.post("/callshare/v1/token", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.get_json()["errors"], body
    assert _share(client, headers, call_id, email="QA@Example.com")["callUrl"]


def test_page_shows_the_other_chats_of_the_master_call(app, client, headers):
    first = chat("sess-m1", MasterCallId="master-1")
    first["Contacts"][0]["Messages"][0]["Content"] = "first chat message"
    second = chat("sess-m2", MasterCallId="master-1", UtcStart="2024-03-01T10:06:00Z")
    second["UtcEnd"] = "2024-03-01T10:09:00Z"
    second["Contacts"][0]["Messages"][0]["Content"] = "second chat message"
    other = chat("sess-m3", MasterCallId="master-2")
    other["Contacts"][0]["Messages"][0]["Content"] = "unrelated chat message"
    call_id = capture(client, headers, first)
    capture(client, headers, second)
    capture(client, headers, other)
    html = client.get(page_path(_share(client, headers, call_id)["callUrl"])).get_data(as_text=True)
    assert "first chat message" in html
    assert "second chat message" in html
    assert "sess-m2" in html
    assert html.index("first chat message") < html.index("second chat message")
    assert "unrelated chat message" not in html


def test_page_orders_messages_by_time_across_contacts(app, client, headers):
    body = chat("sess-order")
    body["Contacts"][0]["Messages"] = [
        {"Content": "one", "UtcTimestamp": "2024-03-01T10:01:00Z"},
        {"Content": "three", "UtcTimestamp": "2024-03-01T10:01:01Z"},
    ]
    body["Contacts"][1]["Messages"] = [
        {"Content": "two", "UtcTimestamp": "2024-03-01T10:01:00.5000000"},
        {"Content": "four", "UtcTimestamp": "2024-03-01T11:01:02+01:00"},
    ]
    call_id = capture(client, headers, body)
    html = client.get(page_path(_share(client, headers, call_id)["callUrl"])).get_data(as_text=True)
    positions = [html.index(">%s<" % word) for word in ("one", "two", "three", "four")]
    assert positions == sorted(positions)


def _decodings(token):
    """Whatever base64 (and zlib) decoding makes of each dot-separated part of token."""
    import base64
    import zlib

    for part in token.replace("?token=", ".").split("."):
        part = part.lstrip(".")
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            continue
        yield raw
        try:
            yield zlib.decompress(raw)
        except zlib.error:
            pass


def test_share_link_carries_no_readable_email(app, client, headers):
    call_id = capture(client, headers, chat("sess-private"))
    url = _share(client, headers, call_id, email="dana.secret@example.com")["callUrl"]
    token = url.split("token=", 1)[1]
    assert "dana" not in url.lower()
    decoded = b"".join(_decodings(token)).lower()
    assert decoded  # the token is base64: what it carries is readable, the e-mail is not in it
    assert b"dana" not in decoded and b"secret" not in decoded and b"example" not in decoded
    assert client.get(page_path(url)).status_code == 200
