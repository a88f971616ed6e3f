"""POST /chatCapture/v1: every rule of CONTRACT §2, and what .NET clients send that must pass."""

import json
from datetime import datetime

import pytest

from chatwidget.core.capture import summary_payload
from chatwidget.extensions import db
from chatwidget.models import Call
from tests.api.capture_helpers import END, START, call_count, capture, chat, status_of, stored_call
from tests.conftest import bearer_for


@pytest.fixture
def headers(app, client):
    return bearer_for(app, client, "chat_capture")


def _without(path):
    """A mutation deleting the key at path (a tuple of keys and list indexes)."""

    def mutate(body):
        node = body
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


def _setting(path, value):
    """A mutation setting the key at path to value."""

    def mutate(body):
        node = body
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _error_at(errors, path):
    """The error messages at path in the nested errors object (keys as strings)."""
    node = errors
    for part in path:
        assert isinstance(node, dict), (errors, path)
        node = node[str(part)]
    return node


BAD_PAYLOADS = {
    "missing SessionId": (_without(("SessionId",)), ("SessionId",)),
    "missing UtcStart": (_without(("UtcStart",)), ("UtcStart",)),
    "missing UtcEnd": (_without(("UtcEnd",)), ("UtcEnd",)),
    "empty SessionId": (_setting(("SessionId",), ""), ("SessionId",)),
    "null SessionId": (_setting(("SessionId",), None), ("SessionId",)),
    "contact without Type": (_without(("Contacts", 1, "Type")), ("Contacts", 1, "Type")),
    "contact with empty Type": (_setting(("Contacts", 0, "Type"), ""), ("Contacts", 0, "Type")),
    "message without Content": (
        _without(("Contacts", 1, "Messages", 0, "Content")),
        ("Contacts", 1, "Messages", 0, "Content"),
    ),
    "message with null Content": (
        _setting(("Contacts", 0, "Messages", 0, "Content"), None),
        ("Contacts", 0, "Messages", 0, "Content"),
    ),
    "message without UtcTimestamp": (
        _without(("Contacts", 0, "Messages", 0, "UtcTimestamp")),
        ("Contacts", 0, "Messages", 0, "UtcTimestamp"),
    ),
    "message with a bad UtcTimestamp": (
        _setting(("Contacts", 0, "Messages", 0, "UtcTimestamp"), "10:01"),
        ("Contacts", 0, "Messages", 0, "UtcTimestamp"),
    ),
    "Metadata a list": (_setting(("Metadata",), [{"a": 1}]), ("Metadata",)),
    "Metadata a string": (_setting(("Metadata",), "ReferenceId=1"), ("Metadata",)),
    "Metadata a number": (_setting(("Metadata",), 4), ("Metadata",)),
    "Contacts an object": (_setting(("Contacts",), {"Type": "Agent"}), ("Contacts",)),
    "Contacts a string": (_setting(("Contacts",), "Agent"), ("Contacts",)),
    "Messages an object": (
        _setting(("Contacts", 0, "Messages"), {"Content": "x"}),
        ("Contacts", 0, "Messages"),
    ),
    "a null contact": (_setting(("Contacts", 0), None), ("Contacts", 0)),
    "SessionId a number": (_setting(("SessionId",), 12345), ("SessionId",)),
    "SessionId over 255 characters": (_setting(("SessionId",), "s" * 256), ("SessionId",)),
    "NUL in SessionId": (_setting(("SessionId",), "sess\u0000-1"), ("SessionId",)),
    "lone surrogate in Content": (
        _setting(("Contacts", 0, "Messages", 0, "Content"), "bad \ud800 text"),
        ("Contacts", 0, "Messages", 0, "Content"),
    ),
    "NUL in a Metadata value": (_setting(("Metadata", "ReferenceId"), "r\u00001"), ("Metadata",)),
    "NUL in a contact Email": (_setting(("Contacts", 0, "Email"), "a\u0000@b.c"), ("Contacts",)),
}


def _assert_refused(app, client, headers, body, case):
    """body is answered 400 with a message and errors, and nothing is stored; returns errors."""
    response = client.post("/chatCapture/v1", json=body, headers=headers)
    assert response.status_code == 400, case
    assert response.is_json, case
    answer = response.get_json()
    assert answer["message"], case
    assert answer["errors"], case
    assert call_count(app) == 0, case
    return answer["errors"]


def test_bad_payloads_are_400_naming_the_field_and_store_nothing(app, client, headers):
    for case, (mutate, path) in BAD_PAYLOADS.items():
        body = chat("sess-bad")
        mutate(body)
        errors = _assert_refused(app, client, headers, body, case)
        assert _error_at(errors, path), case
    assert status_of(client, headers, "sess-bad") == "NotFound"


BAD_TIMESTAMPS = [
    "yesterday",
    "",
    "2024-03-01",
    "01/03/2024 10:00:00",
    "2024-13-01T10:00:00Z",
    "2024-02-30T10:00:00Z",
    "2024-03-01T25:00:00Z",
    "2024-03-01T10:00:00+25:00",
    "2024-03-01T10:00:00 UTC",
    "9999-12-31T23:59:59-01:00",
    20240301,
    True,
    None,
    {"Ticks": 1},
]


def test_bad_timestamps_are_400_naming_the_field(app, client, headers):
    for field in ("UtcStart", "UtcEnd"):
        for value in BAD_TIMESTAMPS:
            case = "%s=%r" % (field, value)
            errors = _assert_refused(app, client, headers, chat("sess-bad", **{field: value}), case)
            assert field in errors, case
    assert status_of(client, headers, "sess-bad") == "NotFound"


def test_start_after_end_is_400(app, client, headers):
    body = chat("sess-bad", UtcStart="2024-03-01T10:05:01Z", UtcEnd="2024-03-01T10:05:00Z")
    response = client.post("/chatCapture/v1", json=body, headers=headers)
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["message"]
    assert {"UtcStart", "UtcEnd"} & set(answer["errors"])
    assert status_of(client, headers, "sess-bad") == "NotFound"
    assert call_count(app) == 0


def test_start_equal_to_end_is_accepted(app, client, headers):
    capture(client, headers, chat("sess-zero", UtcStart=START, UtcEnd=START))
    assert stored_call(app, "sess-zero")["utc_end"] == datetime(2024, 3, 1, 10, 0)


def test_start_end_compared_in_utc_after_offsets(app, client, headers):
    # 11:30+02:00 is 09:30Z, before the 10:00Z end: valid although "11:30" > "10:00".
    body = chat("sess-offset", UtcStart="2024-03-01T11:30:00+02:00", UtcEnd="2024-03-01T10:00:00Z")
    capture(client, headers, body)
    assert stored_call(app, "sess-offset")["utc_start"] == datetime(2024, 3, 1, 9, 30)


def _post_raw(client, headers, raw, content_type="application/json"):
    return client.post("/chatCapture/v1", data=raw, content_type=content_type, headers=headers)


def test_body_not_an_object_is_400(app, client, headers):
    for raw in ["[]", json.dumps([chat()]), "null", "42", '"a chat"', "true"]:
        response = _post_raw(client, headers, raw)
        assert response.status_code == 400, raw
        answer = response.get_json()
        assert answer["message"], raw
        assert answer["errors"], raw
    assert call_count(app) == 0


def test_empty_body_is_400_naming_the_required_fields(app, client, headers):
    for content_type in ("application/json", None):
        response = _post_raw(client, headers, b"", content_type)
        assert response.status_code == 400, content_type
        errors = response.get_json()["errors"]
        assert {"SessionId", "UtcStart", "UtcEnd"} <= set(errors), content_type
    assert call_count(app) == 0


def test_numbers_json_cannot_carry_are_400(app, client, headers):
    for number in ("NaN", "-Infinity", "Infinity", "1e999"):
        raw = json.dumps(chat("sess-num")).replace('"r-1"', number)
        response = _post_raw(client, headers, raw)
        assert response.status_code == 400, number
        assert response.get_json()["message"], number
    assert call_count(app) == 0


def test_deeply_nested_metadata_is_400_not_500(app, client, headers):
    raw = json.dumps(chat("sess-deep")).replace('"r-1"', "[" * 5000 + "]" * 5000)
    response = client.post(
        "/chatCapture/v1", data=raw, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert call_count(app) == 0


# ---- what must be accepted -------------------------------------------------------------


def test_property_names_in_any_case(app, client, headers):
    body = {
        "sessionId": "sess-case",
        "masterCALLid": "master-case",
        "utcstart": START,
        "UTCEND": END,
        "contacts": [
            {
                "type": "Customer",
                "firstName": "Jane",
                "EMAIL": "jane@example.com",
                "messages": [{"content": "hello", "utcTimestamp": "2024-03-01T10:01:00Z"}],
            }
        ],
        "metaData": {"CustomerRating": "4"},
    }
    capture(client, headers, body)
    stored = stored_call(app, "sess-case")
    assert stored["master_call_id"] == "master-case"
    assert stored["utc_start"] == datetime(2024, 3, 1, 10, 0)
    assert stored["utc_end"] == datetime(2024, 3, 1, 10, 5)
    assert stored["metadata"] == {"CustomerRating": "4"}
    contact = stored["contacts"][0]
    assert contact["Type"] == "Customer"
    assert contact["FirstName"] == "Jane"
    assert contact["Email"] == "jane@example.com"
    assert contact["Messages"][0]["Content"] == "hello"


def test_timestamps_without_offset_are_utc_and_seven_fraction_digits_pass(app, client, headers):
    body = chat(
        "sess-dotnet",
        UtcStart="2024-03-01T10:00:00.1234567",
        UtcEnd="2024-03-01T10:05:30.9999999",
    )
    body["Contacts"][0]["Messages"][0]["UtcTimestamp"] = "2024-03-01T10:01:00.5000000"
    capture(client, headers, body)
    stored = stored_call(app, "sess-dotnet")
    assert stored["utc_start"] == datetime(2024, 3, 1, 10, 0, 0, 123456)
    assert stored["utc_end"] == datetime(2024, 3, 1, 10, 5, 30, 999999)
    message = stored["contacts"][0]["Messages"][0]
    assert message["UtcTimestamp"] == "2024-03-01T10:01:00.500000Z"
    status = client.post(
        "/callCapture/v1/status", json={"CallSessionIds": ["sess-dotnet"]}, headers=headers
    ).get_json()["callSessions"][0]
    assert status["status"] == "Complete"
    assert status["durationSec"] == 330


def test_offsets_are_converted_to_utc(app, client, headers):
    cases = {
        "2024-03-01T10:00:00+02:00": datetime(2024, 3, 1, 8, 0),
        "2024-03-01T10:00:00-0530": datetime(2024, 3, 1, 15, 30),
        "2024-03-01T10:00:00.25z": datetime(2024, 3, 1, 10, 0, 0, 250000),
        "2024-03-01 10:00:00": datetime(2024, 3, 1, 10, 0),
        "2024-03-01T10:00:00+00:00": datetime(2024, 3, 1, 10, 0),
    }
    for index, (start, expected) in enumerate(cases.items()):
        session = "sess-tz-%d" % index
        capture(client, headers, chat(session, UtcStart=start, UtcEnd="2024-03-02T00:00:00Z"))
        assert stored_call(app, session)["utc_start"] == expected, start


def test_message_timestamps_outside_the_chat_are_accepted(app, client, headers, sample_chat):
    # The seed's own sample: messages on the 15th, the chat on the 16th.
    capture(client, headers, sample_chat)
    body = chat("sess-outside")
    body["Contacts"][0]["Messages"][0]["UtcTimestamp"] = "2030-01-01T00:00:00Z"
    body["Contacts"][1]["Messages"][0]["UtcTimestamp"] = "2000-01-01T00:00:00Z"
    capture(client, headers, body)
    assert call_count(app) == 2


def test_unknown_extra_fields_are_ignored(app, client, headers):
    body = chat("sess-extra", Channel="web", Tags=["a"], Nested={"deep": [1, {"x": None}]})
    body["Contacts"][0].update(
        Avatar={"url": "x"}, Score=3.5, Messages=body["Contacts"][0]["Messages"]
    )
    body["Contacts"][0]["Messages"][0].update(Id=17, Attachments=[{"name": "a.png"}])
    capture(client, headers, body)
    stored = stored_call(app, "sess-extra")
    assert stored["contacts"][0]["Messages"][0]["Content"] == "hello"
    assert "Avatar" not in stored["contacts"][0]


def test_metadata_is_stored_and_returned_as_sent(app, client, headers):
    metadata = {
        "ReferenceId": "1501a",
        "CustomerRating": 4,
        "Ratio": 0.25,
        "Vip": True,
        "Nothing": None,
        "Tags": ["a", "b", 3],
        "Crm": {"Account": {"Id": "A-1", "Regions": ["EU", "US"]}, "Empty": {}},
        "Ünïcødé 名前": "✓ ok 😀",
        "big": 12345678901234567890,
    }
    call_id = capture(client, headers, chat("sess-meta", Metadata=metadata))
    assert stored_call(app, "sess-meta")["metadata"] == metadata
    with app.app_context():
        call = db.session.query(Call).filter_by(call_id=call_id).one()
        assert summary_payload(call)["metadata"] == metadata


def test_contacts_and_metadata_may_be_absent_or_null(app, client, headers):
    capture(client, headers, {"SessionId": "sess-bare", "UtcStart": START, "UtcEnd": END})
    capture(client, headers, chat("sess-null", Contacts=None, Metadata=None))
    body = chat("sess-nomsg")
    body["Contacts"][0]["Messages"] = None
    capture(client, headers, body)
    assert stored_call(app, "sess-bare")["contacts"] == []
    assert call_count(app) == 3


def test_contact_type_is_free_text(app, client, headers):
    long_type = "Customer Service Representative, Level 2 (Billing)"
    for index, contact_type in enumerate(["Supervisor", "bot", "Bot", "客服", "IVR 7", long_type]):
        body = chat("sess-type-%d" % index)
        body["Contacts"][0]["Type"] = contact_type
        capture(client, headers, body)
        stored = stored_call(app, "sess-type-%d" % index)
        assert stored["contacts"][0]["Type"] == contact_type


def test_escaped_emoji_from_dotnet_is_accepted(app, client, headers):
    # System.Text.Json escapes non-ASCII as UTF-16, astral characters as surrogate pairs.
    raw = json.dumps(chat("sess-emoji", Metadata={"Mood": "\U0001f600"}), ensure_ascii=True)
    assert "\\ud83d\\ude00" in raw
    response = client.post(
        "/chatCapture/v1", data=raw, content_type="application/json", headers=headers
    )
    assert response.status_code == 200
    assert stored_call(app, "sess-emoji")["metadata"] == {"Mood": "\U0001f600"}


def test_duplicate_session_is_409_and_changes_nothing(app, client, headers):
    capture(client, headers, chat("sess-dup", Metadata={"v": 1}))
    again = client.post(
        "/chatCapture/v1", json=chat("sess-dup", Metadata={"v": 2}), headers=headers
    )
    assert again.status_code == 409
    assert "sess-dup" in again.get_json()["message"]
    assert stored_call(app, "sess-dup")["metadata"] == {"v": 1}
    assert call_count(app) == 1
