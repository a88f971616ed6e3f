"""A raw Socket.IO packet nested 10,000 levels deep, sent over a WebSocket and over long
polling to a real server process, is refused with an error ack and one line in the log,
no traceback; the server, those sockets and everyone else's go on as before."""

import json

import pytest
import requests
import websocket

from tests.system.clients import TIMEOUT, Customer

DEEP = "[" * 10000 + "]" * 10000


class RawWebSocket:
    """Socket.IO spoken by hand over an Engine.IO WebSocket: any text can be sent."""

    def __init__(self, base_url):
        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=TIMEOUT)
        assert self.ws.recv().startswith("0{")  # Engine.IO open
        self.ws.send("40")
        assert self.recv().startswith("40{")  # connected to namespace /

    def recv(self):
        while True:
            text = self.ws.recv()
            if text != "2":
                return text
            self.ws.send("3")  # answer the server's ping

    def call(self, packet):
        """Send a packet asking for ack 1; returns the ack's data."""
        self.ws.send(packet)
        return _ack(self.recv())


class RawPolling:
    """The same over Engine.IO long polling (plain HTTP requests)."""

    def __init__(self, base_url):
        self.url = base_url + "/socket.io/?EIO=4&transport=polling"
        opened = requests.get(self.url, timeout=TIMEOUT).text
        self.url += "&sid=" + json.loads(opened[1:])["sid"]
        self.post("40")
        assert requests.get(self.url, timeout=TIMEOUT).text.startswith("40{")

    def post(self, packet):
        assert requests.post(self.url, data=packet.encode(), timeout=TIMEOUT).status_code == 200

    def call(self, packet):
        self.post(packet)
        return _ack(requests.get(self.url, timeout=TIMEOUT).text)


def _ack(text):
    """The data of ack 1 (`431[…]`)."""
    assert text.startswith("431["), text
    return json.loads(text[3:])


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_packet_nested_ten_thousand_deep_is_refused_in_one_log_line(
    database_url, make_deployment
):
    [server] = make_deployment(database_url).start("only")
    raw = [RawWebSocket(server.url), RawPolling(server.url)]
    bystander = Customer(server.url).connect(server.url)  # a customer minding their business
    bystander.join()

    for client in raw:
        ack = client.call('421["sendMessage",%s]' % DEEP)
        assert ack == [{"status": "error", "message": "the packet is nested too deeply"}]

    for client in raw:  # the same sockets are still answered
        [ack] = client.call('421["sendMessage",{"text":"hi"}]')
        assert ack["status"] == "error" and "conversationId" in ack["errors"], ack
    bystander.send("still served")
    bystander.recorder.wait_message(lambda m: m.get("text") == "still served", "the echo")
    assert requests.get(server.url + "/healthz", timeout=TIMEOUT).status_code == 200

    log = server.log()
    assert "Traceback" not in log and "RecursionError" not in log, log
    refusals = [line for line in log.splitlines() if "nested too deeply" in line]
    assert len(refusals) == 2 and all(len(line) < 200 for line in refusals), refusals
    bystander.disconnect()
