"""Does rendering transcripts stall the server? /healthz while long PDFs render (issue 15).

    .venv/bin/python bench/transcript_stall.py [--conversations 3] [--messages 400]
                                               [--chars 4500] [--workers 3]

Issue 15's figure: three ended conversations of 400 messages of 4,500 mixed-script
characters each (Latin, Cyrillic, Arabic, CJK, Greek), their transcript PDFs asked for
at once from `python app.py` with TRANSCRIPT_WORKERS=3, /healthz polled every 50 ms
until the three PDFs have arrived. Prints each render's time and size and the /healthz
latencies; the target is every /healthz within 500 ms (before issue 15 it waited 36 s).
The messages are written straight through the core: through sockets, SOCKET_RATE_LIMIT
would take minutes. tests/system/test_transcript_stall.py runs the same probe.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.relay import AppServer  # noqa: E402

SCRIPTS = (
    "The quick brown fox jumps over the lazy dog while we check your order",
    "Съешь же ещё этих мягких французских булок да выпей чаю",
    "مرحبا أين طلبي هل يمكنك المساعدة في تتبع الشحنة من فضلك",
    "你好我的订单在哪里请帮我查一下快递的状态谢谢",
    "Καλημέρα πού είναι η παραγγελία μου θα ήθελα να μάθω",
)
HEALTHZ_BOUND_S = 0.5
POLL_S = 0.05


def mixed_text(rng, size):
    """size characters of runs of words from each script in turn, as a multilingual chat."""
    words = [script.split(" ") if " " in script else list(script) for script in SCRIPTS]
    out, length = [], 0
    while length < size:
        run = rng.choice(words)
        start = rng.randrange(len(run))
        piece = " ".join(run[start : start + rng.randint(3, 8)]) + " "
        out.append(piece)
        length += len(piece)
    return "".join(out)[:size]


def seed(database_url, instance_path, conversations, messages, chars, seed=15):
    """Open, fill and end conversations through the core, on the server's database:
    [(conversationId, participant id)]."""
    from chatwidget import create_app
    from chatwidget.core import client_messages, handling
    from chatwidget.core import conversations as core
    from chatwidget.extensions import db
    from chatwidget.patches.prepared import pinned

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": instance_path,
            "SECRET_KEY": "seeding-only",
            "COMPANY_SECRET": "seeding-only",
            "REDIS_URL": "",
        }
    )
    rng, made = random.Random(seed), []
    with app.app_context():
        for n in range(conversations):
            data = {"channel": "web", "email": "stall%d@example.com" % n, "firstName": "Stall"}
            conversation, customer = core.do_init(data)
            with pinned():
                for _ in range(messages):
                    text = mixed_text(rng, chars)
                    client_messages.post(
                        conversation, customer, {"type": "ChatMessage", "text": text}
                    )
            db.session.commit()
            handling.do_end(conversation, "customer")
            made.append((conversation.conversation_id, customer.participant_id))
        db.session.remove()
        db.engine.dispose()
    return made


def _fetch(url, timeout):
    """(status, body, seconds) of a GET."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, body, time.monotonic() - started


def probe(base_url, readers, timeout=600.0):
    """Ask for every reader's PDF at once and poll /healthz until all have answered.

    Returns {"pdfs": [{"status", "seconds", "bytes", "pdf"}], "healthz": [seconds]}; a
    /healthz that fails or takes over 5 s counts as 5 s.
    """
    pdfs = [None] * len(readers)
    done, lock = threading.Event(), threading.Lock()

    def fetch(i, conversation_id, participant_id):
        url = "%s/api/customer/transcript/%s/pdf?participantId=%s" % (
            base_url,
            conversation_id,
            participant_id,
        )
        try:
            status, body, seconds = _fetch(url, timeout)
        except OSError:  # refused, reset, timed out: no answer (status 0)
            status, body, seconds = 0, b"", timeout
        whole = body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
        with lock:
            pdfs[i] = {"status": status, "seconds": seconds, "bytes": len(body), "pdf": whole}
            if all(pdfs):
                done.set()

    threads = [
        threading.Thread(target=fetch, args=(i, *reader), daemon=True)
        for i, reader in enumerate(readers)
    ]
    for thread in threads:
        thread.start()
    healthz, deadline = [], time.monotonic() + timeout
    while not done.is_set() and time.monotonic() < deadline:
        try:
            status, _, seconds = _fetch(base_url + "/healthz", 5)
            healthz.append(seconds if status == 200 else 5.0)
        except OSError:
            healthz.append(5.0)
        done.wait(POLL_S)  # the poll's pace
    return {"pdfs": pdfs, "healthz": healthz}


class StallServer(AppServer):
    """`python app.py` on SQLite in a temporary folder, TRANSCRIPT_WORKERS set."""

    workers = 3

    def env(self):
        env = super().env()
        env["TRANSCRIPT_WORKERS"] = str(self.workers)
        return env


def report(figures):
    """Print the figures; True if every /healthz came within the bound."""
    for n, pdf in enumerate(figures["pdfs"]):
        print("pdf %d: status %s, %.1f s, %d bytes, whole: %s" % (n, *pdf.values()))
    healthz = sorted(figures["healthz"])
    p99 = healthz[min(len(healthz) - 1, int(len(healthz) * 0.99))]
    print(
        "/healthz: %d polls, max %.0f ms, p99 %.0f ms, median %.0f ms"
        % (len(healthz), healthz[-1] * 1000, p99 * 1000, statistics.median(healthz) * 1000)
    )
    return healthz[-1] <= HEALTHZ_BOUND_S


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=3)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--chars", type=int, default=4500)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    server = StallServer("app", "gevent-websocket")
    server.workers = args.workers
    try:
        env = server.env()
        server.run("-m", "flask", "--app", "app", "db", "upgrade")
        started = time.monotonic()
        readers = seed(
            env["DATABASE_URL"], env["INSTANCE_PATH"], args.conversations, args.messages, args.chars
        )
        print("seeded %d conversations in %.1f s" % (len(readers), time.monotonic() - started))
        server.start()
        held = report(probe(server.url, readers))
        print("every /healthz within %d ms: %s" % (HEALTHZ_BOUND_S * 1000, held))
        return 0 if held else 1
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
