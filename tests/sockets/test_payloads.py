"""Every client → server payload is validated (CONTRACT §4, issue 15 point 3): a wrong
type, an out-of-range number, a string too long for its field, NUL or an unpaired
surrogate is an error ack naming the field, alike on SQLite and PostgreSQL, and nothing
is stored. Client message ids are compared in canonical UUID form."""

import uuid

import pytest

from tests.conftest import make_app
from tests.sockets.payloads import Scene, assert_named_error, snapshot

BIG = 10**30
# (socket, event, payload given the Scene, the field the error names)
CASES = {
    # the cases the issue names
    "afterSeq 10**30": ("agent", "conversationInfo", lambda s: _info(s, afterSeq=BIG), "afterSeq"),
    "afterSeq ²": ("customer", "conversationInfo", lambda s: _info(s, afterSeq="²"), "afterSeq"),
    "agentId 10**30": ("agent", "transferConversation", lambda s: _at(s, agentId=BIG), "agentId"),
    "agentId ²": ("agent", "transferConversation", lambda s: _at(s, agentId="²"), "agentId"),
    "queueId 10**30": ("agent", "transferConversation", lambda s: _at(s, queueId=BIG), "queueId"),
    "queueId ²": ("agent", "transferConversation", lambda s: _at(s, queueId="²"), "queueId"),
    "to id {}": ("customer", "sendMessage", lambda s: _chat(s, to=[{"id": {}}]), "to"),
    "conversationId list": (
        "customer", "sendMessage", lambda s: {"conversationId": [s.conversation_id], "text": "x"},
        "conversationId",
    ),
    "surrogate text": ("customer", "sendMessage", lambda s: _chat(s, text="a\ud800b"), "text"),
    "NUL text": ("agent", "sendMessage", lambda s: _chat(s, text="a\x00b"), "text"),
    "refId 256": ("connector", "sendMessage", lambda s: {"refId": "1" * 256, "text": "x"}, "refId"),
    "text 5001": ("customer", "sendMessage", lambda s: _chat(s, text="x" * 5001), "text"),
    # the same rules elsewhere
    "afterSeq -1": ("customer", "conversationInfo", lambda s: _info(s, afterSeq=-1), "afterSeq"),
    "afterSeq 1.5": ("agent", "conversationInfo", lambda s: _info(s, afterSeq=1.5), "afterSeq"),
    "afterSeq true": ("agent", "conversationInfo", lambda s: _info(s, afterSeq=True), "afterSeq"),
    "agentId 2**63": ("agent", "transferConversation", lambda s: _at(s, agentId=2**63), "agentId"),
    "join name NUL": ("customer", "joinConversation", lambda s: _join(s, name="\x00"), "name"),
    "join id dict": ("customer", "joinConversation", lambda s: _join(s, id={"$ne": ""}), "id"),
    "join name 256": ("customer", "joinConversation", lambda s: _join(s, name="n" * 256), "name"),
    "end conversationId number": (
        "customer", "endConversation", lambda s: {"conversationId": 7}, "conversationId",
    ),
    "accept conversationId NUL": (
        "agent", "acceptConversation", lambda s: {"conversationId": "\x00"}, "conversationId",
    ),
    "status surrogate": ("agent", "setStatus", lambda s: {"status": "\udfff"}, "status"),
    "register name NUL": (
        "connector", "registerConnector", lambda s: {"id": "sms", "channel": "sms", "name": "\x00"},
        "name",
    ),
    "to surrogate": ("agent", "sendMessage", lambda s: _chat(s, to=["\ud83d"]), "to"),
    "attachment name NUL": (
        "customer", "sendMessage", lambda s: _chat(s, attachments=[{"name": "\x00"}]),
        "attachments",
    ),
    "attachment javascript:": (
        "customer", "sendMessage",
        lambda s: _chat(s, attachments=[{"contentUrl": "javascript:alert(1)"}]), "attachments",
    ),
    "attachment data:": (
        "agent", "sendMessage",
        lambda s: _chat(s, attachments=[{"thumbnailUrl": "data:text/html,<b>"}]), "attachments",
    ),
    "typing info NUL": (
        "customer", "sendMessage",
        lambda s: _chat(s, type="ActivityMessage", activityType="typing", info={"k": ["\x00"]}),
        "info",
    ),
    "id not a UUID": ("customer", "sendMessage", lambda s: _chat(s, id="not-a-uuid"), "id"),
    "tag list": ("agent", "sendMessage", lambda s: _chat(s, tag=["whisper"]), "tag"),
    "refId 256, chat": ("customer", "sendMessage", lambda s: _chat(s, refId="r" * 256), "refId"),
}  # fmt: skip


def _chat(scene, **fields):
    return {"type": "ChatMessage", "conversationId": scene.conversation_id, "text": "x", **fields}


def _info(scene, **fields):
    return {"conversationId": scene.conversation_id, **fields}


def _join(scene, **fields):
    return {"conversationId": scene.conversation_id, "id": scene.participant_id, **fields}


def _at(scene, **target):
    return {"conversationId": scene.conversation_id, **target}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_field_is_an_error_ack_naming_it_and_nothing_is_stored(app, case):
    who, event, payload, field = CASES[case]
    scene = Scene(app)
    before = snapshot(app)
    ack = scene.emit(who, event, payload(scene))
    assert_named_error(ack, field)
    assert snapshot(app) == before
    assert scene.chat(who, "still here")["status"] == "ok"


def test_the_longest_text_allowed_is_max_message_chars(tmp_path):
    app = make_app(tmp_path, MAX_MESSAGE_CHARS=10)
    scene = Scene(app)
    assert scene.chat("customer", "x" * 10)["status"] == "ok"
    before = snapshot(app)
    assert_named_error(scene.chat("customer", "x" * 11), "text")
    assert_named_error(scene.chat("agent", "é" * 11), "text")
    assert snapshot(app) == before


def test_a_client_id_in_any_spelling_names_one_message(app):
    """Upper case, braces and urn:uuid: are the same UUID: stored once, acked alike."""
    scene = Scene(app)
    message_id = uuid.uuid4()
    first = scene.chat("customer", "once", id=str(message_id).upper())
    assert first == {"status": "ok", "id": str(message_id), "seq": first["seq"]}
    before = snapshot(app)
    for spelling in ("{%s}" % message_id, message_id.urn, message_id.hex.upper()):
        assert scene.chat("customer", "once (resent)", id=spelling) == first, spelling
    assert snapshot(app) == before
