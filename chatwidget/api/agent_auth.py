"""Who an agent is on a REST call: the console's session cookie or an agent token.

The console's pages call the console and admin APIs with the session cookie; scripts use
`Authorization: Bearer <token from POST /api/agent/token>`. A cookie is sent by the
browser whoever asks, so state-changing requests that rely on it must carry the page's
CSRF token (header `X-CSRFToken`); a bearer token is never sent by a browser on its own
and needs none.
"""

from functools import wraps

from flask import g, request, session

from chatwidget.core import agents, console_sessions
from chatwidget.core.errors import Forbidden, Unauthorized
from chatwidget.extensions import csrf
from chatwidget.schemas.common import ErrorSchema

SESSION_KEY = "console"  # the Flask session's key for the console's session token
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def session_token():
    """This browser's console session token (from the signed cookie), or None."""
    return session.get(SESSION_KEY)


def session_agent():
    """The agent signed in to the console in this browser, or None."""
    return console_sessions.agent_for(session_token())


def _bearer():
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def request_agent():
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


def _guarded(blp, check, forbidden):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.agent = request_agent()
            check(g.agent)
            return view(*args, **kwargs)

        wrapper = blp.doc(security=[{"bearerAuth": []}, {"consoleSession": []}])(wrapper)
        wrapper = blp.alt_response(401, schema=ErrorSchema, description="Not signed in")(wrapper)
        if forbidden:
            wrapper = blp.alt_response(403, schema=ErrorSchema, description=forbidden)(wrapper)
        return blp.rate_limited()(wrapper)

    return decorator


def agent_required(blp):
    """Decorator: the view needs a signed-in agent (session or agent token); g.agent."""
    return _guarded(blp, lambda agent: None, None)


def _admin(agent):
    if not agent.is_admin:
        raise Forbidden("this needs an admin agent (create-agent --admin)")


def admin_required(blp):
    """Decorator: the view needs a signed-in agent with the admin flag; g.agent."""
    return _guarded(blp, _admin, "Not an admin")
