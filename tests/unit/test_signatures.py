"""core.signatures, the one signing rule of webhooks and virtual-agent calls, checked
against HMAC-SHA256 computed here from the contract (§3)."""

import base64
import hashlib
import hmac
import time

import pytest

from chatwidget.core.signatures import sign, signed_headers

BODY = '{"event":"message","text":"però"}'.encode()


def reference(secret, timestamp, body):
    digest = hmac.new(secret.encode("utf-8"), str(timestamp).encode() + body, hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def test_one_secret_gives_primary_only():
    assert sign(["s3cr3t"], 1_700_000_000, BODY) == "primary=" + reference(
        "s3cr3t", 1_700_000_000, BODY
    )


def test_two_secrets_give_primary_then_secondary():
    header = sign(["new", "old"], 1_700_000_000, BODY)
    assert header == "primary=%s secondary=%s" % (
        reference("new", 1_700_000_000, BODY),
        reference("old", 1_700_000_000, BODY),
    )


@pytest.mark.parametrize("secrets", [[], ["a", "b", "c"]])
def test_one_or_two_secrets_only(secrets):
    with pytest.raises(ValueError):
        sign(secrets, 1, BODY)


def test_headers_carry_the_timestamp_they_were_signed_with():
    headers = signed_headers(["k"], BODY)
    stamp = headers["X-Signature-Timestamp"]
    assert stamp.isdigit() and abs(int(stamp) - time.time()) < 60
    assert headers["X-Signature"] == "primary=" + reference("k", stamp, BODY)
    fixed = signed_headers(["k", "old"], BODY, timestamp=42)
    assert fixed["X-Signature-Timestamp"] == "42"
    assert fixed["X-Signature"] == sign(["k", "old"], 42, BODY)
