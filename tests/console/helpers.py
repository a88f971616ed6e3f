"""Helpers for the console tests: signing in through the real form, CSRF tokens of pages."""

import re

from sqlalchemy import func, select

from chatwidget.extensions import db
from chatwidget.models import Agent, CannedResponse, Message
from chatwidget.models.types import utcnow
from tests.sockets.helpers import PASSWORD, create_agent

_HIDDEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
WRONG_PAIR = "Wrong e-mail or password."


def form_token(client):
    """The CSRF token of the sign-in form as GET /console renders it."""
    page = client.get("/console").get_data(as_text=True)
    return _HIDDEN.search(page).group(1)


def page_token(client):
    """The CSRF token the signed-in console page puts in its <meta name="csrf-token">."""
    page = client.get("/console").get_data(as_text=True)
    return _META.search(page).group(1)


def sign_in(client, email, password=PASSWORD, token=None, **extra):
    """POST the sign-in form with the page's token (token="" sends none); the response."""
    form = {"email": email, "password": password, **extra}
    form["csrf_token"] = form_token(client) if token is None else token
    if not form["csrf_token"]:
        del form["csrf_token"]
    return client.post("/console/sign-in", data=form)


def signed_in_agent(app, client, name="Alice", skills=("general",), admin=False, **kwargs):
    """A new agent signed in on client through the form.

    Returns (agent id, agent token for its socket, headers with the page's CSRF token)."""
    email = "%s-console@example.com" % name.lower()
    agent_id, token = create_agent(app, name, skills, email=email, **kwargs)
    if admin:
        with app.app_context():
            db.session.get(Agent, agent_id).is_admin = True
            db.session.commit()
    response = sign_in(client, email)
    assert response.status_code == 303, response.get_data(as_text=True)
    return agent_id, token, {"X-CSRFToken": page_token(client)}


def bearer(token):
    return {"Authorization": "Bearer " + token}


def session_cookie(client):
    """The value of the client's session cookie (None without one)."""
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def deactivate(app, agent_id):
    with app.app_context():
        db.session.get(Agent, agent_id).deactivated_at = utcnow()
        db.session.commit()


def count(app, model, *where):
    """How many rows of model (matching where) the database holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def messages_count(app):
    return count(app, Message)


def canned_rows(app):
    """Every canned response as (shortcut, text), by id."""
    with app.app_context():
        rows = db.session.execute(
            select(CannedResponse.shortcut, CannedResponse.text).order_by(CannedResponse.id)
        )
        return [tuple(row) for row in rows]
