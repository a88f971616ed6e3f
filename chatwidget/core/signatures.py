"""Signing the POSTs this server sends: webhooks and virtual-agent calls (CONTRACT §3, §7).

A receiver checks `X-Signature` against base64(HMAC-SHA256(secret, timestamp + raw
body)), the secret taken as its UTF-8 text and the timestamp as `X-Signature-Timestamp`
carries it (Unix seconds, decimal). While a secret is being rotated the header carries
two signatures, `primary=<with the new secret> secondary=<with the old one>`, so a
receiver still configured with the old secret keeps accepting until it switches.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from chatwidget.core.errors import InvalidInput

SIGNATURE = "X-Signature"
TIMESTAMP = "X-Signature-Timestamp"
_NAMES = ("primary", "secondary")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, timestamp + body)): one signature, as the header holds it."""
    message = str(timestamp).encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """The X-Signature value: `primary=<sig>` and, given a second secret, ` secondary=<sig>`.

    secrets: the current secret first, then the one being rotated out (if any).
    """
    if not 1 <= len(secrets) <= len(_NAMES):
        raise ValueError("sign takes one or two secrets, got %d" % len(secrets))
    return " ".join(
        "%s=%s" % (name, signature(secret, timestamp, body))
        for name, secret in zip(_NAMES, secrets, strict=False)
    )


def signed_headers(
    secrets: Sequence[str], body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """X-Signature and X-Signature-Timestamp for a POST of body; timestamp default now.

    Call it for each attempt: the timestamp is the attempt's, so a receiver may refuse
    old ones against replays.
    """
    stamp = int(time.time()) if timestamp is None else timestamp
    return {SIGNATURE: sign(secrets, stamp, body), TIMESTAMP: str(stamp)}


def check_http_url(url: str | None, field: str, label: str) -> str:
    """url when it is an absolute http: or https: URL, where a signed POST may go.

    Anything else (relative, javascript:, file:, no host) is InvalidInput naming field,
    its message saying which URL (label, e.g. "the webhook URL").
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            "%s must be an absolute http or https URL" % label,
            errors={field: ["Not an absolute http: or https: URL."]},
        )
    return url or ""
