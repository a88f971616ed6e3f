"""A flood of agent sign-ins does not stall the server (issue 15, point 5): 40 at once,
each a real scrypt check, while /healthz answers within 500 ms throughout."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.system.servers import Deployment

SIGN_INS = 40
BOUND_S = 0.5
PASSWORD = "flood password 1"


def _poll(url, stop, delays):
    """/healthz over and over until stop is set; each answer's time into delays."""
    with requests.Session() as session:
        while not stop.is_set():
            started = time.monotonic()
            answer = session.get(url + "/healthz", timeout=10)
            delays.append(time.monotonic() - started)
            assert answer.status_code == 200
            stop.wait(0.02)  # a probe every ~20 ms, not a busy loop


def test_forty_concurrent_sign_ins_leave_healthz_within_500_ms(make_deployment, tmp_path):
    deployment = make_deployment("sqlite:///%s" % (tmp_path / "flood.db"))
    servers = deployment.launch("flood")  # starting while the command runs: both import
    deployment.flask(*Deployment.create_agent("ann@example.com", "Ann", PASSWORD, "general"))
    (server,) = deployment.wait_ready(servers)
    login = {"email": "ann@example.com", "password": PASSWORD}

    def sign_in(_):
        return requests.post(server.url + "/api/agent/token", json=login, timeout=60)

    stop, delays = threading.Event(), []
    poller = threading.Thread(target=_poll, args=(server.url, stop, delays))
    poller.start()
    try:
        with ThreadPoolExecutor(SIGN_INS) as pool:
            answers = list(pool.map(sign_in, range(SIGN_INS)))
    finally:
        stop.set()
        poller.join(30)
    assert [a.status_code for a in answers] == [200] * SIGN_INS
    assert len(delays) >= 5, delays  # the probes ran while the sign-ins did
    print("slowest /healthz", sorted(delays)[-3:], len(delays))
    assert max(delays) < BOUND_S, sorted(delays)[-5:]
