"""Real server processes for the system tests: one database and one Redis channel per test.

A Deployment is what an operator runs: a migrated database, the admin CLI, and any
number of `python app.py` processes sharing the same SECRET_KEY, database, Redis and
Socket.IO channel. Every process's output goes to a file, printed at teardown (pytest
shows it when the test failed); every process is SIGKILLed at teardown.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import requests
from sqlalchemy import create_engine, text

from chatwidget.config import database_uri

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
PYTHON = VENV_PYTHON if os.path.exists(VENV_PYTHON) else sys.executable
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Fast scheduler passes, and a process that stops heartbeating is dead after 3 s.
SETTINGS = {
    "SCHEDULER_INTERVAL_S": "0.5",
    "PROCESS_STALE_S": "3",
    "RATE_LIMIT": "1000/second",
    "ACCESS_LOG": "0",
    "PYTHONUNBUFFERED": "1",
}


def redis_reason(url=REDIS_URL):
    """None when Redis answers PING at url, else why not."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:
        return "Redis not reachable at %s: %s" % (url, exc)
    return None


def free_port():
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, seconds, what):
    """Poll condition() under a deadline (for things with no event to wait on: a port)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up after %ss waiting for %s" % (seconds, what)
        time.sleep(0.05)


class Server:
    """`python app.py` (or script) in its own process; stdout and stderr go to a log file."""

    def __init__(self, deployment, name, script="app.py"):
        self.name = name
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = deployment.tmp / ("%s.log" % name)
        env = dict(deployment.env, PORT=str(self.port))
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [PYTHON, script], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def ready(self):
        """True once /healthz answers 200; fails at once if the process died."""
        assert self.process.poll() is None, "%s exited:\n%s" % (self.name, self.log())
        try:
            return requests.get(self.url + "/healthz", timeout=1).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # still starting, or busy
            return False

    def kill(self):
        """SIGKILL: no handler runs, nothing is flushed, nothing is said to any client."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def pause(self):
        """SIGSTOP: the process is frozen (a long GC pause, a stalled VM), its sockets stay open."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def log(self):
        with open(self.log_path, errors="replace") as fh:
            return fh.read()


class Deployment:
    """One database, one Redis channel, one SECRET_KEY: every process and command shares them."""

    def __init__(self, tmp, database_url, redis_url=""):
        self.tmp = tmp
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("WEBHOOK_", "FLASK_")) and k not in ("PUBLIC_URL", "PORT")
        }
        tag = uuid.uuid4().hex[:12]
        self.env.update(SETTINGS)
        self.env.update(
            DATABASE_URL=database_url,
            INSTANCE_PATH=str(tmp / "instance"),
            SECRET_KEY="system-test-" + uuid.uuid4().hex,
            COMPANY_SECRET="company-" + uuid.uuid4().hex,
            HOST="127.0.0.1",
            REDIS_URL=redis_url,
            SOCKETIO_CHANNEL="cw-test-" + tag,  # parallel runs on one Redis never cross
            RATELIMIT_KEY_PREFIX="cw-test-" + tag,
        )
        self.servers = []
        self.engine = create_engine(database_uri(self.env["INSTANCE_PATH"], database_url))

    def _flask(self, args):
        return subprocess.Popen(
            [PYTHON, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def commands(self, *commands):
        """Run admin commands (`flask --app app ARGS`, one tuple each) side by side.

        Returns the one JSON line each printed, in order; fails naming a command that failed.
        """
        running = [(args, self._flask(args)) for args in commands]
        printed = []
        for args, process in running:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, "flask %s failed:\n%s" % (args, err)
            lines = [line for line in out.splitlines() if line.strip()]
            printed.append(json.loads(lines[0]) if len(lines) == 1 else out)
        return printed

    def flask(self, *args):
        """Run one admin command; returns its JSON line (or its whole output)."""
        return self.commands(args)[0]

    @staticmethod
    def create_agent(email, name, password, skill):
        """The create-agent command line for commands()."""
        return ("create-agent", "--email", email, "--name", name, "--password", password,
                "--skill", skill)  # fmt: skip

    def launch(self, *names, script="app.py"):
        """Start one server per name without waiting; see wait_ready()."""
        started = [Server(self, name, script) for name in names]
        self.servers.extend(started)
        return started

    def wait_ready(self, servers):
        for server in servers:
            wait_until(server.ready, 30, "%s to answer /healthz" % server.name)
        return servers

    def start(self, *names, script="app.py"):
        """Start one server per name, side by side, and wait until each answers /healthz."""
        return self.wait_ready(self.launch(*names, script=script))

    def rows(self, sql, **params):
        """Read the shared database directly (to wait on what no client is told)."""
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def value(self, sql, **params):
        """The one value a query answers."""
        [(value,)] = self.rows(sql, **params)
        return value

    def close(self):
        """Kill every server this test started; print their logs (shown when a test fails)."""
        for server in self.servers:
            server.kill()
        for server in self.servers:
            print("----- %s (%s) -----\n%s" % (server.name, server.log_path, server.log()))
        self.engine.dispose()
