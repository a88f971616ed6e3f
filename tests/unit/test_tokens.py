"""The bearer-token memo answers exactly as itsdangerous does, expiry included."""

import time

import pytest
from itsdangerous import BadSignature, SignatureExpired

from chatwidget import tokens


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for tokens.py and for itsdangerous alike."""
    now = [1_700_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_a_remembered_token_still_expires(clock):
    token = tokens.serializer("k1").dumps({"u": 7})
    assert tokens.load("k1", token, max_age=60) == {"u": 7}
    assert tokens.load("k1", token, max_age=60) == {"u": 7}  # from the memo
    clock[0] += 60
    assert tokens.load("k1", token, max_age=60) == {"u": 7}
    clock[0] += 1
    with pytest.raises(SignatureExpired):
        tokens.load("k1", token, max_age=60)
    assert tokens.load("k1", token) == {"u": 7}  # no max_age: signature only


def test_a_token_from_the_future_is_refused_as_itsdangerous_does(clock):
    token = tokens.serializer("k2").dumps({"u": 1})
    tokens.load("k2", token, max_age=60)
    clock[0] -= 5
    with pytest.raises(SignatureExpired):
        tokens.load("k2", token, max_age=60)


def test_forged_and_foreign_tokens_are_refused():
    token = tokens.serializer("k3").dumps({"u": 1})
    tokens.load("k3", token, max_age=60)
    with pytest.raises(BadSignature):
        tokens.load("another key", token, max_age=60)
    with pytest.raises(BadSignature):
        tokens.load("k3", token[:-2] + "xx", max_age=60)


def test_callers_get_their_own_copy():
    token = tokens.serializer("k4").dumps({"u": 1})
    tokens.load("k4", token)["u"] = 99
    assert tokens.load("k4", token) == {"u": 1}
