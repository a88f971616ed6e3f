"""The chats API's own rate limit: CHATS_RATE_LIMIT (default 10/second, the vendor's) per
API user, on top of the app-wide RATE_LIMIT.

Counted in the storage the app's rate limiter uses (this process's memory, or Redis when
REDIS_URL is set, shared by every process), in a moving window.
"""

import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from chatwidget.core.errors import RateLimited

_EXTENSION = "chatwidget.chats_limit"


def _limits() -> tuple[MovingWindowRateLimiter, list[RateLimitItem]]:
    """This app's limiter and parsed limits, made once."""
    made = current_app.extensions.get(_EXTENSION)
    if made is None:
        config = current_app.config
        storage = storage_from_string(config["RATELIMIT_STORAGE_URI"])
        made = (MovingWindowRateLimiter(storage), parse_many(config["CHATS_RATE_LIMIT"]))
        current_app.extensions[_EXTENSION] = made
    return made


def check_rate(client_id: str) -> None:
    """Count one request of this API user; RateLimited (with the seconds to wait) past
    CHATS_RATE_LIMIT."""
    strategy, items = _limits()
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    for item in items:
        if not strategy.hit(item, prefix, "chats", client_id):
            reset_at, _ = strategy.get_window_stats(item, prefix, "chats", client_id)
            wait = max(1, math.ceil(reset_at - time.time()))
            raise RateLimited(
                "more than %s requests to the chats API; try again in %d s" % (item, wait),
                retry_after=wait,
            )
