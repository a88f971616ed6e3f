"""Real server processes for the system tests: one database, its CLI, its servers."""

import json
import os
import subprocess
import uuid

import requests
from sqlalchemy import create_engine, text

from chatwidget.config import database_uri
from tests.system.servers import PYTHON, ROOT, Server, wait_until  # noqa: F401 (re-exported)

# Fast retries, and a short lease so that a killed process's claim runs out quickly (the
# outbox stretches it to the timeout + 1 s, so 2.5 s here). The timeout leaves the test
# a wide margin to SIGKILL the server before a held POST gives up on its own.
SETTINGS = {
    "WEBHOOK_BACKOFF_BASE_S": "0.05",
    "WEBHOOK_BACKOFF_MAX_S": "0.2",
    "WEBHOOK_TIMEOUT_S": "1.5",
    "WEBHOOK_LEASE_S": "2",
    "WEBHOOK_POLL_S": "0.1",
}


# One wait helper and one server-process class for every system test.
wait_for = wait_until


class Deployment:
    """One database shared by every server process and CLI command of a test."""

    def __init__(self, tmp, database_url):
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WEBHOOK_")}
        self.env.update(SETTINGS)
        self.env.update(
            DATABASE_URL=database_url,
            INSTANCE_PATH=str(tmp / "instance"),
            SECRET_KEY="system-test-" + uuid.uuid4().hex,
            COMPANY_SECRET="company-" + uuid.uuid4().hex,
            HOST="127.0.0.1",
            REDIS_URL="",
            RATE_LIMIT="1000/second",
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("PUBLIC_URL", None)
        self.engine = create_engine(database_uri(str(tmp / "instance"), database_url))
        self.servers = []

    def flask(self, *args):
        """Run `flask --app app ARGS` in this deployment's environment; returns stdout."""
        done = subprocess.run(
            [PYTHON, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, "flask %s failed:\n%s" % (args, done.stderr)
        return done.stdout

    def command(self, *args):
        """An admin command's one JSON line."""
        lines = [line for line in self.flask(*args).splitlines() if line.strip()]
        assert len(lines) == 1, lines
        return json.loads(lines[0])

    def start(self, *names):
        """Start one server per name, all at once, and wait until each answers."""
        started = [Server(self, name) for name in names]
        self.servers.extend(started)
        for server in started:
            wait_for(server.ready, 20, "%s to answer /healthz" % server.name)
        return started

    def rows(self, sql):
        with self.engine.connect() as conn:
            return conn.execute(text(sql)).all()

    def close(self):
        """Kill every server this test started and print their logs (shown on failure)."""
        for server in self.servers:
            server.kill()
        for server in self.servers:
            print("----- %s (%s) -----\n%s" % (server.name, server.log_path, server.log()))
        self.engine.dispose()


class Capturer:
    """An API user with role chat_capture, posting chats to any server of a deployment."""

    def __init__(self, deployment):
        self.credentials = deployment.command("create-api-user", "crm", "--role", "chat_capture")
        self.tokens = {}

    def _token(self, server):
        if server.url not in self.tokens:
            form = {"grant_type": "client_credentials", **self.credentials}
            answer = requests.post(server.url + "/Token", data=form, timeout=10)
            assert answer.status_code == 200, answer.text
            self.tokens[server.url] = answer.json()["access_token"]
        return self.tokens[server.url]

    def capture(self, server, chat):
        """POST chat to server's capture API; returns its callId."""
        headers = {"Authorization": "bearer " + self._token(server)}
        answer = requests.post(
            server.url + "/chatCapture/v1", json=chat, headers=headers, timeout=10
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["callId"]
