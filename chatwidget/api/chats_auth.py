"""HTTP Basic credentials on the chats API (CONTRACT §3): client_id and client_secret of
an API user with role apps_api, and the API's rate limits (core.chats_limit), with the
X-RateLimit-* headers Flask-Limiter gives the other APIs' answers."""

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import Response, after_this_request, g, request

from chatwidget.api.auth import documented
from chatwidget.api.parser import Blueprint, View
from chatwidget.core.chats_limit import APP, CHATS, ChatsRateLimited, Counted, check_rate, window
from chatwidget.core.errors import Unauthorized
from chatwidget.core.identity import Client, authenticate_client, check_role
from chatwidget.patches.prepared import reading

ROLE = "apps_api"


def basic_credentials() -> tuple[str, str]:
    """(client_id, client_secret) of an `Authorization: Basic …` header."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise Unauthorized("missing credentials: send HTTP Basic client_id:client_secret")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed Basic credentials") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise Unauthorized("malformed Basic credentials")
    return client_id, secret


def apps_api(blp: Blueprint) -> Callable[[View], View]:
    """Decorator: the view needs Basic credentials of an API user with role apps_api,
    checked before the body is read, within RATE_LIMIT and then CHATS_RATE_LIMIT for
    that user."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            after_this_request(_rate_limit_headers)
            with reading():
                user = _authenticated()
            _count(APP, "user:" + user.client_id, beside_chats=True)
            check_role(user, ROLE)
            _count(CHATS, user.client_id)
            g.api_user = user
            return view(*args, **kwargs)

        guarded = cast(View, wrapper)  # called as the view is (functools.wraps)
        return documented(blp, guarded, "basicAuth", "No valid credentials", ROLE)

    return decorator


def _authenticated() -> Client:
    """The API user the request's credentials name; Unauthorized if none, the failure
    counted against RATE_LIMIT by the client's address (credentials that do not hold name
    nobody, and counting them under the client_id they claim would let anyone use up that
    user's allowance)."""
    try:
        user = authenticate_client(*basic_credentials())
        if user is None:
            raise Unauthorized("invalid client_id or client_secret")
    except Unauthorized:
        _count(APP, "addr:" + (request.remote_addr or "-"))
        raise
    return user


def _count(count: str, key: str, beside_chats: bool = False) -> None:
    """check_rate(); the answer reports the limit counted (or exceeded) last."""
    try:
        counted = check_rate(count, key, beside_chats)
    except ChatsRateLimited as limited:
        g.rate_limit_counted = limited.counted
        raise
    if counted is not None:
        g.rate_limit_counted = counted


def _rate_limit_headers(response: Response) -> Response:
    """X-RateLimit-* of the limit the request was counted against last, as Flask-Limiter
    writes them on the other APIs' answers (Retry-After, on a 429 only, is the error's)."""
    counted: Counted | None = g.get("rate_limit_counted")
    if counted is not None:
        limit, remaining, reset_at = window(counted)
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset_at)
    return response
