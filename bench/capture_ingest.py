"""Capture ingest benchmark: POST /chatCapture/v1 against the real server and a bare baseline.

    .venv/bin/python bench/capture_ingest.py [--chats N] [--clients K] [--rounds R]
                                             [--database sqlite|postgresql]

Starts both servers itself, each in its own temporary directory:
- the app: `python app.py` (database created with `flask db upgrade`, an API user made
  with `flask create-api-user`, a token from POST /Token), access log off;
- the baseline: bench/bare_server.py, one Flask view that parses the JSON and inserts it
  as one row with the stdlib sqlite3, under the same server class and SQLite settings.

With --database postgresql both store in PostgreSQL instead (bench.production: each a
database of its own, created for the run and dropped after; the app's migrated by
`flask db upgrade`, the baseline's one table written with psycopg, a commit a request).

Each gets a warm-up, then N distinct chats of 20 messages from K concurrent keep-alive
clients. The load client is one process of gevent greenlets writing prebuilt HTTP/1.1
requests to raw sockets (no http.client header parsing), so it costs a few percent of
a core; its CPU use and the server's are printed next to the figures. With --rounds R
the two servers alternate R times and the median round is judged.

Targets (2 cores, SQLite, 16 clients): ≥ 500 chats/s, p99 ≤ 100 ms, ≥ 0.5 × baseline.
Never part of the test suite: it measures, it does not check behaviour.
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import gevent
from gevent import socket as gsocket

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.production import DATABASES, Database, deltas  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
TARGET_RATE = 500.0
TARGET_P99_MS = 100.0
TARGET_RATIO = 0.5
MESSAGES = 20
WARMUP = 200

LINES = [
    "Hi, I need to change the delivery address on my order.",
    "Sure, I can help with that. Could you give me the order number?",
    "It is 48213-AB, placed last Tuesday.",
    "Thanks. I can see it; it has not shipped yet, so we can still change it.",
    "Great, the new address is 12 Rose Street, Springfield.",
    "Done. You will get a confirmation e-mail in a few minutes.",
    "Will the delivery date change?",
    "No, it stays on Friday between 9 am and 1 pm.",
    "Perfect, thank you so much!",
    "You're welcome. Is there anything else I can do for you today?",
]


# --- payloads ---------------------------------------------------------------------------


def make_chat(run, i):
    """One distinct finished chat: a customer and an agent, 20 messages, some metadata."""
    start = datetime(2024, 5, 1, 9, 0, tzinfo=UTC) + timedelta(seconds=37 * i)

    def stamp(k):
        return (start + timedelta(seconds=15 * k + 3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    customer = [
        {"Content": LINES[k % len(LINES)], "UtcTimestamp": stamp(k)} for k in range(0, MESSAGES, 2)
    ]
    agent = [
        {"Content": LINES[k % len(LINES)], "UtcTimestamp": stamp(k)} for k in range(1, MESSAGES, 2)
    ]
    return {
        "SessionId": "%s-%07d" % (run, i),
        "MasterCallId": None,
        "UtcStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "UtcEnd": (start + timedelta(seconds=15 * MESSAGES + 10)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Contacts": [
            {
                "Type": "Customer",
                "FirstName": "Jane",
                "LastName": "Doe",
                "Email": "jane.doe%d@example.com" % i,
                "Phone": "+1555%07d" % i,
                "Messages": customer,
            },
            {
                "Type": "Agent",
                "ReferenceId": "agent-17",
                "FirstName": "John",
                "LastName": "Smith",
                "Messages": agent,
            },
        ],
        "Metadata": {"ReferenceId": "ref-%d" % i, "CustomerRating": "4", "Queue": "orders"},
    }


def build_requests(port, token, run, first, count):
    """Prebuilt request bytes, so the client spends nothing on encoding while timed."""
    out = []
    for i in range(first, first + count):
        body = json.dumps(make_chat(run, i), separators=(",", ":")).encode()
        head = (
            "POST /chatCapture/v1 HTTP/1.1\r\n"
            "Host: 127.0.0.1:%d\r\n"
            "Authorization: bearer %s\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (port, token, len(body))
        ).encode()
        out.append(head + body)
    return out


# --- the load client --------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; reads Content-Length framed responses."""

    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buf = b""
        self.reconnects = 0

    def _connect(self):
        self.sock = gsocket.create_connection(("127.0.0.1", self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def request(self, data):
        """Send one prebuilt request; returns (status, body)."""
        if self.sock is None:
            self._connect()
            self.reconnects += 1
        sock = self.sock
        sock.sendall(data)
        buf = self.buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            chunk = sock.recv(65536)
            if not chunk:
                self.close()
                raise ConnectionError("server closed the connection")
            buf += chunk
        lines = buf[:end].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = None, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length is None:
            raise ValueError("response without Content-Length: %r" % lines[0])
        need = end + 4 + length
        while len(buf) < need:
            chunk = sock.recv(65536)
            if not chunk:
                self.close()
                raise ConnectionError("server closed the connection mid-body")
            buf += chunk
        body, self.buf = buf[end + 4 : need], buf[need:]
        if close:
            self.close()
        return status, body


def drive(port, requests, clients):
    """Send requests over `clients` concurrent connections; returns timings and errors."""
    latencies = []
    errors = []
    position = iter(range(len(requests)))

    def worker():
        conn = Connection(port)
        try:
            for i in position:
                t0 = time.perf_counter()
                try:
                    status, body = conn.request(requests[i])
                except (OSError, ValueError) as exc:
                    conn.close()
                    errors.append("request %d: %s" % (i, exc))
                    continue
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors.append("HTTP %d: %s" % (status, body[:200].decode(errors="replace")))
        finally:
            conn.close()

    started = time.perf_counter()
    gevent.joinall([gevent.spawn(worker) for _ in range(clients)])
    return time.perf_counter() - started, latencies, errors


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100.0 * (len(ordered) - 1))))]


# --- the servers ------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_healthy(port, proc, log_path, timeout=30.0):
    deadline = time.monotonic() + timeout
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited early:\n" + tail(log_path))
        conn = Connection(port)
        try:
            status, _ = conn.request(request)
            if status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise SystemExit("server not healthy after %.0f s:\n%s" % (timeout, tail(log_path)))


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as fh:
            return "".join(fh.readlines()[-lines:])
    except OSError:
        return ""


class Server:
    """A server subprocess in its own temporary directory."""

    def __init__(self, name, synchronous, database="sqlite"):
        self.name = name
        self.synchronous = synchronous
        self.dir = tempfile.mkdtemp(prefix="cw-bench-%s-" % name)
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.token = "-"
        self.database = Database(database, self.dir)

    def env(self):
        env = dict(os.environ)
        for name in ("WEB_CONCURRENCY", "REDIS_URL", "FLASK_APP"):
            env.pop(name, None)
        env.update(PORT=str(self.port), HOST="127.0.0.1", SQLITE_SYNCHRONOUS=self.synchronous)
        return env

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env(), stdout=log, stderr=log
            )
        wait_healthy(self.port, self.proc, self.log_path)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stored_rows(self):
        return self.database.scalar("SELECT count(*) FROM %s" % self.table)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.database.drop()


class AppServer(Server):
    table = "call"

    def env(self):
        env = super().env()
        env.update(
            INSTANCE_PATH=os.path.join(self.dir, "instance"),
            DATABASE_URL=self.database.url,
            ACCESS_LOG="0",
            RATE_LIMIT="1000000/second",
            PUBLIC_URL="http://127.0.0.1:%d" % self.port,
        )
        return env

    def command(self):
        return [PYTHON, "app.py"]

    def flask(self, *args):
        result = subprocess.run(
            [PYTHON, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit("flask %s failed:\n%s" % (" ".join(args), result.stderr[-3000:]))
        return result.stdout

    def prepare(self):
        self.flask("db", "upgrade")  # as `make run` migrates
        out = self.flask("create-api-user", "bench", "--role", "chat_capture")
        creds = json.loads(out.strip().splitlines()[-1])
        self.start()
        form = "grant_type=client_credentials&client_id=%s&client_secret=%s" % (
            creds["client_id"],
            creds["client_secret"],
        )
        request = (
            "POST /Token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: %d\r\n\r\n%s" % (len(form), form)
        ).encode()
        conn = Connection(self.port)
        status, body = conn.request(request)
        conn.close()
        if status != 200:
            raise SystemExit("POST /Token answered %d: %s" % (status, body))
        self.token = json.loads(body)["access_token"]


class BareServer(Server):
    table = "chat"

    def env(self):
        env = super().env()
        if self.database.kind == "sqlite":
            self.database.path = os.path.join(self.dir, "bare.db")
            env["BARE_DB"] = self.database.path
        else:
            env["BARE_DATABASE_URL"] = self.database.url
        return env

    def command(self):
        return [PYTHON, os.path.join(ROOT, "bench", "bare_server.py")]

    def prepare(self):
        self.start()


# --- one measurement --------------------------------------------------------------------


def measure(server, chats, clients, build=None, warmup=WARMUP):
    """Warm up, then time `chats` requests; returns a dict of figures.

    build(port, token, run, first, count) makes the prebuilt requests (default: captures).
    """
    build = build or build_requests
    run = uuid.uuid4().hex[:8]
    warm = build(server.port, server.token, run, 0, warmup)
    timed = build(server.port, server.token, run, warmup, chats)
    _, _, warm_errors = drive(server.port, warm, clients)
    if warm_errors:
        raise SystemExit("%s: warm-up failed: %s" % (server.name, warm_errors[:3]))
    before_rows = server.stored_rows()
    counters = server.database.counters()
    server_cpu = cpu_seconds(server.proc.pid)
    own = resource.getrusage(resource.RUSAGE_SELF)
    elapsed, latencies, errors = drive(server.port, timed, clients)
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = cpu_seconds(server.proc.pid) - server_cpu
    counters = deltas(counters, server.database.counters(), elapsed, chats)
    client_cpu = (own_after.ru_utime + own_after.ru_stime) - (own.ru_utime + own.ru_stime)
    stored = server.stored_rows() - before_rows
    return {
        "name": server.name,
        "rate": chats / elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "max": max(latencies) * 1000,
        "errors": errors,
        "stored": stored,
        "server_cpu": server_cpu / elapsed,
        "client_cpu": client_cpu / elapsed,
        "elapsed": elapsed,
        "counters": counters,
    }


def show(figures, chats, unit="chat"):
    print(
        "  %-8s %7.0f %ss/s  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  "
        "server CPU %3.0f%%  client CPU %3.0f%%  stored %d/%d  errors %d"
        % (
            figures["name"],
            figures["rate"],
            unit,
            figures["p50"],
            figures["p99"],
            figures["max"],
            figures["server_cpu"] * 100,
            figures["client_cpu"] * 100,
            figures["stored"],
            chats,
            len(figures["errors"]),
        )
    )
    c = figures["counters"]
    if c:
        print(
            "           PostgreSQL %.0f commits/s, %.0f WAL syncs/s, %.0f checkpoints, "
            "backends CPU %.0f%% (%.2f ms/%s); server %.2f ms/%s"
            % (
                c["commits_per_s"],
                c["wal_syncs_per_s"],
                c["checkpoints_per_s"] * figures["elapsed"],
                c["backend_cpu"] * 100,
                c["backend_cpu_ms_per_msg"],
                unit,
                figures["server_cpu"] * 1000 / figures["rate"],
                unit,
            )
        )
    for error in figures["errors"][:3]:
        print("      error: %s" % error)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=3000, help="chats per measurement")
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the servers R times")
    parser.add_argument(
        "--synchronous",
        default=os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper(),
        choices=["NORMAL", "FULL", "OFF"],
        help="SQLite synchronous for both servers (default FULL, as the app ships)",
    )
    parser.add_argument(
        "--database", choices=DATABASES, default="sqlite", help="both servers' (bench.production)"
    )
    args = parser.parse_args(argv)

    print(
        "capture ingest: %d chats x %d messages, %d keep-alive clients, %s, %d CPU(s), Python %s"
        % (
            args.chats,
            MESSAGES,
            args.clients,
            "SQLite WAL synchronous=%s" % args.synchronous
            if args.database == "sqlite"
            else "PostgreSQL",
            os.cpu_count(),
            sys.version.split()[0],
        )
    )
    print(
        "client: one process, gevent greenlets on raw keep-alive sockets, prebuilt "
        "requests; %d warm-up chats per server before timing" % WARMUP
    )
    app = AppServer("app", args.synchronous, args.database)
    bare = BareServer("bare", args.synchronous, args.database)
    results = {"app": [], "bare": []}
    try:
        print("app database: %s" % app.database.describe())
        app.prepare()
        bare.prepare()
        for round_no in range(1, args.rounds + 1):
            print("round %d:" % round_no)
            for server in (bare, app):
                figures = measure(server, args.chats, args.clients)
                results[server.name].append(figures)
                show(figures, args.chats)
    finally:
        app.cleanup()
        bare.cleanup()

    def median_round(name):
        rounds = sorted(results[name], key=lambda f: f["rate"])
        return rounds[len(rounds) // 2]

    a, b = median_round("app"), median_round("bare")
    ratio = a["rate"] / b["rate"]
    print("result (median round):")
    print("  app      %7.0f chats/s  p50 %.1f ms  p99 %.1f ms" % (a["rate"], a["p50"], a["p99"]))
    print("  bare     %7.0f chats/s  p50 %.1f ms  p99 %.1f ms" % (b["rate"], b["p50"], b["p99"]))
    print("  ratio    %.2f (app / bare)" % ratio)
    checks = [
        ("app >= %.0f chats/s" % TARGET_RATE, a["rate"] >= TARGET_RATE),
        ("app p99 <= %.0f ms" % TARGET_P99_MS, a["p99"] <= TARGET_P99_MS),
        ("ratio >= %.2f" % TARGET_RATIO, ratio >= TARGET_RATIO),
        ("no errors", not any(f["errors"] for f in results["app"] + results["bare"])),
        (
            "every chat stored",
            all(f["stored"] == args.chats for f in results["app"] + results["bare"]),
        ),
    ]
    for label, ok in checks:
        print("  %s %s" % ("PASS" if ok else "FAIL", label))
    if args.clients != 16:
        print("  (the targets are stated for 16 clients; this run used %d)" % args.clients)
    passed = all(ok for _, ok in checks)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
