"""Limits counted in core (failed sign-ins, the chats API's own limit) in a moving window,
on the storage the app's rate limiter uses: this process's memory, or Redis when
REDIS_URL is set, so every process of a deployment shares the counts."""

import math
import time

from flask import current_app
from limits import RateLimitItem
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

_EXTENSION = "chatwidget.moving_window"


def moving_window() -> MovingWindowRateLimiter:
    """This app's moving-window limiter, made once, on the rate limiter's storage."""
    strategy = current_app.extensions.get(_EXTENSION)
    if strategy is None:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        strategy = current_app.extensions[_EXTENSION] = MovingWindowRateLimiter(storage)
    return strategy


def seconds_to_wait(item: RateLimitItem, *identifiers: str) -> int:
    """Whole seconds until the window moves past the oldest hit counted (at least 1)."""
    reset_at, _ = moving_window().get_window_stats(item, *identifiers)
    return max(1, math.ceil(reset_at - time.time()))
