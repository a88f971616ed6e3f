"""The admin dashboard: the last N days of live chat, every number counted in SQL.

The window is the last `days` × 24 whole UTC hours, the current (partial) hour last.
A conversation counts in the hour it was created; offline messages and conversations
never joined (`new`) are not chats and count only in totals.offline / not at all.
Percentiles interpolate linearly between the two nearest order statistics (as
PERCENTILE_CONT does); ROW_NUMBER and COUNT over the ordered durations pick those two
rows in SQL, on SQLite and PostgreSQL alike.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import ColumnElement, case, func, select

from chatwidget.core.sqltime import HOUR_FORMAT, hour_of, seconds_between
from chatwidget.extensions import db
from chatwidget.models import Conversation
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc

_NOT_CHATS = ("new", "offline")
Where = Sequence[ColumnElement[bool]]


class Hour(TypedDict):
    hour: str
    conversations: int


class FirstResponse(TypedDict):
    count: int
    medianS: float | None
    p90S: float | None


class QueueWait(TypedDict):
    count: int
    medianS: float | None


class Ratings(TypedDict):
    count: int
    average: float | None
    distribution: dict[str, int]


class Totals(TypedDict):
    conversations: int
    ended: int
    offline: int


Summary = TypedDict(
    "Summary",
    {
        "from": str,
        "to": str,
        "hours": list[Hour],
        "firstResponse": FirstResponse,
        "queueWait": QueueWait,
        "ratings": Ratings,
        "totals": Totals,
    },
)


def window(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(first hour's start, now) of the last `days` days."""
    now = now or utcnow()
    hour = now.replace(minute=0, second=0, microsecond=0)
    return hour - timedelta(hours=24 * days - 1), now


def summary(days: int = 7, now: datetime | None = None) -> Summary:
    """Everything the dashboard draws."""
    start, end = window(days, now)
    in_window = (Conversation.created_at >= start, Conversation.created_at <= end)
    chats = (*in_window, Conversation.state.not_in(_NOT_CHATS))
    began = func.coalesce(Conversation.queued_at, Conversation.created_at)
    first = seconds_between(Conversation.first_response_at, began)
    wait = seconds_between(Conversation.assigned_at, Conversation.queued_at)
    first_n, first_p = percentiles(
        first, chats + (Conversation.first_response_at.is_not(None),), (50, 90)
    )
    wait_n, wait_p = percentiles(
        wait,
        chats + (Conversation.assigned_at.is_not(None), Conversation.queued_at.is_not(None)),
        (50,),
    )
    return {
        "from": format_utc(start),
        "to": format_utc(end),
        "hours": hours(start, days, chats),
        "firstResponse": FirstResponse(count=first_n, medianS=first_p[50], p90S=first_p[90]),
        "queueWait": QueueWait(count=wait_n, medianS=wait_p[50]),
        "ratings": ratings(chats),
        "totals": totals(in_window),
    }


def hours(start: datetime, days: int, where: Where) -> list[Hour]:
    """Conversations per hour, every hour of the window (zeros included), from one GROUP BY."""
    bucket = hour_of(Conversation.created_at)
    rows = db.session.execute(
        select(bucket.label("hour"), func.count(Conversation.id)).where(*where).group_by(bucket)
    )
    counted = {datetime.strptime(hour, HOUR_FORMAT): n for hour, n in rows}
    slots = (start + timedelta(hours=i) for i in range(24 * days))
    return [Hour(hour=format_utc(h), conversations=counted.get(h, 0)) for h in slots]


def percentiles(
    duration: ColumnElement[float], where: Where, wanted: Sequence[int]
) -> tuple[int, dict[int, float | None]]:
    """(n, {p: value in seconds or None …}) of a duration over the n matching rows.

    h = (n − 1) × p / 100; the rows ranked floor(h) and ceil(h) (0-based) come back
    from SQL, integer arithmetic picking them, and are interpolated here.
    """
    durations = select(duration.label("s")).where(*where).subquery()
    ranked = select(
        durations.c.s,
        (func.row_number().over(order_by=durations.c.s) - 1).label("i"),
        func.count().over().label("n"),
    ).subquery()
    n = ranked.c.n
    picks: list[ColumnElement[int]] = []
    for p in wanted:
        picks += [(n - 1) * p // 100, ((n - 1) * p + 99) // 100]
    rows = db.session.execute(
        select(ranked.c.i, ranked.c.n, ranked.c.s).where(ranked.c.i.in_(picks))
    )
    ranks: dict[int, float] = {}
    count = 0
    for i, total, seconds in rows:
        ranks[i], count = float(seconds), total
    return count, {p: _interpolate(ranks, count, p) for p in wanted}


def _interpolate(ranks: dict[int, float], count: int, p: int) -> float | None:
    if not count:
        return None
    h = (count - 1) * p
    low, high = ranks[h // 100], ranks[(h + 99) // 100]
    return round(low + (high - low) * (h % 100) / 100, 3)


def ratings(where: Where) -> Ratings:
    """How many rated, the average and how many of each 1 … 5."""
    rated = (*where, Conversation.rating.is_not(None))
    count, average = db.session.execute(
        select(func.count(Conversation.id), func.avg(Conversation.rating)).where(*rated)
    ).one()
    rows = db.session.execute(
        select(Conversation.rating, func.count(Conversation.id))
        .where(*rated)
        .group_by(Conversation.rating)
    )
    distribution = {str(k): 0 for k in range(1, 6)}
    for rating, n in rows:
        distribution[str(rating)] = n
    average = round(float(average), 2) if count else None
    return Ratings(count=count, average=average, distribution=distribution)


def totals(where: Where) -> Totals:
    """Chats, ended chats and offline messages of the window, in one query."""

    def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    state = Conversation.state
    row = db.session.execute(
        select(
            counted(state.not_in(_NOT_CHATS)),
            counted(state == "ended"),
            counted(state == "offline"),
        ).where(*where)
    ).one()
    return Totals(conversations=int(row[0]), ended=int(row[1]), offline=int(row[2]))
