"""`flask --app app seed-demo`: a plausible past week of chats, for the dashboard's demo
and the browser tests (deterministic with --seed)."""

import math
import random
import uuid
from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from chatwidget.cli import echo_json
from chatwidget.core.queues import queue_for_subject
from chatwidget.extensions import db
from chatwidget.models import Conversation
from chatwidget.models.types import utcnow

# Chats an hour, by UTC hour of the day: quiet nights, busy office hours.
_PER_HOUR = [0.3] * 7 + [1.5, 3, 4, 4, 3.5, 2.5, 3.5, 4, 3.5, 3, 2] + [1.0] * 6
_RATINGS = ((1, 0.05), (2, 0.05), (3, 0.15), (4, 0.35), (5, 0.40))
_NAMES = ("Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Gus", "Hana", "Ivo", "Jun")


def _count(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method: small means only)."""
    limit, product, n = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        n += 1
    return n


def _chat(rng: random.Random, created: datetime, now: datetime, queue_id: int) -> Conversation:
    """One chat created at `created`: waited, answered, ended, maybe rated; 1 in 20
    left before an agent came, 1 in 25 an offline message."""
    who = rng.choice(_NAMES)
    email = "%s.%d@example.com" % (who.lower(), rng.randrange(1000))
    row = Conversation(
        conversation_id=str(uuid.uuid4()),  # unique even when seeded twice
        channel="web",
        queue_id=queue_id,
        customer={"firstName": who, "email": email},
        email=email,
        created_at=created,
        last_message_at=created,
    )
    if rng.random() < 0.04:
        row.state = "offline"
        return row
    row.queued_at = created + timedelta(seconds=rng.uniform(0.5, 3))
    wait = min(rng.expovariate(1 / 45), 900)
    if rng.random() < 0.05:  # gave up waiting
        row.state, row.end_reason = "ended", "customer"
        row.ended_at = min(row.queued_at + timedelta(seconds=wait), now)
        return row
    row.assigned_at = row.queued_at + timedelta(seconds=wait)
    row.first_response_at = row.assigned_at + timedelta(seconds=rng.uniform(4, 90))
    row.ended_at = row.first_response_at + timedelta(seconds=rng.uniform(60, 1500))
    if row.ended_at > now:  # still going on
        row.state, row.ended_at = "assigned", None
        return row
    row.state, row.end_reason = "ended", rng.choice(("customer", "agent"))
    row.last_message_at = row.ended_at
    if rng.random() < 0.55:
        row.rating = rng.choices([r for r, _ in _RATINGS], [w for _, w in _RATINGS])[0]
        row.rated_at = row.ended_at
    return row


def seed(days: int, seed_value: int, now: datetime | None = None) -> int:
    """Insert the chats of the last `days` days; returns how many."""
    rng = random.Random(seed_value)
    now = now or utcnow()
    queue_id = queue_for_subject(current_app.config["DEFAULT_QUEUE"]).id
    hour = now.replace(minute=0, second=0, microsecond=0)
    rows = []
    for back in range(24 * days - 1, -1, -1):
        start = hour - timedelta(hours=back)
        for _ in range(_count(rng, _PER_HOUR[start.hour])):
            created = start + timedelta(seconds=rng.uniform(0, 3600))
            if created < now:
                rows.append(_chat(rng, created, now, queue_id))
    db.session.add_all(rows)
    db.session.commit()
    return len(rows)


@click.command("seed-demo")
@click.option("--days", type=click.IntRange(1, 31), default=7, show_default=True)
@click.option("--seed", "seed_value", type=int, default=17, show_default=True)
@with_appcontext
def seed_demo(days: int, seed_value: int) -> None:
    """Insert a plausible past `days` of chats (waits, first responses, ratings) for
    the dashboard's demo; the same --seed gives the same chats."""
    echo_json({"conversations": seed(days, seed_value)})


def register(app: Flask) -> None:
    """Add seed-demo to app.cli."""
    app.cli.add_command(seed_demo)
