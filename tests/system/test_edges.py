"""Real server processes at the edges of HTTP (issue 15, points 4 and 6): a chunked body
over MAX_BODY_MB, the access log behind a trusted proxy, a port already taken."""

import subprocess

import pytest
import requests

from tests.system.servers import PYTHON, ROOT, wait_until

INIT = b'{"channel": "web", "email": "carla@example.com", "firstName": "Carla", "x": "'
JSON = {"Content-Type": "application/json"}


def chunked(size):
    """A JSON body of about size bytes, sent in 1,000-byte chunks with no Content-Length."""
    yield INIT
    for _ in range(size // 1000):
        yield b"y" * 1000
    yield b'"}'


@pytest.fixture
def sqlite_deployment(make_deployment, tmp_path):
    return lambda **env: make_deployment("sqlite:///%s" % (tmp_path / "edges.db"), **env)


def _bearer(deployment, url, role):
    user = deployment.flask("create-api-user", "edge", "--role", role)
    form = {"grant_type": "client_credentials", **user}
    token = requests.post(url + "/Token", data=form, timeout=10).json()["access_token"]
    return {"Authorization": "bearer " + token, **JSON}


def test_a_chunked_body_over_max_body_mb_is_413(sqlite_deployment):
    deployment = sqlite_deployment(MAX_BODY_MB="0.01")  # 10,485 bytes
    (server,) = deployment.start("edges")
    for path, headers in (
        ("/api/customer/init", JSON),
        ("/chatCapture/v1", _bearer(deployment, server.url, "chat_capture")),
    ):
        answer = requests.post(server.url + path, data=chunked(30_000), headers=headers, timeout=10)
        assert answer.status_code == 413, (path, answer.text)
        assert "0.01 MB" in answer.json()["message"]
    small = requests.post(
        server.url + "/api/customer/init", data=chunked(5_000), headers=JSON, timeout=10
    )
    assert small.status_code == 200, small.text  # under the limit, chunked is read whole


def _logged(server, needle):
    return needle in server.log()


@pytest.mark.parametrize("hops", [1, 0])
def test_the_access_log_names_the_client_a_trusted_proxy_gives(sqlite_deployment, hops):
    deployment = sqlite_deployment(PROXY_HOPS=hops, ACCESS_LOG=1)
    (server,) = deployment.start("proxied")
    forwarded = {"X-Forwarded-For": "203.0.113.77"}
    assert requests.get(server.url + "/healthz", headers=forwarded, timeout=10).ok
    # A Socket.IO handshake (polling) goes through the same middleware.
    handshake = server.url + "/socket.io/?EIO=4&transport=polling&t=edge"
    assert requests.get(handshake, headers=forwarded, timeout=10).ok
    mark = "/socket.io/?EIO=4&transport=polling&t=edge"
    wait_until(lambda: _logged(server, mark), 10, "the handshake's access log line")
    lines = [line for line in server.log().splitlines() if "/healthz" in line or mark in line]
    shown = "203.0.113.77 - - [" if hops else "127.0.0.1 - - ["
    assert len([line for line in lines if shown in line]) >= 2, lines
    if not hops:
        assert "203.0.113.77" not in server.log()


def test_a_port_already_taken_is_one_line_and_status_1(sqlite_deployment):
    deployment = sqlite_deployment()
    (first,) = deployment.start("first")
    env = dict(deployment.env, PORT=str(first.port))
    done = subprocess.run(
        [PYTHON, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr == (
        "error: port %d on 127.0.0.1 is already in use (set PORT=… or HOST=…)\n" % first.port
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert first.ready()
