"""The app's WebSocket frames (chatwidget.patches.websocket) behave as RFC 6455 and the stock
gevent-websocket classes say: what a client sends arrives whole and unchanged, whatever
its size, fragments or characters, and invalid UTF-8 in a text message closes the socket.
Driven by a real client (websocket-client) against a real server process."""

import os
import random
import subprocess

import pytest
import websocket
from geventwebsocket.websocket import Header

from chatwidget.patches.websocket import unmask
from tests.system.servers import PYTHON, free_port, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))


def test_unmask_matches_the_stock_per_byte_loop():
    rng = random.Random(6455)
    for size in (0, 1, 3, 4, 5, 125, 126, 127, 1000, 65536, 70001):
        payload = rng.randbytes(size)
        header = Header(length=size)
        header.mask = rng.randbytes(4)
        assert unmask(payload, header.mask) == bytes(header.mask_payload(payload))
        assert unmask(unmask(payload, header.mask), header.mask) == payload


@pytest.fixture(scope="module")
def echo_url():
    port = free_port()
    process = subprocess.Popen([PYTHON, os.path.join(HERE, "echo_server.py"), str(port)])

    def listening():
        assert process.poll() is None, "the echo server exited"
        try:
            websocket.create_connection("ws://127.0.0.1:%d/" % port, timeout=1).close()
        except OSError:
            return False
        return True

    wait_until(listening, 15, "the echo server")
    yield "ws://127.0.0.1:%d/" % port
    process.kill()
    process.wait()


@pytest.fixture
def ws(echo_url):
    client = websocket.create_connection(echo_url, timeout=10)
    yield client
    client.close()


def test_the_server_runs_the_fast_websocket(ws):
    ws.send("?class")
    assert ws.recv() == "FastWebSocket"


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 300_000])
def test_text_messages_of_every_length_class_come_back_unchanged(ws, size):
    text = ("ab€😀ж" * (size // 5 + 1))[:size]
    ws.send(text)
    assert ws.recv() == text


def test_binary_messages_come_back_unchanged(ws):
    data = bytes(range(256)) * 300
    ws.send_binary(data)
    assert ws.recv() == data


def test_a_fragmented_message_is_joined_even_across_a_split_character(ws):
    encoded = "héllo wörld €".encode()
    cut = encoded.index("€".encode()) + 1  # inside the euro sign's three bytes
    frames = [
        websocket.ABNF(0, 0, 0, 0, websocket.ABNF.OPCODE_TEXT, 1, encoded[:4]),
        websocket.ABNF(0, 0, 0, 0, websocket.ABNF.OPCODE_CONT, 1, encoded[4:cut]),
        websocket.ABNF(1, 0, 0, 0, websocket.ABNF.OPCODE_CONT, 1, encoded[cut:]),
    ]
    for frame in frames:
        ws.send_frame(frame)
    assert ws.recv() == "héllo wörld €"


def closed_by_server(ws):
    """The next frame is the server's close (gevent-websocket's carries no status code)."""
    opcode, _ = ws.recv_data_frame(control_frame=True)
    return opcode == websocket.ABNF.OPCODE_CLOSE


def test_invalid_utf8_in_a_text_message_closes_the_socket(ws):
    ws.send_frame(websocket.ABNF(1, 0, 0, 0, websocket.ABNF.OPCODE_TEXT, 1, b"ok \xff\xfe"))
    assert closed_by_server(ws)


def test_a_text_message_cut_inside_a_character_closes_the_socket(ws):
    ws.send_frame(websocket.ABNF(1, 0, 0, 0, websocket.ABNF.OPCODE_TEXT, 1, "€".encode()[:2]))
    assert closed_by_server(ws)


def test_invalid_utf8_split_over_fragments_closes_the_socket(ws):
    frames = [
        websocket.ABNF(0, 0, 0, 0, websocket.ABNF.OPCODE_TEXT, 1, b"fine so far "),
        websocket.ABNF(1, 0, 0, 0, websocket.ABNF.OPCODE_CONT, 1, b"\xc3\x28"),
    ]
    for frame in frames:
        ws.send_frame(frame)
    assert closed_by_server(ws)


def test_reserved_bits_close_the_socket(ws):
    ws.send_frame(websocket.ABNF(1, 1, 0, 0, websocket.ABNF.OPCODE_TEXT, 1, b"x"))
    assert closed_by_server(ws)


def test_the_socket_keeps_working_after_many_messages(ws):
    for n in range(500):
        ws.send("message %d" % n)
        assert ws.recv() == "message %d" % n


def test_a_burst_larger_than_the_socket_buffers_arrives_whole_and_in_order(echo_url):
    # 20 MB written in one go: far more than the kernel takes at once, so most of it
    # is sent by the connection's own greenlet while the client reads.
    client = websocket.create_connection(echo_url, timeout=20)
    try:
        client.send("?burst 80 262144")
        for number in range(80):
            message = client.recv()
            assert len(message) == 262144
            assert message.startswith("%d:x" % number)
        assert client.recv() == "done"
    finally:
        client.close()


def test_a_client_that_stops_reading_holds_up_no_other_connection(echo_url):
    stalled = websocket.create_connection(echo_url, timeout=20)
    other = websocket.create_connection(echo_url, timeout=10)
    try:
        stalled.send("?burst 80 262144")  # never read while the other talks
        for number in range(20):
            other.send("ping %d" % number)
            assert other.recv() == "ping %d" % number
        assert stalled.recv().startswith("0:x")
    finally:
        stalled.close()
        other.close()
