"""API bearer tokens: signed and timed (itsdangerous), checked from a per-process memo.

A request with a bearer token needs its signature checked twice (the rate-limit key,
then authentication), and an integrator sends the same token for its whole life. So
the first successful check is remembered (token → claims, signing time) and later
ones redo only the age check, by itsdangerous's own rule. What the memo never holds
is the user: revocation is read from the database on every request.
"""

import time
from typing import Any

from itsdangerous import URLSafeTimedSerializer

TOKEN_SALT = "api-token"  # noqa: S105 (a salt, not a secret)
_MEMO_SIZE = 10_000
# (secret key, token) -> (claims, signing time in whole seconds)
_memo: dict[tuple[str | bytes, str], tuple[dict[str, int | str], int]] = {}


def serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    """The signer of API bearer tokens."""
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def load(secret_key: str | bytes, token: str, max_age: int | None = None) -> Any:
    """serializer(secret_key).loads(token, max_age=max_age), remembered per token.

    Raises BadSignature or SignatureExpired exactly when itsdangerous would.
    """
    key = (secret_key, token)
    hit = _memo.get(key)
    if hit is not None:
        claims, signed_at = hit
        age = int(time.time()) - signed_at
        if max_age is None or 0 <= age <= max_age:
            return dict(claims)
    claims, signed_at = serializer(secret_key).loads(token, max_age=max_age, return_timestamp=True)
    if isinstance(claims, dict) and all(type(v) in (int, str) for v in claims.values()):
        if len(_memo) >= _MEMO_SIZE:
            _memo.clear()
        _memo[key] = (dict(claims), int(signed_at.timestamp()))
    return claims
