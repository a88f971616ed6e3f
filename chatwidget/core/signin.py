"""Agent sign-in behind limits on failed attempts (CONTRACT §1 `limits`).

Failed attempts count per e-mail (SIGNIN_LIMIT_PER_EMAIL, 5/minute) and per client
address (SIGNIN_LIMIT_PER_ADDRESS, 20/minute) in a moving window, in the storage the
app's rate limiter uses: this process's memory, or Redis when REDIS_URL is set, so every
process of a deployment shares the counts.

- Once a limit is reached every attempt is refused (429, RateLimited) until the window
  moves past the oldest counted failure, the right password included: otherwise a
  guesser would only have to wait for the answer to change. The refusal runs before the
  password hash, so a flood costs no scrypt.
- Successful sign-ins count nothing, and refused ones add nothing (the lock does not
  grow while someone keeps knocking).
- Attempts that passed the check before the limit was reached still get their answer:
  a burst of concurrent attempts may overshoot the limit by as many as arrive together
  (each of them one scrypt, queued on the hashing pool of core/agents.py).
"""

from flask import current_app
from limits import RateLimitItem, parse_many

from chatwidget.core import agents
from chatwidget.core.errors import RateLimited
from chatwidget.core.moving_window import moving_window, seconds_to_wait
from chatwidget.models import Agent


def _counters(email: str, address: str | None) -> list[tuple[RateLimitItem, tuple[str, str, str]]]:
    """[(limit item, identifiers)] that a failed attempt of email from address counts in."""
    config = current_app.config
    prefix = config["RATELIMIT_KEY_PREFIX"]
    return [
        (item, (prefix, "signin-" + kind, value))
        for setting, kind, value in (
            ("SIGNIN_LIMIT_PER_EMAIL", "email", email),
            ("SIGNIN_LIMIT_PER_ADDRESS", "address", address or "-"),
        )
        for item in parse_many(config[setting])
    ]


def check_allowed(email: str, address: str | None) -> None:
    """RateLimited (with the seconds to wait) when email or address has failed too often."""
    strategy = moving_window()
    for item, identifiers in _counters(email, address):
        if not strategy.test(item, *identifiers):
            wait = seconds_to_wait(item, *identifiers)
            raise RateLimited(
                "too many failed sign-ins; try again in %d s" % wait, retry_after=wait
            )


def sign_in(email: str | None, password: str | None, address: str | None) -> Agent | None:
    """The agent with this e-mail and password, or None (a failure, counted).

    The one check behind every agent sign-in (the token route, the console's form):
    RateLimited when the e-mail or the address is locked out.
    """
    email = (email or "").strip().lower()
    check_allowed(email, address)
    agent = agents.authenticate(email, password)
    if agent is None:
        strategy = moving_window()
        for item, identifiers in _counters(email, address):
            strategy.hit(item, *identifiers)
    return agent
