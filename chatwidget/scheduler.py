"""The per-process scheduler: heartbeat, dead processes, grace period, time-outs.

Every process runs it; each pass only makes compare-and-set changes, so two processes
sweeping at once never re-queue one conversation twice.
"""

import logging
from typing import TYPE_CHECKING

from flask import Flask

from chatwidget.extensions import db

if TYPE_CHECKING:
    from gevent import Greenlet

log = logging.getLogger(__name__)


def run_once(app: Flask) -> int:
    """One pass, in its own app context (background greenlets have none)."""
    from chatwidget.core import presence, timeouts
    from chatwidget.sockets import connector_delivery

    jobs = (presence.do_sweep, timeouts.do_end_inactive, timeouts.do_notify_long_waits)
    done = 0
    for job in (*jobs, connector_delivery.deliver_all):
        with app.app_context():
            try:
                done += job() or 0
            except Exception:  # keep the loop alive; the next pass retries
                db.session.rollback()
                log.exception("scheduler job %s failed", job.__name__)
    return done


def start(app: Flask) -> "Greenlet":
    """Run the scheduler in a background greenlet, every SCHEDULER_INTERVAL_S."""
    import gevent

    def loop() -> None:
        while True:
            run_once(app)
            gevent.sleep(app.config["SCHEDULER_INTERVAL_S"])

    return gevent.spawn(loop)
