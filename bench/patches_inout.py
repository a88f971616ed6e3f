"""Each library patch (chatwidget.patches) measured in and out, side by side in one run.

    .venv/bin/python bench/patches_inout.py relay|capture [--pairs 3] [--patch NAME]
                                            [-- BENCH ARGS…]

Runs the benchmark a patch serves (bench/relay.py --only app for the socket, WebSocket and
prepared-statement patches, bench/capture_ingest.py for the limiter and the API's
documentation decorators) with every patch in, then with one patch out
(CHATWIDGET_PATCHES_OFF, read by the app at start-up), and so on for each patch, --pairs
times, the order rotated each round so that no variant always runs first after a pause.
Prints every run, then per patch the median and spread (min–max) of its cost in and out,
and the gain: (out − in) / out of the cost.

The cost is the app server's CPU per unit of work, which the other helpers' load on the
shared cores disturbs less than latency or throughput do: per message at a fixed rate for
the relay (ms/msg), per capture for the ingest (µs, 16 keep-alive clients).
Never part of the test suite: it measures, it does not check behaviour.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable

# benchmark → (its command, {variant label: CHATWIDGET_PATCHES_OFF}, parse(stdout) → cost)
RELAY = [
    "bench/relay.py",
    "--only",
    "app",
    "--rate",
    "1000",
    "--seconds",
    "10",
    "--warmup",
    "3",
    "--drain",
    "5",
]
CAPTURE = ["bench/capture_ingest.py", "--chats", "2000"]
VARIANTS = {
    "relay": {
        "all in": "",
        "socketio_acks out": "socketio_acks",
        "websocket out": "websocket",
        "prepared out": "prepared",  # a chat message's statements
    },
    "capture": {"all in": "", "limiter out": "limiter", "smorest_docs out": "smorest_docs"},
}


def relay_cost(out):
    """Server CPU ms per message of the fixed-rate step (the last one shown)."""
    found = re.findall(r"\((\d+\.\d+) ms/msg", out)
    return float(found[-1]) if found else None


def capture_cost(out):
    """Microseconds of the app server's CPU per capture, from its median round."""
    found = re.search(r"^\s+app\s+(\d+) chats/s.*?server CPU\s+(\d+)%", out, re.M)
    return float(found.group(2)) / 100 / float(found.group(1)) * 1e6 if found else None


def run(bench, off, extra):
    env = dict(os.environ, CHATWIDGET_PATCHES_OFF=off)
    command = [PYTHON, *(RELAY if bench == "relay" else CAPTURE), *extra]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    cost = (relay_cost if bench == "relay" else capture_cost)(done.stdout)
    if cost is None:
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
    return cost, done.stdout


def summary(costs):
    good = [c for c in costs if c is not None]
    if not good:
        return None, "-"
    return statistics.median(good), "%.3g–%.3g" % (min(good), max(good))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bench", choices=sorted(VARIANTS))
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--patch", action="append", help="only this patch out (repeatable)")
    parser.add_argument("extra", nargs="*", help="more arguments for the benchmark")
    args = parser.parse_args(argv)
    variants = [
        (label, off)
        for label, off in VARIANTS[args.bench].items()
        if not off or not args.patch or label.replace(" out", "") in args.patch
    ]
    unit = "ms/msg server CPU" if args.bench == "relay" else "µs server CPU/capture"
    costs = {label: [] for label, _ in variants}
    for round_no in range(args.pairs):
        shift = round_no % len(variants)
        for label, off in variants[shift:] + variants[:shift]:
            cost, out = run(args.bench, off, args.extra)
            costs[label].append(cost)
            lines = [line for line in out.splitlines() if "msg/s offered" in line or "app " in line]
            print("round %d  %-20s %s %s" % (round_no + 1, label, cost, unit), flush=True)
            for line in lines[-2:]:
                print("    " + line.strip(), flush=True)
    base, base_spread = summary(costs["all in"])
    print("\n%s (%s; median, spread over %d runs)" % (args.bench, unit, args.pairs))
    for label, _ in variants[1:]:
        out, spread = summary(costs[label])
        gain = (out - base) / out if base and out else float("nan")
        print(
            "  %-20s in %.4g (%s)  out %.4g (%s)  gain %+.1f %%"
            % (label.replace(" out", ""), base, base_spread, out, spread, gain * 100)
        )


if __name__ == "__main__":
    sys.exit(main())
