"""The HTTP POST of one outbox row, signed as receivers verify it (X-Signature)."""

from contextlib import AbstractContextManager, nullcontext
from typing import TypedDict

import gevent
import requests
from gevent import monkey

from chatwidget.core.signatures import signed_headers


class Job(TypedDict):
    """What the POST of one outbox row needs."""

    event_id: str
    event: str
    body: str
    url: str
    secrets: list[str]  # the current secret, then the one being rotated out (if any)
    auth: tuple[str, str | None] | None


# (status code or None, error text or None, the 2xx answer's body when it was asked for)
Exchange = tuple[int | None, str | None, bytes | None]


def _headers(job: Job, body: bytes) -> dict[str, str]:
    """The delivery headers: event id and type, and this attempt's timestamp with the
    signature(s) over it and the raw body."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "chatwidget-webhooks/1",
        "X-Event-Id": job["event_id"],
        "X-Event-Type": job["event"],
        **signed_headers(job["secrets"], body),
    }


def _deadline(seconds: float) -> AbstractContextManager[object]:
    """A total time limit on the POST where gevent can enforce it (the server).

    requests' timeout bounds each socket wait, not the whole exchange: a receiver that
    trickles bytes could outlive the lease. Outside gevent (tests calling deliver_due
    from a thread) the per-wait timeouts are all there is.
    """
    if monkey.is_module_patched("socket"):
        return gevent.Timeout(seconds)
    return nullcontext()


def _answer(response: requests.Response, limit: int) -> tuple[bytes | None, str | None]:
    """At most limit bytes of a 2xx answer's body; (None, error) when it is longer."""
    body = b""
    for chunk in response.iter_content(8192):
        body += chunk
        if len(body) > limit:
            return None, "answer longer than %d bytes" % limit
    return body, None


def _send(job: Job, timeout: float, limit: int) -> Exchange:
    """The POST itself; returns (status code, error text or None, answer or None)."""
    # No redirects: following one would turn the POST into a GET without the body.
    body = job["body"].encode()  # signed as the very bytes sent
    with requests.post(
        job["url"],
        data=body,
        headers=_headers(job, body),
        # Never a user without a password: both or neither are stored (core/webhooks).
        auth=job["auth"],  # type: ignore[arg-type]
        timeout=timeout,
        allow_redirects=False,
        stream=True,
    ) as response:
        code = response.status_code
        if 200 <= code < 300:
            if not limit:
                return code, None, None
            answer, error = _answer(response, limit)
            return code, error, answer
        # Only the start of the answer: enough for the log, and a huge error page
        # cannot hold the worker.
        head = next(response.iter_content(512), b"").decode("utf-8", "replace")
        return code, "HTTP %s: %s" % (code, head[:200]), None


def exchange(job: Job, timeout: float, answer_limit: int = 0) -> Exchange:
    """Post one event; returns (status code or None, error text or None, answer). The
    answer: the body of a 2xx, read whole within the timeout when answer_limit (bytes)
    is given (a virtual agent's reply), else None; a longer one is an error."""
    deadline = _deadline(timeout)
    try:
        with deadline:
            return _send(job, timeout, answer_limit)
    except requests.RequestException as exc:
        return None, "%s: %s" % (type(exc).__name__, exc), None
    except gevent.Timeout as exc:
        if exc is not deadline:  # someone else's timeout: not ours to swallow
            raise
        return None, "Timeout: no complete answer within %ss" % timeout, None


def post(job: Job, timeout: float) -> tuple[int | None, str | None]:
    """Post one event; returns (status code or None, error text or None)."""
    code, error, _ = exchange(job, timeout)
    return code, error
