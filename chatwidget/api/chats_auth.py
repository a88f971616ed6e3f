"""HTTP Basic credentials on the chats API (CONTRACT §3): client_id and client_secret of
an API user with role apps_api, and the API's own per-user rate limit."""

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import g, request

from chatwidget.api.parser import Blueprint, View
from chatwidget.core.chats_limit import check_rate
from chatwidget.core.errors import Unauthorized
from chatwidget.core.identity import authenticate_client, check_role
from chatwidget.schemas.common import ErrorSchema

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
    checked before the body is read, then CHATS_RATE_LIMIT for that user."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = authenticate_client(*basic_credentials())
            if user is None:
                raise Unauthorized("invalid client_id or client_secret")
            check_role(user, ROLE)
            check_rate(user.client_id)
            g.api_user = user
            return view(*args, **kwargs)

        guarded = cast(View, wrapper)  # called as the view is (functools.wraps)
        guarded = blp.doc(security=[{"basicAuth": []}])(guarded)
        guarded = blp.alt_response(401, schema=ErrorSchema, description="No valid credentials")(
            guarded
        )
        guarded = blp.rate_limited()(guarded)
        return blp.alt_response(403, schema=ErrorSchema, description="Lacks role " + ROLE)(guarded)

    return decorator
