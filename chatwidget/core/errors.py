"""The one error family the core raises; adapters map it to HTTP and socket errors."""

from typing import Any


class CoreError(Exception):
    """Base of every domain error; `status` is the HTTP status adapters answer with."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.extra = extra


class InvalidInput(CoreError):
    status = 400


class Unauthorized(CoreError):
    status = 401


class Forbidden(CoreError):
    status = 403


class NotFound(CoreError):
    status = 404


class Conflict(CoreError):
    status = 409


class InvalidState(CoreError):
    status = 409


class Unavailable(CoreError):
    """Not now; retry_after, when given: seconds after which trying again may work."""

    status = 503

    def __init__(self, message: str, retry_after: int | None = None, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.retry_after = retry_after


class TooLarge(CoreError):
    status = 413


class UnsupportedMediaType(CoreError):
    status = 415


class RateLimited(CoreError):
    """Too many attempts; retry_after: seconds until the next one is allowed."""

    status = 429

    def __init__(self, message: str, retry_after: int, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.retry_after = retry_after
