"""The chats API's rate limits, both counted here in a moving window on the rate limiter's
storage (core.moving_window: memory, or Redis shared by every process):

- RATE_LIMIT, the app-wide limit, per authenticated API user, and per client address for
  credentials that authenticate nobody;
- CHATS_RATE_LIMIT (default 10/second, the vendor's) per authenticated API user.

The chats blueprint is exempt from Flask-Limiter, so that each request is counted once
per limit, here, instead of once there and again here. RATE_LIMIT is counted apart from
the other routes' count of it: an API user that also calls other APIs has its allowance
on each side.
"""

from functools import lru_cache
from typing import NamedTuple

from flask import current_app
from limits import RateLimitItem, parse_many

from chatwidget.core.errors import RateLimited
from chatwidget.core.moving_window import moving_window, seconds_to_wait

APP, CHATS = "app", "chats"  # the two counts: RATE_LIMIT's and CHATS_RATE_LIMIT's
_SETTING = {APP: "RATE_LIMIT", CHATS: "CHATS_RATE_LIMIT"}


class Counted(NamedTuple):
    """A limit one request was counted against, and under which key."""

    item: RateLimitItem
    identifiers: tuple[str, ...]


class Window(NamedTuple):
    """A limit as a client is told of it: how many requests, how many are left, and when
    the oldest counted leaves the window (seconds since the epoch)."""

    limit: int
    remaining: int
    reset_at: int


class ChatsRateLimited(RateLimited):
    """RateLimited by one of the chats API's limits; `counted` is the one exceeded."""

    def __init__(self, message: str, retry_after: int, counted: Counted) -> None:
        super().__init__(message, retry_after)
        self.counted = counted


@lru_cache(maxsize=16)
def _items(limit: str) -> list[RateLimitItem]:
    """A limit setting parsed once, not on every request."""
    return parse_many(limit)


@lru_cache(maxsize=16)
def not_implied(limit: str, by: str) -> list[RateLimitItem]:
    """The limits of `limit` that those of `by` do not already enforce: at most b requests
    in any W' seconds allows no more than a >= b in any W <= W' seconds."""
    return [
        item
        for item in _items(limit)
        if not any(
            other.amount <= item.amount and other.get_expiry() >= item.get_expiry()
            for other in _items(by)
        )
    ]


def check_rate(count: str, key: str, beside_chats: bool = False) -> Counted | None:
    """Count one request under key against each limit of the setting `count` names (APP:
    RATE_LIMIT, CHATS: CHATS_RATE_LIMIT); ChatsRateLimited (with the seconds to wait)
    past any of them. beside_chats: the request is to be counted against
    CHATS_RATE_LIMIT too, so RATE_LIMIT's limits that it implies are left out (RATE_LIMIT's
    default of 50/second beside the vendor's 10/second: all of them).

    The first limit counted, for the answer's headers; None when none is (the app's rate
    limiting is turned off with RATELIMIT_ENABLED, or CHATS_RATE_LIMIT implies it all)."""
    config = current_app.config
    if count == APP and not config.get("RATELIMIT_ENABLED", True):
        return None
    identifiers = (config["RATELIMIT_KEY_PREFIX"], count, key)
    setting = config[_SETTING[count]]
    if beside_chats:
        items = not_implied(setting, config["CHATS_RATE_LIMIT"])
    else:
        items = _items(setting)
    if not items:
        return None
    strategy = moving_window()
    for item in items:
        if not strategy.hit(item, *identifiers):
            wait = seconds_to_wait(item, *identifiers)
            where = "the chats API" if count == CHATS else "the API"
            raise ChatsRateLimited(
                "more than %s requests to %s; try again in %d s" % (item, where, wait),
                retry_after=wait,
                counted=Counted(item, identifiers),
            )
    return Counted(items[0], identifiers)


def window(counted: Counted) -> Window:
    """Where a counted limit stands now."""
    reset_at, remaining = moving_window().get_window_stats(counted.item, *counted.identifiers)
    return Window(counted.item.amount, max(0, remaining), int(reset_at) + 1)
