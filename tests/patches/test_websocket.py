"""The websocket patch reads and writes frames exactly as gevent-websocket's own WebSocket.

Both classes read the same bytes (hypothesis-made frames: text, binary, fragmented,
masked or not, valid UTF-8 or not) and must give the same messages, or fail alike.
tests/websocket drives the patched class through a real server and client.
"""

import io
import logging
import os
from types import SimpleNamespace

import pytest
from geventwebsocket.websocket import Header, WebSocket
from hypothesis import given, settings
from hypothesis import strategies as st

from chatwidget.patches.websocket import FastWebSocket, unmask

LOG = logging.getLogger(__name__)
TEXT, BINARY, CONTINUATION = WebSocket.OPCODE_TEXT, WebSocket.OPCODE_BINARY, 0


class Stream:
    """A connection's two directions: what the client sent, what the server wrote."""

    def __init__(self, data):
        self.read = io.BytesIO(data).read
        self.written = bytearray()

    def write(self, data):
        self.written += data


def socket_of(cls, data):
    handler = SimpleNamespace(server=SimpleNamespace(application=None), logger=LOG)
    stream = Stream(data)
    ws = WebSocket({}, stream, handler)
    ws.__class__ = cls  # as the patch's handler does to an upgraded connection
    return ws, stream


def masker(mask, size):
    header = Header(length=size)
    header.mask = mask
    return header


def client_frame(fin, opcode, payload, mask):
    """A frame as a client sends it (RFC 6455 §5.2)."""
    header = Header.encode_header(fin, opcode, mask or b"", len(payload), 0)
    if mask:
        payload = bytes(masker(mask, len(payload)).mask_payload(payload))
    return header + payload


def outcome(cls, data):
    """What receive() gives for data, until it fails or gives None (the socket closed),
    then what the server wrote back (close frames)."""
    ws, stream = socket_of(cls, data)
    got = []
    for _ in range(5):
        try:
            got.append(ws.receive())
        except Exception as error:  # the same failures either way
            got.append((type(error), str(error)))
            break
        if got[-1] is None:
            break
    return got, bytes(stream.written), ws.closed


MASKS = st.none() | st.binary(min_size=4, max_size=4)
PAYLOADS = st.binary(max_size=300) | st.text(max_size=200).map(str.encode)


@st.composite
def messages(draw):
    """One message's frames: a text or binary start, then continuations, each masked."""
    parts = draw(st.lists(PAYLOADS, min_size=1, max_size=4))
    opcode = draw(st.sampled_from([TEXT, BINARY]))
    frames = b""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        frames += client_frame(last, opcode if index == 0 else CONTINUATION, part, draw(MASKS))
    return frames


@settings(max_examples=300, deadline=None)
@given(st.lists(messages(), min_size=1, max_size=3), st.binary(max_size=8))
def test_messages_read_as_the_stock_websocket_reads_them(frames, trailing):
    data = b"".join(frames) + trailing
    assert outcome(FastWebSocket, data) == outcome(WebSocket, data)


@pytest.mark.parametrize(
    "data",
    [
        client_frame(True, TEXT, b"caf\xc3", os.urandom(4)),  # cut mid-character
        client_frame(False, TEXT, b"caf\xc3", None) + client_frame(True, 0, b"\xa9", None),
        client_frame(True, TEXT, b"\xff\xfe", None),
        client_frame(True, TEXT, "ok ✓".encode(), b"abcd"),
        b"\xc1\x00",  # a reserved bit set
        client_frame(True, BINARY, b"x" * 70000, b"wxyz"),
        client_frame(True, TEXT, b"short", None)[:-2],  # the connection ends mid-frame
    ],
)
def test_edge_frames_as_the_stock_websocket(data):
    assert outcome(FastWebSocket, data) == outcome(WebSocket, data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=5000), st.binary(min_size=4, max_size=4))
def test_unmask_is_the_stock_per_byte_loop(payload, mask):
    assert unmask(payload, mask) == bytes(masker(mask, len(payload)).mask_payload(payload))
