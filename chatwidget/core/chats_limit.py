"""The chats API's own rate limit: CHATS_RATE_LIMIT (default 10/second, the vendor's) per
API user, on top of the app-wide RATE_LIMIT, counted in a moving window on the rate
limiter's storage (core.moving_window: memory, or Redis shared by every process).
"""

from functools import lru_cache

from flask import current_app
from limits import RateLimitItem, parse_many

from chatwidget.core.errors import RateLimited
from chatwidget.core.moving_window import moving_window, seconds_to_wait


@lru_cache(maxsize=8)
def _items(limit: str) -> list[RateLimitItem]:
    """CHATS_RATE_LIMIT parsed once, not on every request."""
    return parse_many(limit)


def check_rate(client_id: str) -> None:
    """Count one request of this API user; RateLimited (with the seconds to wait) past
    CHATS_RATE_LIMIT."""
    config = current_app.config
    identifiers = (config["RATELIMIT_KEY_PREFIX"], "chats", client_id)
    for item in _items(config["CHATS_RATE_LIMIT"]):
        if not moving_window().hit(item, *identifiers):
            wait = seconds_to_wait(item, *identifiers)
            raise RateLimited(
                "more than %s requests to the chats API; try again in %d s" % (item, wait),
                retry_after=wait,
            )
