"""Who a request counts against for the rate limit."""

import base64

from flask import current_app, request
from itsdangerous import BadSignature

from chatwidget import tokens
from chatwidget.tokens import TOKEN_SALT  # noqa: F401 (its historical home)


def _bearer_subject(value):
    """The API user id inside a bearer token, checked for signature only."""
    try:
        return "api:%s" % tokens.load(current_app.config["SECRET_KEY"], value)["u"]
    except (BadSignature, KeyError, TypeError):
        return None


def _basic_subject(value):
    try:
        user = base64.b64decode(value).decode().split(":", 1)[0]
    except ValueError:
        return None
    return "basic:%s" % user


def rate_limit_key():
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
