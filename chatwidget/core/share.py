"""Read-only share links to a call (the vendor's guest user token).

A link's token carries the call id (already in the link's path) and its time, signed;
nothing else. The e-mail it is made for is not in it: itsdangerous payloads are only
base64, and a link passed on would tell each holder whom it was first sent to. Nothing
checks it either: whoever holds the link may read the call until the link expires.
"""

from datetime import timedelta
from typing import TypedDict

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from chatwidget.core.call_lookup import get_call
from chatwidget.core.errors import Forbidden
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc

_SALT = "call-share"


class ShareLink(TypedDict):
    """A read-only link to a call's page and when it stops working."""

    callUrl: str
    expiration: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def share_link(call_id: str, email: str) -> ShareLink:
    """A signed link to the call's page, for email, valid SHARE_TTL_S (8 hours)."""
    call = get_call(call_id)
    ttl = current_app.config["SHARE_TTL_S"]
    token = _serializer().dumps({"c": call.call_id})
    url = "%s/calls/%s?token=%s" % (current_app.config["PUBLIC_URL"], call.call_id, token)
    expiration = utcnow().replace(microsecond=0) + timedelta(seconds=ttl)
    return ShareLink(callUrl=url, expiration=format_utc(expiration))


def check_share_token(call_id: str, token: str | None) -> None:
    """Nothing when token is a live link to this call; Forbidden otherwise."""
    try:
        data = _serializer().loads(token or "", max_age=current_app.config["SHARE_TTL_S"])
    except SignatureExpired:
        raise Forbidden("this link has expired; ask for a new one") from None
    except BadSignature:
        raise Forbidden("this link is not valid") from None
    if not isinstance(data, dict) or data.get("c") != call_id:
        raise Forbidden("this link is not valid for this call")
