"""Live relay benchmark: customer ⇄ agent messages through the real server and a bare relay.

    .venv/bin/python bench/relay.py [--conversations 500] [--rate 1000] [--seconds 20]
                                    [--find-max] [--driver gevent-websocket|simple-websocket]
                                    [--synchronous FULL|NORMAL|OFF]

Starts both servers itself, each in its own temporary directory, and keeps both up for
the whole run, each with its own load generator; only one is loaded at a time:
- the app: `python app.py` (database created with `flask db upgrade`, agents made with the
  `create-agent` command, skill `general`, --max-chats so that every conversation gets
  one), access log off, a rate limit no run reaches;
- the baseline: bench/bare_relay.py, python-socketio relaying each sendMessage to the
  room's member on the other side, no Flask, no database, same server class and driver.

The load generator is bench/relay_load.mjs (node, the official socket.io-client over
WebSocket), so the Python side's CPU is the server's alone. C conversations, each a
customer socket and an agent socket (A agent sockets serve C / A conversations each),
R messages/s in total, half customer → agent and half agent → customer, each text
stamped with its send time. Latency is sender → receiver, on the other side's
messageArrived; a message is lost when it was acked but had not reached the other side
when the drain ended. The server's RSS (peak) and CPU come from /proc during the window.

--find-max steps the rate up (--step) until p99 exceeds 50 ms or anything is lost, the
two servers taking turns at each rate (bare, app, bare, app …: the VM's speed drifts by
±20 % over minutes, and turns put both under the same machine), a failed rate followed at
once by half a step below it, and reports the highest rate held by each. The app's
database is checked at the end: every acked message stored, seq gap-free in every
conversation.

Targets (2 cores, SQLite, 500 conversations): at 1,000 msg/s p99 ≤ 50 ms and nothing lost;
highest rate held ≥ 0.5 × the bare relay's and ≥ 1,500 msg/s; server RSS ≤ 300 MB.
Never part of the test suite: it measures, it does not check behaviour.
"""

import argparse
import json
import math
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.ws_driver import DRIVERS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
NODE = shutil.which("node") or "node"
LOAD = os.path.join(ROOT, "bench", "relay_load.mjs")
# A step not held with more steal than this is measured again (find_max).
NOISY_STEAL = 0.08
NOISY_TRIES = 3  # measurements of one step at most, while they are noisy and not held
TARGET_P99_MS = 50.0
TARGET_RATE = 1000.0
TARGET_MAX_RATE = 1500.0
BARE_CALIBRATION = 3000  # msg/s the bare relay held where TARGET_MAX_RATE was set (issue 4)
TARGET_RATIO = 0.5
TARGET_RSS_MB = 300.0
PASSWORD = "bench password 1"

# One process creates every agent through the real `create-agent` command (one
# `flask` process per agent would spend ~2 s each importing the app).
CREATE_AGENTS = """
import json, sys
from app import app
runner = app.test_cli_runner()
for email, name, password, max_chats in json.loads(sys.argv[1]):
    result = runner.invoke(args=["create-agent", "--email", email, "--name", name,
        "--password", password, "--skill", "general", "--max-chats", str(max_chats)])
    if result.exit_code != 0:
        sys.exit("create-agent failed: %s" % result.output)
    print(result.stdout.strip().splitlines()[-1])
"""


# --- /proc ------------------------------------------------------------------------------


def cpu_seconds(pid, thread=None):
    """User + system CPU seconds a process (or one thread of it) has used so far (Linux
    /proc)."""
    path = "/proc/%d/stat" % pid if thread is None else "/proc/%d/task/%d/stat" % (pid, thread)
    with open(path) as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    """Resident set size in MB (VmRSS)."""
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def steal_seconds():
    """CPU seconds the hypervisor has taken from this VM so far, all CPUs (Linux /proc)."""
    with open("/proc/stat") as fh:
        fields = fh.readline().split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def load_average():
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


class Sampler:
    """Peak RSS of a process, sampled every 0.25 s while running."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.25):
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return

    def stop(self):
        self._stop.set()
        self._thread.join()
        return max(self.peak, rss_mb(self.pid))


# --- the servers ------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as fh:
            return "".join(fh.readlines()[-lines:])
    except OSError:
        return ""


class Server:
    """A server subprocess in its own temporary directory."""

    def __init__(self, name, driver):
        self.name = name
        self.driver = driver
        self.dir = tempfile.mkdtemp(prefix="cw-relay-%s-" % name)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.synchronous = "FULL"

    def env(self):
        env = dict(os.environ)
        for name in ("WEB_CONCURRENCY", "REDIS_URL", "FLASK_APP", "DATABASE_URL"):
            env.pop(name, None)
        env.update(PORT=str(self.port), HOST="127.0.0.1", WS_DRIVER=self.driver)
        return env

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env(), stdout=log, stderr=log
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("%s exited early:\n%s" % (self.name, tail(self.log_path)))
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("%s not healthy after 30 s:\n%s" % (self.name, tail(self.log_path)))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def check_store(self, acked):
        """Checks on what the server stored: [(label, passed)]."""
        return []


class AppServer(Server):
    def env(self):
        env = super().env()
        self.db_path = os.path.join(self.dir, "instance", "chatwidget.db")
        env.update(
            INSTANCE_PATH=os.path.join(self.dir, "instance"),
            DATABASE_URL="sqlite:///" + self.db_path,
            SQLITE_SYNCHRONOUS=self.synchronous,
            ACCESS_LOG="0",
            RATE_LIMIT="1000000/second",
            # 50 agent sockets send thousands of messages a second in all, far past the
            # default SOCKET_RATE_LIMIT (10/second a socket, bursts of 20), which would
            # refuse most of them: lifted, so that the benchmark measures the relay.
            SOCKET_RATE_LIMIT="1000000/second",
            PUBLIC_URL=self.url,
            PYTHONUNBUFFERED="1",
        )
        return env

    def command(self):
        if self.driver == "simple-websocket":
            return [PYTHON, os.path.join(ROOT, "bench", "app_simple_ws.py")]
        return [PYTHON, "app.py"]

    def run(self, *args):
        result = subprocess.run(
            [PYTHON, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SystemExit("%s failed:\n%s" % (" ".join(args[:3]), result.stderr[-3000:]))
        return result.stdout

    def prepare(self, conversations, agents):
        self.run("-m", "flask", "--app", "app", "db", "upgrade")
        max_chats = math.ceil(conversations / agents)
        specs = [
            ("agent%d@bench.test" % i, "Agent %d" % i, PASSWORD, max_chats) for i in range(agents)
        ]
        self.run("-c", CREATE_AGENTS, json.dumps(specs))
        self.start()
        return [{"email": email, "password": PASSWORD} for email, _, _, _ in specs]

    def check_store(self, acked):
        conn = sqlite3.connect(self.db_path)
        try:
            stored = conn.execute(
                "SELECT count(*) FROM message WHERE type = 'ChatMessage' AND text LIKE 'b:%'"
            ).fetchone()[0]
            gaps = conn.execute(
                "SELECT count(*) FROM (SELECT conversation_pk FROM message "
                "GROUP BY conversation_pk HAVING max(seq) != count(*) OR min(seq) != 1)"
            ).fetchone()[0]
        finally:
            conn.close()
        print(
            "  app stored %d bench messages, %d acked ok; conversations with a seq gap: %d"
            % (stored, acked, gaps)
        )
        return [("every acked message stored", stored >= acked), ("seq gap-free", gaps == 0)]


class BareServer(Server):
    def command(self):
        return [PYTHON, os.path.join(ROOT, "bench", "bare_relay.py")]

    def prepare(self, conversations, agents):
        self.start()
        return [{"email": "-", "password": "-"}] * agents


# --- the load generator -----------------------------------------------------------------


class Load:
    """bench/relay_load.mjs driving one server; one step per run()."""

    def __init__(self, server, mode, conversations, agents):
        setup = {"url": server.url, "mode": mode, "conversations": conversations, "agents": agents}
        self.server = server
        self.proc = subprocess.Popen(
            [NODE, LOAD, json.dumps(setup)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.acked_total = 0
        ready = self._next("ready")
        print(
            "  %s: %d conversations, %d agent sockets set up in %.1f s; server RSS %.0f MB"
            % (
                server.name,
                ready["conversations"],
                ready["agents"],
                ready["setupSeconds"],
                rss_mb(server.proc.pid),
            )
        )

    def _next(self, event):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(
                    "load generator exited (%s):\n%s"
                    % (self.proc.poll(), tail(self.server.log_path))
                )
            message = json.loads(line)
            if message["event"] == "error":
                raise SystemExit(
                    "load generator failed: %s\nserver log:\n%s"
                    % (message["message"], tail(self.server.log_path))
                )
            if message["event"] == event:
                return message

    def run(self, rate, seconds, warmup, drain):
        command = {"cmd": "run", "rate": rate, "seconds": seconds, "warmup": warmup}
        command["drain"] = drain
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        server_pid, load_pid = self.server.proc.pid, self.proc.pid
        self._next("window-start")
        started = time.monotonic()
        sampler = Sampler(server_pid)
        server_cpu, load_cpu = cpu_seconds(server_pid), cpu_seconds(load_pid)
        # The server's main thread runs the event loop: every socket waits for it, while
        # the threads beside it (SQLite's syncs and checkpoints) run on the other core.
        loop_cpu = cpu_seconds(server_pid, server_pid)
        steal = steal_seconds()
        self._next("window-end")
        elapsed = time.monotonic() - started
        loop_cpu = (cpu_seconds(server_pid, server_pid) - loop_cpu) / elapsed
        server_cpu = (cpu_seconds(server_pid) - server_cpu) / elapsed
        load_cpu = (cpu_seconds(load_pid) - load_cpu) / elapsed
        steal = (steal_seconds() - steal) / elapsed / (os.cpu_count() or 1)
        peak = sampler.stop()
        result = self._next("result")
        self.acked_total += result["ackedTotal"]
        result.update(name=self.server.name, server_cpu=server_cpu, load_cpu=load_cpu, rss=peak)
        result["loop_cpu"] = loop_cpu
        result["steal"] = steal
        result["held"] = held(result)
        return result

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def held(r):
    """A rate is held when p99 ≤ 50 ms, nothing is lost or refused, and the load was sent."""
    return (
        r["p99"] is not None
        and r["p99"] <= TARGET_P99_MS
        and r["lost"] == 0
        and r["unacked"] == 0
        and r["ackErrors"] == 0
        and r["sentRate"] >= 0.97 * r["rate"]
    )


def ms(value):
    return "%6.1f ms" % value if value is not None else "     - ms"


def show(r):
    print(
        "  %-4s %5d msg/s offered  %5.0f delivered/s  p50 %s  p99 %s  max %s  ack p99 %s  "
        "lost %d  unacked %d  errors %d  server CPU %3.0f%% (%.3f ms/msg, loop %3.0f%%)  "
        "RSS %3.0f MB  "
        "load CPU %3.0f%%  steal %2.0f%%  %s"
        % (
            r["name"],
            r["rate"],
            r["deliveredRate"],
            ms(r["p50"]),
            ms(r["p99"]),
            ms(r["max"]),
            ms(r["ackP99"]),
            r["lost"],
            r["unacked"],
            r["ackErrors"],
            r["server_cpu"] * 100,
            r["server_cpu"] * 1000 / max(r["sentRate"], 1),
            r["loop_cpu"] * 100,
            r["rss"],
            r["load_cpu"] * 100,
            r["steal"] * 100,
            "held" if r["held"] else "NOT held",
        )
    )
    if r["sentRate"] < 0.97 * r["rate"]:
        print("       the generator sent only %.0f msg/s" % r["sentRate"])
    if r["steal"] > 0.03:
        print("       the hypervisor took %.0f %% of the CPUs: a noisy step" % (r["steal"] * 100))
    if r["loopDelayP99"] > 20:
        print("       the generator's event loop lagged (p99 %.0f ms)" % r["loopDelayP99"])
    for sample in r["errorSamples"]:
        print("       error ack: %s" % json.dumps(sample)[:200])


def find_max(loads, args, steps):
    """Step the rate up for every server until it is not held, the servers taking turns at
    each rate (the machine's speed drifts by ±20 % over minutes here: turns put both under
    the same machine). A server that fails a rate tries half a step below it at once.
    Every step's figures are appended to steps[name]; returns {name: best step or None}."""
    best = dict.fromkeys(loads)
    going = list(loads)
    rate = args.step
    while going and rate <= args.max_rate:
        for name in list(going):
            r = _step(loads[name], rate, args, steps[name])
            if r["held"]:
                best[name] = r
                continue
            going.remove(name)
            below = rate - args.step // 2
            if args.step >= 200 and (best[name] is None or below > best[name]["rate"]):
                r = _step(loads[name], below, args, steps[name])
                if r["held"]:
                    best[name] = r
        rate += args.step
    return best


def _step(load, rate, args, steps):
    """One measured step; a step not held while the hypervisor took more than
    NOISY_STEAL of the CPUs is measured again, at most NOISY_TRIES times in all (for
    either server alike): such a step measures the neighbours, not the server."""
    for attempt in range(1, NOISY_TRIES + 1):
        time.sleep(2)
        r = load.run(rate, args.seconds, args.warmup, args.drain)
        show(r)
        steps.append(r)
        if r["held"] or r["steal"] <= NOISY_STEAL or attempt == NOISY_TRIES:
            return r
        print("       not held on a noisy step: measured once more")


def measure(servers, args, agents):
    """Set every server up (each with its own load generator, all running at once, only
    one loaded at a time), run the fixed-rate step on each in turn, then --find-max with
    the servers taking turns; returns {name: figures}."""
    out = {s.name: {"steps": [], "best": None, "checks": []} for s in servers}
    loads = {}
    try:
        for server in servers:
            logins = server.prepare(args.conversations, agents)
            loads[server.name] = Load(server, server.name, args.conversations, logins)
        steps = {name: out[name]["steps"] for name in loads}
        for name, load in loads.items():
            out[name]["fixed"] = _step(load, args.rate, args, steps[name])
        if args.find_max:
            for name, best in find_max(loads, args, steps).items():
                out[name]["best"] = best
                print(
                    "  %s: highest rate held %s"
                    % (name, "%d msg/s" % best["rate"] if best else "none")
                )
    finally:
        for load in loads.values():
            load.close()
        for server in servers:
            if server.name in loads:
                out[server.name]["rss_idle"] = rss_mb(server.proc.pid)
                out[server.name]["checks"] = server.check_store(loads[server.name].acked_total)
            server.cleanup()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--rate", type=int, default=1000, help="messages/s, both ways in total")
    parser.add_argument("--seconds", type=float, default=20, help="measured window per step")
    parser.add_argument("--warmup", type=float, default=5, help="seconds sent before the window")
    parser.add_argument("--drain", type=float, default=10, help="seconds to wait for stragglers")
    parser.add_argument("--agents", type=int, default=50, help="agent sockets (and agents)")
    parser.add_argument("--find-max", action="store_true", help="step the rate up, both servers")
    parser.add_argument("--step", type=int, default=500, help="--find-max rate step")
    parser.add_argument("--max-rate", type=int, default=20000, help="--find-max upper bound")
    parser.add_argument("--driver", choices=DRIVERS, default=DRIVERS[0], help="WebSocket driver")
    parser.add_argument(
        "--synchronous",
        default=os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper(),
        choices=["NORMAL", "FULL", "OFF"],
        help="the app's SQLite synchronous (default FULL, as the app ships)",
    )
    parser.add_argument("--only", choices=["app", "bare"], help="measure one server only")
    args = parser.parse_args(argv)
    agents = max(1, min(args.agents, args.conversations))

    print(
        "live relay: %d conversations (%d agent sockets, %d conversations each), %d msg/s, "
        "%.0f s window after %.0f s warm-up, driver %s, SQLite synchronous=%s, %d CPU(s), "
        "Python %s, node %s"
        % (
            args.conversations,
            agents,
            math.ceil(args.conversations / agents),
            args.rate,
            args.seconds,
            args.warmup,
            args.driver,
            args.synchronous,
            os.cpu_count(),
            sys.version.split()[0],
            subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout.strip(),
        )
    )
    print("load average at start: %s" % load_average())
    names = [args.only] if args.only else ["bare", "app"]
    servers = []
    for name in names:
        server = (BareServer if name == "bare" else AppServer)(name, args.driver)
        server.synchronous = args.synchronous
        servers.append(server)
    results = measure(servers, args, agents)
    print("load average at end: %s" % load_average())

    checks = []
    peaks = {name: max(s["rss"] for s in results[name]["steps"]) for name in names}
    print("result:")
    for name in names:
        r = results[name]["fixed"]  # its last measurement, when a noisy one was repeated
        best = results[name]["best"]
        print(
            "  %-4s at %d msg/s: %.0f delivered/s  p50 %.1f ms  p99 %.1f ms  lost %d  "
            "server CPU %.0f%%  RSS %.0f MB%s"
            % (
                name,
                r["rate"],
                r["deliveredRate"],
                r["p50"] or 0,
                r["p99"] or 0,
                r["lost"],
                r["server_cpu"] * 100,
                peaks[name],
                "  highest held %d msg/s" % best["rate"] if best else "",
            )
        )
    if "app" in results:
        app = results["app"]
        fixed = app["fixed"]
        peak = peaks["app"]
        at_target = args.conversations == 500 and args.rate == TARGET_RATE
        checks.append(
            (
                "app p99 <= %.0f ms and nothing lost at %d msg/s%s"
                % (TARGET_P99_MS, args.rate, "" if at_target else " (targets: 500 conv, 1000/s)"),
                fixed["held"],
            )
        )
        checks.append(
            ("app RSS <= %.0f MB (peak %.0f MB)" % (TARGET_RSS_MB, peak), peak <= TARGET_RSS_MB)
        )
        checks.extend(app["checks"])
        if args.find_max:
            best = app["best"]["rate"] if app["best"] else 0
            checks.append(
                ("app highest held >= %.0f msg/s" % TARGET_MAX_RATE, best >= TARGET_MAX_RATE)
            )
            if "bare" in results:
                bare = results["bare"]["best"]["rate"] if results["bare"]["best"] else 0
                ratio = best / bare if bare else 0.0
                print("  ratio %.2f (app / bare, highest rate held)" % ratio)
                if bare < BARE_CALIBRATION:
                    slower = (bare, BARE_CALIBRATION, TARGET_MAX_RATE)
                    print(
                        "  note: the bare relay held %d msg/s, under the %d the %.0f msg/s target"
                        " was set for (a slower machine)" % slower
                    )
                checks.append(("ratio >= %.2f" % TARGET_RATIO, ratio >= TARGET_RATIO))
    if "bare" in results and "app" in results:
        a, b = results["app"]["fixed"], results["bare"]["fixed"]
        print(
            "  at %d msg/s: app / bare server CPU %.2f, p99 %.1f ms vs %.1f ms"
            % (args.rate, a["server_cpu"] / max(b["server_cpu"], 1e-9), a["p99"] or 0,
               b["p99"] or 0)
        )  # fmt: skip
    if not args.find_max:
        print("  (the highest-rate and ratio targets need --find-max)")
    for label, passed in checks:
        print("  %s %s" % ("PASS" if passed else "FAIL", label))
    passed = all(ok for _, ok in checks)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
