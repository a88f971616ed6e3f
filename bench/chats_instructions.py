"""Instructions a chats-API message costs, counted by callgrind: a figure the host's speed
does not move, for A/B comparisons that served runs on a noisy host cannot settle.

    .venv/bin/python bench/chats_instructions.py [--tree DIR] [--few N] [--many M]

Runs this file's --posting mode under `valgrind --tool=callgrind` twice, with N and M
messages a client, and prints the difference in instructions divided by the messages
between. In that mode one process makes the app on a fresh SQLite database (synchronous
OFF: no disk in the count), opens 32 chats, starts the group commit as a served process
does, and has 16 greenlets post messages through the Flask test client, HTTP Basic on
each, after a warm-up of 20 each: the request path of bench/chats_api.py without pywsgi.
Runs of the same tree agree within ~2 %. Needs Debian's valgrind; takes ~3 minutes.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

CLIENTS, CHATS, WARMUP = 16, 32, 20
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def posting(tree, per_client):
    """Post per_client messages from each of CLIENTS greenlets (after the warm-up)."""
    from gevent import monkey

    monkey.patch_all()
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.update(
        INSTANCE_PATH=tempfile.mkdtemp(),
        RATE_LIMIT="1000000/second",
        CHATS_RATE_LIMIT="1000000/second",
        SQLITE_SYNCHRONOUS="OFF",
    )
    import gevent

    from chatwidget import create_app
    from chatwidget.core import posting as group_commit
    from chatwidget.extensions import db
    from tests.chats.helpers import BASE, create_chat, integrator

    app = create_app({})
    with app.app_context():
        db.create_all()
    client, headers = app.test_client(), integrator(app)
    chats = [create_chat(client, headers, email="c%d@example.com" % i)["id"] for i in range(CHATS)]
    group_commit.start(app)

    def post(number, count):
        own = app.test_client()
        for i in range(count):
            chat = chats[(number + i * CLIENTS) % CHATS]
            body = {"message": {"type": "text", "content": "hello %d %d" % (number, i)}}
            answer = own.post(BASE + "/chats/%d/message" % chat, json=body, headers=headers)
            assert answer.status_code == 200, answer.get_json()

    for count in (WARMUP, per_client):
        gevent.joinall([gevent.spawn(post, n, count) for n in range(CLIENTS)], raise_error=True)


def instructions(tree, per_client):
    """Instructions callgrind counts for a --posting run of per_client messages a client."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
        + [__file__, "--posting", "--tree", tree, "--many", str(per_client)],
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        raise SystemExit("valgrind run failed:\n%s" % result.stderr[-3000:])
    return int(found.group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", default=HERE, help="the checkout to measure")
    parser.add_argument("--few", type=int, default=10, help="messages a client, first run")
    parser.add_argument("--many", type=int, default=40, help="messages a client, second run")
    parser.add_argument("--posting", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.posting:
        return posting(args.tree, args.many)
    few, many = instructions(args.tree, args.few), instructions(args.tree, args.many)
    per_message = (many - few) / (CLIENTS * (args.many - args.few))
    print("%s: %.0f instructions a message" % (args.tree, per_message))
    return 0


if __name__ == "__main__":
    sys.exit(main())
