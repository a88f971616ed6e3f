"""ChatCallSchema's quick road gives exactly marshmallow's result, or steps aside.

quick_chat (chatwidget/schemas/quick_chat.py) loads valid chats without marshmallow; for
any input it must either decline (None) or return what the declared schema returns,
the same values, types and key order. parse_utc's C fast path likewise must agree with
its general regex path on every string.
"""

import copy
import json
import os
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError

from chatwidget.schemas.capture import ChatCallSchema
from chatwidget.schemas.quick_chat import quick_chat
from chatwidget.timestamps import _parse_iso, format_utc, parse_utc

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")
SCHEMA = ChatCallSchema()


def sample():
    with open(os.path.join(FIXTURES, "sample_chat.json")) as fh:
        return json.load(fh)


def marshmallow_load(raw):
    """The declared schema's own answer: ("ok", result) or ("error", messages)."""
    try:
        return "ok", Schema.load(SCHEMA, raw)
    except ValidationError as exc:
        return "error", exc.messages


def same(a, b):
    """Equal values, equal types and equal key order, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def check(raw):
    """quick_chat agrees with marshmallow on raw; returns whether it took it."""
    original = copy.deepcopy(raw)
    quick = quick_chat(raw)
    assert same(raw, original), "quick_chat changed its input"
    outcome, expected = marshmallow_load(copy.deepcopy(raw))
    if quick is None:
        return False
    assert outcome == "ok", "quick_chat accepted what marshmallow refuses: %r" % (expected,)
    assert same(quick, expected), (quick, expected)
    return True


def at(body, path, value=None, delete=False):
    node = body
    for part in path[:-1]:
        node = node[part]
    if not delete:
        node[path[-1]] = value
    elif isinstance(node, list) or path[-1] in node:
        del node[path[-1]]
    return body


ODD_VALUES = [
    None,
    "",
    "x",
    "x" * 32,
    "x" * 33,
    "x" * 255,
    "x" * 256,
    0,
    1.5,
    True,
    [],
    ["a"],
    {},
    {"a": 1},
    "2017-08-16T19:30:00Z",
    "2017-08-16T19:30:00",
    "2017-08-16T19:30:00.1234567Z",
    "2017-08-16 19:30:00",
    "2017-08-16T19:30:00+02:00",
    "2017-08-16T19:30:00.5z",
    "2017-08-16T19:33:01Z",
    "2017-02-30T19:30:00Z",
    "2017-08-16T24:00:00Z",
    " 2017-08-16T19:30:00Z ",
    "2017-08-16",
    "10:01",
    "\u0662\u0660\u0661\u0667-08-16T19:30:00Z",
]

PATHS = [
    ("SessionId",),
    ("MasterCallId",),
    ("UtcStart",),
    ("UtcEnd",),
    ("Contacts",),
    ("Metadata",),
    ("Contacts", 0),
    ("Contacts", 1, "Type"),
    ("Contacts", 1, "FirstName"),
    ("Contacts", 2, "ReferenceId"),
    ("Contacts", 1, "Messages"),
    ("Contacts", 1, "Messages", 0),
    ("Contacts", 1, "Messages", 0, "Content"),
    ("Contacts", 1, "Messages", 0, "UtcTimestamp"),
    ("Contacts", 0, "Email"),
    ("Contacts", 0, "PhoneNumber"),
    ("Metadata", "CustomerRating"),
]


def test_the_seed_sample_takes_the_quick_road():
    assert check(sample())


def test_a_bench_chat_takes_the_quick_road():
    from bench.capture_ingest import make_chat

    assert check(make_chat("run", 7))


@pytest.mark.parametrize("path", PATHS, ids=lambda p: ".".join(map(str, p)))
def test_any_value_anywhere(path):
    for value in ODD_VALUES:
        check(at(sample(), path, value))
    check(at(sample(), path, delete=True))


def test_names_in_any_case_and_unknown_names():
    body = sample()
    body["sessionID"] = body.pop("SessionId")
    body["utcstart"] = body.pop("UtcStart")
    body["METADATA"] = body.pop("Metadata")
    body["Extra"] = {"x": 1}
    contact = body["Contacts"][1]
    contact["type"] = contact.pop("Type")
    contact["messages"] = contact.pop("Messages")
    contact["messages"][0]["content"] = contact["messages"][0].pop("Content")
    contact["messages"][0]["Unknown"] = 5
    assert check(body)


def test_a_later_spelling_of_the_same_name_wins():
    body = sample()
    body["sessionid"] = "second"
    assert check(body)
    assert quick_chat(body)["SessionId"] == "second"
    body = sample()
    body["Contacts"][0]["TYPE"] = ""  # the later, invalid spelling decides
    assert not check(body)


def test_the_schema_load_uses_it_and_keeps_marshmallow_options():
    raw = sample()
    assert same(SCHEMA.load(raw), quick_chat(raw))
    assert same(SCHEMA.load(raw, unknown=EXCLUDE), quick_chat(raw))
    raw["Extra"] = 1
    assert "Extra" in SCHEMA.load(raw, unknown=INCLUDE)
    with pytest.raises(ValidationError):
        SCHEMA.load(raw, unknown=RAISE)
    assert SCHEMA.load([sample()], many=True)[0]["SessionId"] == sample()["SessionId"]
    with pytest.raises(ValidationError) as caught:
        SCHEMA.load(at(sample(), ("Contacts", 1, "Type"), delete=True))
    assert caught.value.messages == {
        "Contacts": {1: {"Type": ["Missing data for required field."]}}
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
timestamps = st.one_of(
    st.sampled_from([v for v in ODD_VALUES if isinstance(v, str)]),
    st.datetimes(min_value=datetime(1, 1, 1)).map(lambda d: d.isoformat() + "Z"),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z?\Z"),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), st.one_of(json_values, timestamps))
def test_random_values_anywhere(path, value):
    check(at(sample(), path, value))


@settings(max_examples=500, deadline=None)
@given(timestamps | st.text(max_size=40))
def test_parse_utc_fast_path_agrees_with_the_general_one(text):
    try:
        expected = ("ok", _parse_iso(text))
    except (ValueError, OverflowError):
        expected = ("error", None)
    try:
        got = ("ok", parse_utc(text))
    except (ValueError, OverflowError):
        got = ("error", None)
    assert got == expected
    if got[0] == "ok":
        assert type(got[1]) is datetime and got[1].tzinfo is None


@settings(max_examples=300, deadline=None)
@given(st.datetimes())
def test_format_utc_fast_path_writes_the_same_text(value):
    expected = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        expected += ".%06d" % value.microsecond
    assert format_utc(value) == expected + "Z"


def test_metadata_is_a_copy_as_marshmallow_makes_it():
    raw = sample()
    assert quick_chat(raw)["Metadata"] is not raw["Metadata"]
