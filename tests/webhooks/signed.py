"""What a receiver does with a delivery's X-Signature, written from the contract (§3) alone."""

import base64
import hashlib
import hmac


def signatures(record):
    """X-Signature's parts of one received request: {"primary": b64, "secondary": b64?}."""
    header = record["headers"]["X-Signature"]
    return dict(part.split("=", 1) for part in header.split(" "))


def expected(secret, record):
    """base64(HMAC-SHA256(secret as UTF-8, X-Signature-Timestamp + the raw body received))."""
    stamp = record["headers"]["X-Signature-Timestamp"].encode()
    digest = hmac.new(secret.encode("utf-8"), stamp + record["body"], hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verifies(secret, record, part="primary"):
    """True when the named signature of the request is the one secret makes."""
    given = signatures(record).get(part)
    return given is not None and hmac.compare_digest(given, expected(secret, record))
