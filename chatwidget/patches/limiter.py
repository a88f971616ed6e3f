"""Flask-Limiter 4.1.1 and limits 5.8.0: limits resolved once per endpoint, a cheaper sweep.

Written for Flask-Limiter 4.1.1 and limits 5.8.0 (requirements.txt): overrides
Flask-Limiter's private `Limiter._check_request_limit`, reads its limit manager's private
lists, and overrides limits' name-mangled `MemoryStorage.__schedule_expiry`. Measured gain
on bench/capture_ingest.py: 15 % of the server's CPU per capture, 1,050 µs in against 1,233
out (docs/performance.md, "Library patches"). Out
(CHATWIDGET_PATCHES_OFF=limiter): Flask-Limiter's own Limiter and limits' "memory://"
storage (chatwidget.ratelimit).
"""

import time
from typing import Literal, cast

import flask_limiter
import limits.storage
from flask import Flask, current_app, request
from flask_limiter import ApplicationLimit, ExemptionScope, RateLimitExceeded, RequestLimit
from flask_limiter._limits import RuntimeLimit

# The application limits that apply to an endpoint, each with the scope it is counted
# under; False when the limiter's configuration is not one this class resolves.
EndpointLimits = tuple[tuple[RuntimeLimit, str], ...] | Literal[False]


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, working out once per endpoint which limits apply.

    The app sets application-wide limits only (RATE_LIMIT, keyed by rate_limit_key) and
    exempts the web pages' blueprint. Which of them apply to a request then depends on
    its endpoint alone, yet Flask-Limiter resolves it again on every request (default,
    decorated, blueprint and meta limits, exemptions, a fresh parse of the limit string):
    ~100 µs, a tenth of a whole capture. Here that answer is kept per endpoint; the hit
    goes to Flask-Limiter's own strategy and storage (memory, or Redis shared by every
    process) under the very keys it uses, and its after-request hook writes the
    X-RateLimit-* and Retry-After headers and RateLimitExceeded makes the 429 as before.

    Anything else Flask-Limiter can be told (default, decorated, meta or fallback limits,
    request filters, exempt_when, deduct_when, per-method limits, breach callbacks,
    swallowed errors) takes Flask-Limiter's own path unchanged, decided per endpoint on
    its first request.
    """

    def init_app(self, app: Flask) -> None:
        self._per_endpoint: dict[str | None, EndpointLimits] = {}
        super().init_app(app)

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        limits: EndpointLimits | None = None
        if in_middleware and not callable_name and self.enabled:
            endpoint = request.endpoint
            limits = self._per_endpoint.get(endpoint)
            if limits is None:
                limits = self._per_endpoint[endpoint] = self._application_limits_for(endpoint)
        if limits is False:  # not a configuration this class resolves
            return super()._check_request_limit(callable_name, in_middleware)
        if not limits:
            return
        key = self._key_func()
        context = self.context
        checked = []
        for limit, scope in limits:
            args = [self._key_prefix, key, scope] if self._key_prefix else [key, scope]
            # _plain() let no callable cost through
            allowed = self.limiter.hit(limit.limit, *args, cost=cast(int, limit.cost))
            checked.append(RequestLimit(self, limit.limit, args, not allowed, True))
            if not allowed:
                context.view_rate_limits = checked
                context.view_rate_limit = checked[-1]
                self.logger.info(
                    "ratelimit %s (%s) exceeded at endpoint: %s", limit.limit, key, scope
                )
                raise RateLimitExceeded(limit)
        context.view_rate_limits = checked
        context.view_rate_limit = checked[0]

    def _application_limits_for(self, endpoint: str | None) -> EndpointLimits:
        """[(RuntimeLimit, scope)] for endpoint, smallest window first; False if not plain."""
        manager = self.limit_manager
        try:
            plain = not (
                manager._default_limits
                or manager._decorated_limits
                or manager._blueprint_limits
                or manager._endpoint_hints
                or self._meta_limits
                or self._request_filters
                or self._in_memory_fallback_enabled
                or self._swallow_errors
                or self._on_breach
                or not self._fail_on_first_breach
            ) and all(_plain(group) for group in manager._application_limits)
        except AttributeError:  # another Flask-Limiter than the one pinned: its own way
            return False
        if not plain:
            return False
        if not endpoint or not self.initialized or endpoint.rsplit(".", 1)[-1] == "static":
            return ()
        exemption = manager.exemption_scope(current_app, endpoint, request.blueprint)
        if exemption & ExemptionScope.APPLICATION:
            return ()
        limits = sorted(manager.application_limits, key=lambda limit: limit.limit)
        return tuple((limit, limit.scope_for(endpoint, None)) for limit in limits)


def _plain(group: ApplicationLimit) -> bool:
    """An ApplicationLimit given as a fixed string, with nothing decided per request."""
    return isinstance(group.limit_provider, str) and not (
        group.exempt_when
        or group.deduct_when
        or group.per_method
        or group.methods
        or group.meta_limits
        or group.on_breach
        or callable(group.cost)
        or callable(group.scope)
    )


class MemoryStorage(limits.storage.MemoryStorage):
    """limits' in-process storage, sweeping expired keys from a hit instead of a timer.

    limits sweeps from a threading.Timer that it restarts every 10 ms and checks on every
    hit. Under gevent that timer is a greenlet: checking it (a failed non-blocking lock
    acquire sleeps) and starting the next one switched to the hub in the middle of every
    rate-limited request, ~40 µs each. A counter expires when it is read anyway; the sweep
    only frees the keys nobody uses any more, and runs here at most once a second.
    """

    STORAGE_SCHEME = ["chatwidget-memory"]
    URI = "chatwidget-memory://"
    SWEEP_S = 1.0

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: str
    ) -> None:
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # limits calls it on every hit
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_S
            # name-mangled, so invisible to the type checker by this name
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
