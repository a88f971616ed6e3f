"""How fast one socket may send: SOCKET_RATE_LIMIT, in bursts of SOCKET_RATE_BURST.

Each socket has a token bucket in its per-socket state (sockets.common.state()): it holds
up to SOCKET_RATE_BURST messages and refills at SOCKET_RATE_LIMIT (Flask-Limiter syntax,
parsed by `limits`). A sendMessage finding it empty is refused with an error ack and
stores nothing; a refusal takes no token, so a client that waits `retryAfter` seconds
gets through. The bucket lives in the process that holds the socket (a socket lives in
one process), so it costs no storage round trip: sendMessage is on the hot path.
"""

import time
from functools import wraps
from typing import Any

import limits
from flask import Flask

from chatwidget.sockets.common import Handler, app, error, state

_KEY = "chatwidget_socket_rate"


class SendRate:
    """The parsed setting: `rate` messages a second, `burst` at most at once."""

    def __init__(self, limit: str, burst: int | str) -> None:
        try:
            item = limits.parse(limit)
        except ValueError as exc:
            raise ValueError(
                "SOCKET_RATE_LIMIT %r is not a rate limit such as 10/second: %s" % (limit, exc)
            ) from None
        if int(burst) < 1:
            raise ValueError("SOCKET_RATE_BURST must be 1 or more, not %r" % burst)
        self.rate = item.amount / item.get_expiry()
        self.burst = int(burst)
        self.text = "at most %s per socket, in bursts of %d" % (item, self.burst)

    def take(self, bucket: list[float], now: float) -> float | None:
        """Take a token from bucket ([tokens, at]): None if there was one, else the
        seconds until there is."""
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1:
            bucket[0] = tokens - 1
            return None
        bucket[0] = tokens
        return (1 - tokens) / self.rate


def init_app(flask_app: Flask) -> None:
    """Parse SOCKET_RATE_LIMIT and SOCKET_RATE_BURST once, failing at start-up if bad."""
    cfg = flask_app.config
    flask_app.extensions[_KEY] = SendRate(cfg["SOCKET_RATE_LIMIT"], cfg["SOCKET_RATE_BURST"])


def rate_limited(func: Handler) -> Handler:
    """Refuse the event with an error ack when this socket has sent too fast.

    Usable on light events: it needs only state() and app().
    """

    @wraps(func)
    def wrapper(self: Any, *args: Any) -> Any:
        limit = app().extensions[_KEY]
        now = time.monotonic()
        socket = state()
        bucket = socket.get("send_bucket")
        if bucket is None:
            bucket = socket["send_bucket"] = [limit.burst, now]
        wait = limit.take(bucket, now)
        if wait is None:
            return func(self, *args)
        return error(
            "rate limit exceeded: sending too fast (%s); wait and send again" % limit.text,
            errors={"rate": [limit.text]},
            retryAfter=round(wait, 3),
        )

    return wrapper
