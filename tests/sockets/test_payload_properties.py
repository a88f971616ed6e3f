"""Property: whatever a client sends in any client → server event of either namespace
(the event's own keys holding random JSON: huge and negative numbers, floats, NUL, lone
surrogates, long strings, nested lists and objects; or no object at all), the ack is
`ok` or an error naming what was wrong (never "internal error", nothing logged as a
failure), and the socket goes on working: a valid sendMessage is acked ok after it."""

import logging
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sockets.helpers import init
from tests.sockets.payloads import EVENTS, Scene

SPECIAL_TEXT = ["\x00", "a\x00b", "\ud800", "x\udfffy", "²", "1" * 256, "x" * 5001, ""]
SPECIAL_TEXT += ["javascript:alert(1)", "data:text/html,x", "https://example.com/a.png"]
SPECIAL_NUMBERS = [10**30, -(10**30), 2**63, 2**63 - 1, -1, 0, 1.5, float("inf")]
# Every character, NUL and unpaired surrogates included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.sampled_from(SPECIAL_NUMBERS)
    | ANY_TEXT
    | st.sampled_from(SPECIAL_TEXT)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)


def _nested(depth):
    """[[[…]]], depth lists deep."""
    value = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = st.integers(1, 300).map(_nested)
ABSENT = object()  # a key left out of the payload
MESSAGE_ID = uuid.UUID("8d9a1f0e-1111-4222-8333-444455556666")


def _good_values(scene, other_conversation, event):
    """Values of event's keys that pass validation, so that examples reach the handlers'
    logic. The scene's own conversation is not offered to endConversation or a transfer:
    it must stay open for the check that the socket still works."""
    ids = {
        "joinConversation": [scene.participant_id],
        "sendMessage": [str(MESSAGE_ID).upper(), MESSAGE_ID.urn, "{%s}" % uuid.UUID(int=7)],
        "registerConnector": ["sms", "fb"],
    }
    conversations = [scene.conversation_id, other_conversation]
    if event in ("endConversation", "transferConversation"):
        conversations = [other_conversation]
    return {
        "conversationId": conversations,
        "id": ids.get(event),
        "name": ["Carla"],
        "type": ["ChatMessage", "ActivityMessage"],
        "text": ["hello", "ciao, 你好 👋"],
        "to": [[], [{"id": scene.participant_id}]],
        "attachments": [[], [{"type": "image/png", "contentUrl": "https://example.com/a.png"}]],
        "tag": ["", "whisper"],
        "refId": ["+15550100"],
        "activityType": ["typing"],
        "info": [{}],
        "afterSeq": [0, 3, "2"],
        "status": ["available", "away", "offline"],
        "queueId": [1],
        "agentId": [scene.agent_id],
        "channel": ["sms", "fb"],
    }


def _mostly(likely, other, one_in=4):
    """likely, or now and then (one time in one_in) other."""
    return st.integers(1, one_in).flatmap(lambda n: other if n == 1 else likely)


def _payloads(scene, other_conversation):
    """(who, event, payload) for every event: its keys with good values (or absent), one
    or two of them then given random values, now and then an unknown key too; or a
    payload that is not an object."""

    def payload(who, event):
        keys = EVENTS[who][event]
        good = _good_values(scene, other_conversation, event)
        offered = {k: good[k] for k in keys}
        fine = st.fixed_dictionaries(
            {k: _mostly(st.sampled_from(v), st.just(ABSENT)) for k, v in offered.items()}
        )
        spoilt = st.dictionaries(st.sampled_from(keys + ("unknownExtra",)), JSON | DEEP, max_size=2)
        fields = st.builds(
            lambda fine, spoilt: {k: v for k, v in {**fine, **spoilt}.items() if v is not ABSENT},
            fine,
            spoilt,
        )
        return _mostly(fields, JSON | DEEP, one_in=8)

    events = [(who, event) for who, names in EVENTS.items() for event in names]
    return st.sampled_from(events).flatmap(
        lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), payload(*pair))
    )


def _check_ack(ack):
    assert isinstance(ack, dict) and ack.get("status") in ("ok", "error"), ack
    if ack["status"] == "error":
        assert isinstance(ack.get("message"), str) and ack["message"], ack
        assert ack["message"] != "internal error", ack
        for field, reasons in ack.get("errors", {}).items():
            assert isinstance(field, str) and isinstance(reasons, list), ack


EXAMPLES = {"sqlite": 1000, "postgresql": 300}


@pytest.fixture
def app_overrides():
    """Each example sends on the same sockets, faster than a visitor may (SOCKET_RATE_LIMIT)."""
    return {"SOCKET_RATE_LIMIT": "1000000/second", "SOCKET_RATE_BURST": 1000000}


def test_every_event_answers_ok_or_a_named_error_and_the_socket_keeps_working(app, backend, caplog):
    scene = Scene(app)
    other_conversation, _ = init(app)
    caplog.set_level(logging.ERROR)

    @settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(_payloads(scene, other_conversation))
    def sent(example):
        who, event, payload = example
        _check_ack(scene.emit(who, event, payload))
        ack = scene.chat(who, "still works")
        assert ack["status"] == "ok", (example, ack)
        scene.drain()

    sent()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
