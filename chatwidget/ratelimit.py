"""Who a request counts against for the rate limit, and the limiter that counts it."""

import base64

import flask_limiter
from flask import Response, current_app, request
from itsdangerous import BadSignature

from chatwidget import patches, tokens
from chatwidget.patches import limiter

# Where note_own_retry_after keeps a view's Retry-After on the response (an attribute
# Flask's Response does not declare, so it is set by name).
_OWN_RETRY_AFTER = "own_retry_after"


def _bearer_subject(value: str) -> str | None:
    """The API user id inside a bearer token, checked for signature only."""
    try:
        return "api:%s" % tokens.load(current_app.config["SECRET_KEY"], value)["u"]
    except (BadSignature, KeyError, TypeError):
        return None


def _basic_subject(value: str) -> str | None:
    try:
        user = base64.b64decode(value).decode().split(":", 1)[0]
    except ValueError:
        return None
    return "basic:%s" % user


def rate_limit_key() -> str:
    """Key each request by the API user (or agent) it claims, else by address.

    The token is only signature-checked here, not looked up: the limiter runs before
    the view authenticates, and a forged claim is refused by the view anyway.
    """
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    scheme = scheme.lower()
    subject = None
    if scheme == "bearer":
        subject = _bearer_subject(value.strip())
    elif scheme == "basic":
        subject = _basic_subject(value.strip())
    return subject or "addr:%s" % (request.remote_addr or "-")


def new_limiter() -> flask_limiter.Limiter:
    """A rate limiter for one app (RATE_LIMIT per API user, agent or address), the limiter
    patch's while it is in force (chatwidget.patches.limiter), Flask-Limiter's otherwise.

    One per app, not a module singleton: Flask-Limiter keeps the limits, key prefix
    and storage of the first app it is bound to on the instance.
    """
    cls = limiter.Limiter if patches.enabled("limiter") else flask_limiter.Limiter
    return cls(key_func=rate_limit_key, headers_enabled=True)


def memory_storage_uri() -> str:
    """The storage of a process counting alone (no Redis): limits' own in-process one, or
    the limiter patch's."""
    return limiter.MemoryStorage.URI if patches.enabled("limiter") else "memory://"


def note_own_retry_after(response: Response) -> Response:
    """after_request, before Flask-Limiter's: keep the Retry-After a view set itself (a 503
    of a full transcript pool), which Flask-Limiter's hook overwrites."""
    setattr(response, _OWN_RETRY_AFTER, response.headers.get("Retry-After"))
    return response


def retry_after_on_429_only(response: Response) -> Response:
    """after_request, after Flask-Limiter's: Retry-After on 429s only (CONTRACT §1).

    With headers enabled it sets Retry-After (the seconds to the window's end) on every
    answer, a 200 included, and clients read it as "try again later". A view's own stays;
    the X-RateLimit-* headers stay too: they tell a client how much allowance is left.
    """
    if response.status_code != 429:
        own = getattr(response, _OWN_RETRY_AFTER, None)
        if own:
            response.headers["Retry-After"] = own
        else:
            response.headers.pop("Retry-After", None)
    return response
