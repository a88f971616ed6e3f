"""Credentials on REST calls: bearer tokens from /Token, checked per route with a role."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import g, request

from chatwidget.api.parser import Blueprint, View
from chatwidget.core.errors import Unauthorized
from chatwidget.core.identity import check_role, user_from_token
from chatwidget.schemas.common import ErrorSchema


def bearer_token() -> str:
    """The token of an `Authorization: bearer …` header (scheme in any case)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("missing bearer token: send Authorization: bearer <access_token>")
    return value.strip()


def bearer(blp: Blueprint, role: str) -> Callable[[View], View]:
    """Decorator: the view needs a valid bearer token of an API user holding role.

    Authentication runs before the body is read, so an anonymous caller learns
    nothing about the payload rules.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.api_user = user_from_token(bearer_token())
            check_role(g.api_user, role)
            return view(*args, **kwargs)

        guarded = cast(View, wrapper)  # called as the view is (functools.wraps)
        return documented(blp, guarded, "bearerAuth", "No valid token", role)

    return decorator


def documented(blp: Blueprint, guarded: View, scheme: str, no_credentials: str, role: str) -> View:
    """A guarded view's credentials in the OpenAPI document: its security scheme and its
    401, 429 and 403 answers."""
    guarded = blp.doc(security=[{scheme: []}])(guarded)
    guarded = blp.alt_response(401, schema=ErrorSchema, description=no_credentials)(guarded)
    guarded = blp.rate_limited()(guarded)
    return blp.alt_response(403, schema=ErrorSchema, description="Lacks role " + role)(guarded)
