"""The dashboard's numbers, computed in SQL: exact on SQLite and PostgreSQL alike."""

import json
import uuid
from datetime import datetime, timedelta

from chatwidget.core import dashboard
from chatwidget.core.queues import ensure_queues
from chatwidget.extensions import db
from chatwidget.models import Conversation
from chatwidget.models.types import utcnow
from tests.admin.helpers import agent_headers

NOW = datetime(2026, 3, 10, 15, 42, 7)


def _add(created, state="ended", wait=None, first=None, rating=None, queued=True):
    """A conversation created at `created`, assigned `wait` s after entering the queue
    (1 s after creation), first answered `first` s after entering it."""
    queue = ensure_queues(["general"])[0]
    queued_at = created + timedelta(seconds=1) if queued else None
    begin = queued_at or created
    db.session.add(
        Conversation(
            conversation_id=str(uuid.uuid4()),
            channel="web",
            state=state,
            queue_id=queue.id,
            created_at=created,
            queued_at=queued_at,
            last_message_at=created,
            assigned_at=begin + timedelta(seconds=wait) if wait is not None else None,
            first_response_at=begin + timedelta(seconds=first) if first is not None else None,
            rating=rating,
            ended_at=created + timedelta(minutes=5) if state == "ended" else None,
        )
    )


def _seed(now):
    hour = now.replace(minute=0, second=0, microsecond=0)
    _add(hour - timedelta(hours=3, minutes=-5), wait=5, first=10.25, rating=5)
    _add(hour - timedelta(hours=3, minutes=-50), wait=15, first=20, rating=4)
    _add(hour - timedelta(hours=30), wait=25, first=30, rating=4)
    _add(hour + timedelta(minutes=1), state="assigned", wait=35, first=40)
    _add(hour - timedelta(days=6, hours=23), first=100, queued=False)  # the first hour
    _add(hour - timedelta(hours=2), state="waiting")
    _add(hour - timedelta(hours=2), state="offline", queued=False)
    _add(hour - timedelta(hours=2), state="new", queued=False)
    _add(hour - timedelta(days=8), wait=1000, first=1000, rating=1)  # before the window
    db.session.commit()


def test_summary_is_exact(app):
    with app.app_context():
        _seed(NOW)
        got = dashboard.summary(7, now=NOW)
    assert got["from"] == "2026-03-03T16:00:00Z" and got["to"] == "2026-03-10T15:42:07Z"
    hours = got["hours"]
    assert len(hours) == 7 * 24
    assert hours[0] == {"hour": "2026-03-03T16:00:00Z", "conversations": 1}
    assert hours[-1] == {"hour": "2026-03-10T15:00:00Z", "conversations": 1}
    by_hour = {h["hour"]: h["conversations"] for h in hours if h["conversations"]}
    assert by_hour == {
        "2026-03-03T16:00:00Z": 1,
        "2026-03-09T09:00:00Z": 1,
        "2026-03-10T12:00:00Z": 2,
        "2026-03-10T13:00:00Z": 1,  # the waiting one; offline and new are no chats
        "2026-03-10T15:00:00Z": 1,
    }
    # First responses 10.25, 20, 30, 40, 100: median 30; p90 between 40 and 100 at 0.6.
    assert got["firstResponse"] == {"count": 5, "medianS": 30.0, "p90S": 76.0}
    # Waits 5, 15, 25, 35 (the one never queued has none): median halfway 15 → 25.
    assert got["queueWait"] == {"count": 4, "medianS": 20.0}
    assert got["ratings"] == {
        "count": 3,
        "average": 4.33,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
    }
    assert got["totals"] == {"conversations": 6, "ended": 4, "offline": 1}


def test_odd_and_single_counts(app):
    with app.app_context():
        hour = NOW.replace(minute=0, second=0)
        for first in (7, 3, 5):
            _add(hour - timedelta(hours=1), first=first, wait=first * 2)
        db.session.commit()
        got = dashboard.summary(1, now=NOW)
        assert len(got["hours"]) == 24
        assert got["firstResponse"] == {"count": 3, "medianS": 5.0, "p90S": 6.6}
        assert got["queueWait"] == {"count": 3, "medianS": 10.0}
        empty = dashboard.summary(1, now=NOW + timedelta(days=3))
    assert empty["firstResponse"] == {"count": 0, "medianS": None, "p90S": None}
    assert empty["queueWait"] == {"count": 0, "medianS": None}
    assert empty["ratings"]["average"] is None and empty["totals"]["conversations"] == 0


def test_dashboard_route(app, client):
    _, _, headers = agent_headers(app)
    with app.app_context():
        _seed(utcnow())
    answer = client.get("/api/admin/dashboard", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert len(body["hours"]) == 7 * 24
    # 5 answered chats, or 4 if the hour turned between seeding and asking (the oldest
    # then fell out of the window).
    assert (body["firstResponse"]["count"], body["firstResponse"]["medianS"]) in (
        (5, 30.0),
        (4, 25.0),
    )
    assert (
        len(client.get("/api/admin/dashboard?days=31", headers=headers).get_json()["hours"])
        == 31 * 24
    )
    for days in ("0", "32", "x"):
        bad = client.get("/api/admin/dashboard?days=" + days, headers=headers)
        assert bad.status_code == 400 and "days" in bad.get_json()["errors"]


def test_seed_demo_fills_the_dashboard(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--days", "7", "--seed", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    made = json.loads(lines[0])["conversations"]
    assert made > 200
    with app.app_context():
        got = dashboard.summary(7)
    assert sum(h["conversations"] for h in got["hours"]) + got["totals"]["offline"] == made
    assert got["firstResponse"]["count"] > 100 and got["firstResponse"]["medianS"] > 0
    assert got["firstResponse"]["p90S"] >= got["firstResponse"]["medianS"]
    assert got["queueWait"]["medianS"] > 0 and got["ratings"]["count"] > 50
    assert 3.5 < got["ratings"]["average"] < 4.6
    again = runner.invoke(args=["seed-demo", "--days", "1", "--seed", "3"])
    assert again.exit_code == 0, again.output  # seeding twice adds more, never a conflict
    bad = runner.invoke(args=["seed-demo", "--days", "40"])
    assert bad.exit_code != 0 and bad.stdout == ""


def test_seed_demo_is_deterministic(app):
    from sqlalchemy import delete

    from chatwidget import cli_demo

    with app.app_context():
        first = cli_demo.seed(2, 11, now=NOW)
        before = dashboard.summary(2, now=NOW)
        db.session.execute(delete(Conversation))
        db.session.commit()
        assert cli_demo.seed(2, 11, now=NOW) == first
        assert dashboard.summary(2, now=NOW) == before
