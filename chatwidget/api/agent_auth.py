"""Who an agent is on a REST call: the console's session cookie or an agent token.

The console's pages call the console and admin APIs with the session cookie; scripts use
`Authorization: Bearer <token from POST /api/agent/token>`. A cookie is sent by the
browser whoever asks, so state-changing requests that rely on it must carry the page's
CSRF token (header `X-CSRFToken`); a bearer token is never sent by a browser on its own
and needs none.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import g, request, session

from chatwidget.api.parser import Blueprint, View
from chatwidget.core import agents, console_sessions
from chatwidget.core.errors import Forbidden, Unauthorized
from chatwidget.extensions import csrf
from chatwidget.models import Agent
from chatwidget.schemas.common import ErrorSchema

SESSION_KEY = "console"  # the Flask session's key for the console's session token
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def session_token() -> str | None:
    """This browser's console session token (from the signed cookie), or None."""
    return session.get(SESSION_KEY)


def session_agent() -> Agent | None:
    """The agent signed in to the console in this browser, or None."""
    return console_sessions.do_resume(session_token())


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def request_agent() -> Agent:
    """The agent behind this request; Unauthorized without one, CSRFError (400) for a
    cookie-authenticated state change without the page's token."""
    token = _bearer()
    if token:
        return agents.agent_from_token(token)
    agent = session_agent()
    if agent is None:
        raise Unauthorized("sign in at /console, or send Authorization: Bearer <agent token>")
    if request.method not in _SAFE:
        csrf.protect()
    return agent


def _guarded(
    blp: Blueprint, check: Callable[[Agent], None], forbidden: str | None
) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.agent = request_agent()
            check(g.agent)
            return view(*args, **kwargs)

        guarded = cast(View, wrapper)  # called as the view is (functools.wraps)
        guarded = blp.doc(security=[{"bearerAuth": []}, {"consoleSession": []}])(guarded)
        guarded = blp.alt_response(401, schema=ErrorSchema, description="Not signed in")(guarded)
        if forbidden:
            guarded = blp.alt_response(403, schema=ErrorSchema, description=forbidden)(guarded)
        return blp.rate_limited()(guarded)

    return decorator


def agent_required(blp: Blueprint) -> Callable[[View], View]:
    """Decorator: the view needs a signed-in agent (session or agent token); g.agent."""
    return _guarded(blp, lambda agent: None, None)


def _admin(agent: Agent) -> None:
    if not agent.is_admin:
        raise Forbidden("this needs an admin agent (create-agent --admin)")


def admin_required(blp: Blueprint) -> Callable[[View], View]:
    """Decorator: the view needs a signed-in agent with the admin flag; g.agent."""
    return _guarded(blp, _admin, "Not an admin")
