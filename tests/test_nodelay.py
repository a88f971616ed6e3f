"""Accepted sockets get TCP_NODELAY: no delayed-ACK stall on keep-alive connections.

pywsgi sends a response's headers and its body in two writes. With Nagle's algorithm
on, the body waits until the client ACKs the headers, and the client delays that ACK
(~40 ms on Linux), so every keep-alive request answers ~40 ms late. Both server
classes (`python app.py` and the gunicorn worker) set TCP_NODELAY on each accepted
socket; the unit tests check the option on a real accepted socket, the slow test that
the real server answers keep-alive requests in far less than the stall.
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time

import pytest
from gevent import pywsgi

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def nodelay_of(sock):
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.fixture
def accepted():
    """The server side of a real loopback TCP connection, as accept() hands it over."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    server_side, address = listener.accept()
    assert nodelay_of(server_side) == 0  # the kernel's default: Nagle on
    yield server_side, address
    for sock in (server_side, client, listener):
        sock.close()


def handled_with(server_class, base_class, monkeypatch, accepted):
    """Run server_class.handle on an accepted socket; the option as the base handler sees it."""
    seen = []
    monkeypatch.setattr(
        base_class, "handle", lambda self, sock, addr: seen.append(nodelay_of(sock))
    )
    server = server_class(("127.0.0.1", 0), lambda environ, start_response: [])
    server.handle(*accepted)
    return seen


def test_the_gevent_server_sets_nodelay_before_handling(monkeypatch, accepted):
    from chatwidget.server import NoDelayWSGIServer

    assert handled_with(NoDelayWSGIServer, pywsgi.WSGIServer, monkeypatch, accepted) == [1]
    assert nodelay_of(accepted[0]) == 1


def test_the_gunicorn_worker_server_sets_nodelay_before_handling(monkeypatch, accepted):
    from gunicorn.workers.ggevent import PyWSGIServer

    from chatwidget.gunicorn_worker import NoDelayPyWSGIServer, Worker

    assert Worker.server_class is NoDelayPyWSGIServer
    assert handled_with(NoDelayPyWSGIServer, PyWSGIServer, monkeypatch, accepted) == [1]


def test_a_socket_that_is_not_tcp_is_left_alone():
    from chatwidget.server import nodelay

    left, right = socket.socketpair()  # AF_UNIX: no TCP options
    try:
        nodelay(left)
    finally:
        left.close()
        right.close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """`python app.py` on a fresh SQLite database; yields its port."""
    port = _free_port()
    env = dict(os.environ)
    for name in ("WEB_CONCURRENCY", "REDIS_URL", "FLASK_APP"):
        env.pop(name, None)
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL="sqlite:///%s" % (tmp_path / "chatwidget.db"),
        ACCESS_LOG="0",
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def keep_alive_round_trips(port, count):
    """Seconds each of count sequential GET /healthz takes on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            assert response.status == 200, response.read()
            response.read()
            assert not response.will_close  # the same connection every time
            times.append(time.perf_counter() - start)
    finally:
        conn.close()
    return times


@pytest.mark.slow
def test_keep_alive_requests_are_not_held_back_by_delayed_acks(served):
    keep_alive_round_trips(served, 5)  # warm up: first requests, connection set-up
    times = keep_alive_round_trips(served, 30)
    # With the stall every round trip takes >= 40 ms; without it, about one millisecond.
    # The median (not the mean) keeps a noisy machine's odd slow request out of it.
    assert statistics.median(times) < 0.020, ["%.1f ms" % (t * 1000) for t in times]
