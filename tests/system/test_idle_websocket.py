"""A WebSocket client that only answers the server's pings stays connected and is still
sent every message: the served process writes packets straight to the WebSocket, while
python-engineio's writer greenlet takes a queue empty for ping interval + ping timeout
for a dead client and closes the connection. Pings must keep it alive."""

import time

import pytest

from tests.system.clients import Customer

# The writer greenlet gives up after PING_INTERVAL + PING_TIMEOUT without a queued packet.
PING_INTERVAL, PING_TIMEOUT = 0.5, 1.0


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_idle_websocket_outlives_several_heartbeats_and_still_gets_messages(
    database_url, make_deployment
):
    deployment = make_deployment(
        database_url,
        SOCKETIO_PING_INTERVAL_S=PING_INTERVAL,
        SOCKETIO_PING_TIMEOUT_S=PING_TIMEOUT,
    )
    [server] = deployment.start("only")
    customer = Customer(server.url).connect(server.url)
    disconnects = []
    customer.client.on("disconnect", lambda *reason: disconnects.append(reason))
    customer.join()
    # Time itself is under test: four writer time-outs pass with only pings on the wire.
    time.sleep(4 * (PING_INTERVAL + PING_TIMEOUT))
    assert disconnects == []
    assert customer.client.eio.state == "connected"
    ack = customer.send("still here")
    assert ack["status"] == "ok", ack
    customer.recorder.wait_message(lambda m: m.get("text") == "still here", "the echo")
    assert disconnects == []
    customer.disconnect()
