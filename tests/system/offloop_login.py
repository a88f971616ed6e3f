"""Run by test_login_off_the_loop.py in its own, monkey-patched process (as `python app.py`
is): an agent's password is checked while the event loop keeps running.

    python tests/system/offloop_login.py INSTANCE_DIR

Prints one JSON line: {"ok": bool, "wrong": bool, "ticks": int}.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from chatwidget import create_app  # noqa: E402
from chatwidget.core import agents  # noqa: E402
from chatwidget.extensions import db  # noqa: E402

if __name__ == "__main__":
    instance = sys.argv[1]
    app = create_app(
        {
            "INSTANCE_PATH": instance,
            "DATABASE_URL": "sqlite:///%s/login.db" % instance,
            "REDIS_URL": "",
        }
    )
    ticks = []

    def ticker():
        while True:
            ticks.append(1)
            gevent.sleep(0)

    with app.app_context():
        db.create_all()
        agents.do_create_agent("ann@example.com", "Ann", "secret123", ["general"])
        wrong = agents.authenticate("ann@example.com", "not her password") is None
        running = gevent.spawn(ticker)
        gevent.sleep(0)
        before = len(ticks)
        ok = agents.authenticate("ann@example.com", "secret123") is not None
        during = len(ticks) - before
        running.kill()
    print(json.dumps({"ok": ok, "wrong": wrong, "ticks": during}))
