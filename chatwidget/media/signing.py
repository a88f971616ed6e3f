"""Signed media links and S3-style POST policies, both HMAC-SHA256 keyed from SECRET_KEY.

A link signs (key, expiry, content type); a policy is S3's POST policy document: base64
JSON {"expiration", "conditions"} whose signature is the hex HMAC of the base64 text.
Each use has its own derived key, so a link's signature never passes as a policy's.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from chatwidget.core.errors import Forbidden
from chatwidget.timestamps import parse_utc

ALGORITHM = "HMAC-SHA256"


def _mac(secret: str, purpose: bytes, text: str) -> str:
    derived = hmac.new(secret.encode(), b"chatwidget-media-" + purpose, hashlib.sha256).digest()
    return hmac.new(derived, text.encode(), hashlib.sha256).hexdigest()


def _same(expected: str, given: object) -> bool:
    return isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def sign_link(secret: str, key: str, expires: int | str, content_type: str | None = "") -> str:
    """The signature of a GET link to key, valid until the Unix time expires."""
    return _mac(secret, b"get", "%s\n%s\n%s" % (key, expires, content_type or ""))


def check_link(
    secret: str, key: str, expires: object, signature: object, content_type: str | None, now: float
) -> None:
    """Forbidden unless the link is signed by us and not yet expired (signature first)."""
    if not (isinstance(expires, str) and expires.isdigit()):
        raise Forbidden("invalid media link")
    if not _same(sign_link(secret, key, expires, content_type), signature):
        raise Forbidden("invalid media link")
    if int(expires) < now:
        raise Forbidden("the media link has expired")


def encode_policy(expiration: int | float, conditions: list[object]) -> str:
    """A policy document valid until the Unix time expiration, base64 as S3 takes it."""
    stamp = datetime.fromtimestamp(int(expiration), UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    document = json.dumps({"expiration": stamp, "conditions": conditions}, separators=(",", ":"))
    return base64.b64encode(document.encode()).decode()


def sign_policy(secret: str, policy: str) -> str:
    """The x-amz-signature of a base64 policy."""
    return _mac(secret, b"post", policy)


def open_policy(secret: str, policy: object, signature: object, now: float) -> list[object]:
    """The conditions of a policy we signed that has not expired; Forbidden otherwise."""
    if not isinstance(policy, str) or not _same(sign_policy(secret, policy), signature):
        raise Forbidden("invalid policy signature")
    try:
        document = json.loads(base64.b64decode(policy, validate=True))
        expiration = parse_utc(document["expiration"]).replace(tzinfo=UTC).timestamp()
        conditions = document["conditions"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise Forbidden("malformed policy") from None
    if expiration < now:
        raise Forbidden("the upload policy has expired")
    if not isinstance(conditions, list):
        raise Forbidden("malformed policy")
    return conditions


def _failed(condition: object) -> Forbidden:
    return Forbidden("Invalid according to policy: condition failed: %s" % json.dumps(condition))


def _match(condition: object, fields: Mapping[str, object]) -> str:
    """Check one eq/starts-with condition; returns the form field it constrains."""
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise _failed(condition)
        ((name, value),) = condition.items()
        op, name = "eq", "$" + str(name)
    elif isinstance(condition, list) and len(condition) == 3:
        op, name, value = str(condition[0]).lower(), condition[1], condition[2]
    else:
        raise _failed(condition)
    if op not in ("eq", "starts-with") or not str(name).startswith("$"):
        raise _failed(condition)
    name = name[1:].lower()
    if name == "bucket":  # one local store, no buckets
        return name
    given = fields.get(name)
    if not isinstance(value, str) or not isinstance(given, str):
        raise _failed(condition)
    matched = given == value if op == "eq" else given.startswith(value)
    if not matched:
        raise _failed(condition)
    return name


def check_conditions(
    conditions: Iterable[object], fields: Mapping[str, object]
) -> tuple[int, int] | None:
    """Check every condition against the form fields (names lower-cased).

    Returns the content-length-range as (min, max), None when the policy sets none.
    The policy must constrain `key`, else anyone holding it could write anywhere.
    """
    size_range: tuple[int, int] | None = None
    constrained = set()
    for condition in conditions:
        if isinstance(condition, list) and condition and condition[0] == "content-length-range":
            if len(condition) != 3 or not all(isinstance(n, int) for n in condition[1:]):
                raise _failed(condition)
            size_range = (condition[1], condition[2])
            continue
        constrained.add(_match(condition, fields))
    if "key" not in constrained:
        raise Forbidden("the policy does not constrain the key")
    return size_range
