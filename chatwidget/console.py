"""The console's server-rendered pages: /console, its sign-in form and sign-out (CONTRACT §6).

Signing in opens a server-side session (core/console_sessions.py) whose random token the
Flask session cookie carries under SESSION_KEY; the cookie lives as long as that session
(PERMANENT_SESSION_LIFETIME = CONSOLE_SESSION_TTL_S). Both forms carry the page's CSRF
token; failed sign-ins are limited per e-mail and per address by core/signin.py, so the
blueprint is exempt from the API's own rate limit, as the other pages are.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError

from chatwidget.api.agent_auth import SESSION_KEY, session_agent
from chatwidget.core import console_sessions, signin
from chatwidget.core.errors import RateLimited
from chatwidget.extensions import csrf, socketio
from chatwidget.sockets import rooms

bp = Blueprint("console_pages", __name__)  # "console" is the console API's blueprint

WRONG_PAIR = "Wrong e-mail or password."
EXPIRED = "The form expired; please sign in again."
TOO_MANY = "Too many failed sign-ins; try again in %d s."


def init_app(app: Flask, limiter: Limiter) -> None:
    """Register the pages; the session cookie lasts as long as a console sign-in."""
    app.permanent_session_lifetime = timedelta(seconds=app.config["CONSOLE_SESSION_TTL_S"])
    app.register_blueprint(bp)
    limiter.exempt(bp)


@bp.after_request
def _no_store(response: Response) -> Response:
    """Pages with a CSRF token or an agent's data are never cached, nor kept by the
    browser's back button after sign-out."""
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(value: object) -> str | None:
    """value when it is a path of this site ("/calls/abc?x=1"), else None: never another
    site's URL, nor a scheme-relative "//host" or "/\\host" a browser would treat as one."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return None
    if value.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in value):
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


def _form(
    status: int = 200,
    alert: str | None = None,
    email: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[str, int, dict[str, str]]:
    """The sign-in page (status, an alert, the e-mail kept, never the password)."""
    page = render_template(
        "console_signin.html",
        alert=alert,
        email=email,
        next=safe_next(request.values.get("next")),
    )
    return page, status, headers or {}


@bp.get("/console")
def console() -> ResponseReturnValue:
    """The console for a signed-in agent; the sign-in form otherwise."""
    agent = session_agent()
    if agent is None:
        return _form()
    return render_template("console.html", agent=agent)


@bp.post("/console/sign-in")
def sign_in() -> ResponseReturnValue:
    """Check the form's CSRF token, then the pair (limited); open a session on success."""
    email = request.form.get("email", "")[:255]
    try:
        csrf.protect()
    except CSRFError:
        return _form(400, EXPIRED, email)
    try:
        agent = signin.sign_in(email, request.form.get("password", ""), request.remote_addr)
    except RateLimited as limited:
        wait = limited.retry_after
        return _form(429, TOO_MANY % wait, email, {"Retry-After": str(wait)})
    if agent is None:
        return _form(401, WRONG_PAIR, email)
    # A new session from scratch: nothing of the signed-out one (its CSRF token included)
    # carries over to the signed-in one.
    session.clear()
    session[SESSION_KEY] = console_sessions.do_open(agent)
    session.permanent = True
    return redirect(safe_next(request.form.get("next")) or "/console", 303)


@bp.post("/console/sign-out")
def sign_out() -> ResponseReturnValue:
    """End this browser's session everywhere (the cookie is worth nothing afterwards)."""
    try:
        csrf.protect()
    except CSRFError:
        page = render_template(
            "message.html", title="Sign-out refused", text=EXPIRED.replace("sign in", "sign out")
        )
        return page, 400
    token = session.get(SESSION_KEY)
    console_sessions.do_close(token)
    session.clear()
    fingerprint = console_sessions.fingerprint(token)
    if fingerprint:  # this browser's other tabs: their consoles go back to the sign-in page
        socketio.emit("signedOut", {}, to=rooms.session_room(fingerprint), namespace="/agent")
    return redirect("/console", 303)
