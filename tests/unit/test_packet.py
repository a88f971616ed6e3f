"""The app's Socket.IO packet class answers and encodes exactly as python-socketio's own."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from socketio import packet as stock

from chatwidget import jsoncodec
from chatwidget.sockets.packet import TOO_DEEP, Packet, encoded_once

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
VALUES = st.recursive(
    SCALARS | st.builds(bytearray, st.binary()),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.tuples(inner, inner)
    ),
    max_leaves=20,
)
WIRE = {
    "id": "8d9a1f0e-1111-2222-3333-444455556666",
    "seq": 12,
    "type": "ChatMessage",
    "from": {"id": "p1", "name": "Carla", "role": "customer"},
    "to": [],
    "text": "order 48213-AB",
    "attachments": [],
}


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_binary_check_agrees_with_python_socketio(value):
    assert Packet.data_is_binary(value) == stock.Packet.data_is_binary(value)


def test_binary_check_finds_bytes_deep_in_a_message():
    assert Packet.data_is_binary(["messageArrived", {"a": [{"b": [b"\x00"]}]}])
    assert not Packet.data_is_binary(["messageArrived", WIRE])
    # bytes in a tuple are not looked for, as python-socketio does not
    assert not Packet.data_is_binary([(b"x",)])


def _encode(cls, namespace, data):
    return cls(stock.EVENT, namespace=namespace, data=data).encode()


def test_packets_encode_as_python_socketio_does():
    for namespace in ("/", "/agent"):
        assert _encode(Packet, namespace, ["messageArrived", WIRE]) == _encode(
            stock.Packet, namespace, ["messageArrived", WIRE]
        )
    ack = Packet(stock.ACK, namespace="/", data=[{"status": "ok", "seq": 3}], id=7)
    assert ack.encode() == '37[{"status":"ok","seq":3}]'
    decoded = Packet(encoded_packet='2/agent,["sendMessage",{"text":"hi"}]')
    assert (decoded.namespace, decoded.data) == ("/agent", ["sendMessage", {"text": "hi"}])


def test_a_packet_too_deep_to_decode_becomes_an_event_no_one_handles(caplog):
    deep = "[" * 10000 + "]" * 10000
    decoded = Packet(encoded_packet='2/agent,5["sendMessage",%s]' % deep)
    assert (decoded.namespace, decoded.id, decoded.data) == ("/agent", 5, [TOO_DEEP])
    # Decoded, yet too deep for the walk that puts binary attachments back.
    nested = {"_placeholder": True, "num": 0}
    for _ in range(2000):
        nested = [nested]
    assert Packet.reconstruct_binary(["sendMessage", nested], [b"x"]) == [TOO_DEEP]
    assert Packet.reconstruct_binary(["e", [{"_placeholder": True, "num": 0}]], [b"x"]) == [
        "e",
        [b"x"],
    ]
    assert [r.getMessage()[:48] for r in caplog.records] == [
        "refused a Socket.IO packet nested too deeply to "
    ] * 2


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: orjson refuses them, the json module writes them
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=2)  # keys orjson refuses
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_packets_carry_the_json_values_python_socketio_would(value):
    # The text may differ (orjson writes UTF-8 where the json module escapes); what a
    # client reads from it may not.
    ours = _encode(Packet, "/agent", ["messageArrived", value])
    theirs = _encode(stock.Packet, "/agent", ["messageArrived", value])
    prefix = "2/agent,"
    assert ours.startswith(prefix) and theirs.startswith(prefix)
    assert json.loads(ours[len(prefix) :]) == json.loads(theirs[len(prefix) :])


def test_a_message_emitted_to_several_rooms_is_encoded_once_and_right(monkeypatch):
    calls = []
    real = jsoncodec.dumps

    def counting(data, **options):
        calls.append(data)
        return real(data, **options)

    monkeypatch.setattr(jsoncodec, "dumps", counting)
    other = dict(WIRE, text="another")
    with encoded_once(WIRE):
        first = _encode(Packet, "/", ["messageArrived", WIRE])
        second = _encode(Packet, "/agent", ["messageArrived", WIRE])
        third = _encode(Packet, "/agent", ["messageArrived", other])
        equal = _encode(Packet, "/", ["messageArrived", dict(WIRE)])
        assert len(calls) == 3  # WIRE once; `other` and an equal copy each their own
    after = _encode(Packet, "/", ["messageArrived", WIRE])
    assert len(calls) == 4  # outside the block nothing is remembered
    compact = {"separators": (",", ":")}
    expected = '["messageArrived",%s]' % json.dumps(WIRE, **compact)
    assert first == "2" + expected and after == first and equal == first
    assert second == "2/agent," + expected
    assert third == '2/agent,["messageArrived",%s]' % json.dumps(other, **compact)


def test_two_payloads_of_one_block_are_each_encoded_once(monkeypatch):
    calls = []
    real = jsoncodec.dumps
    monkeypatch.setattr(jsoncodec, "dumps", lambda data, **o: calls.append(data) or real(data, **o))
    own = dict(WIRE, **{"from": dict(WIRE["from"], id="secret")})
    with encoded_once(WIRE, own):
        texts = [_encode(Packet, "/", ["messageArrived", p]) for p in (own, WIRE) * 2]
        agents = _encode(Packet, "/agent", ["messageArrived", WIRE])
    assert len(calls) == 2  # each payload once, whichever room or namespace
    assert texts[0] == texts[2] != texts[1] == texts[3]
    assert agents == "2/agent," + texts[1][1:] and '"id":"secret"' in texts[0]


def test_the_app_server_uses_it(sqlite_app):
    from chatwidget.extensions import socketio

    assert socketio.server.packet_class is Packet
