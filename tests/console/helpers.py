"""Helpers for the console tests: signing in through the real form, CSRF tokens of pages."""

import re

from tests.sockets.helpers import PASSWORD, create_agent

_HIDDEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def form_token(client):
    """The CSRF token of the sign-in form as GET /console renders it."""
    page = client.get("/console").get_data(as_text=True)
    return _HIDDEN.search(page).group(1)


def page_token(client):
    """The CSRF token the signed-in console page puts in its <meta name="csrf-token">."""
    page = client.get("/console").get_data(as_text=True)
    return _META.search(page).group(1)


def sign_in(client, email, password=PASSWORD, token=None, **extra):
    """POST the sign-in form with the page's token (unless token is given); the response."""
    form = {"email": email, "password": password, **extra}
    form["csrf_token"] = form_token(client) if token is None else token
    if form["csrf_token"] == "":
        del form["csrf_token"]
    return client.post("/console/sign-in", data=form)


def signed_in_agent(app, client, name="Alice", skills=("general",), **kwargs):
    """A new agent signed in on client through the form; returns (agent id, CSRF headers)."""
    email = "%s-console@example.com" % name.lower()
    agent_id, _ = create_agent(app, name, skills, email=email, **kwargs)
    response = sign_in(client, email)
    assert response.status_code == 303, response.get_data(as_text=True)
    return agent_id, {"X-CSRFToken": page_token(client)}
