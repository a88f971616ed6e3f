"""Helpers for the admin API tests: admin and plain agents, console sessions."""

from itsdangerous import URLSafeTimedSerializer

from chatwidget.api.agent_auth import SESSION_KEY
from chatwidget.extensions import db
from chatwidget.models import Agent
from tests.sockets.helpers import create_agent


def agent_headers(app, name="Admin", admin=True, skills=("general",)):
    """(agent id, token, bearer headers) of a new agent, an admin unless admin=False."""
    agent_id, token = create_agent(app, name, skills)
    with app.app_context():
        db.session.get(Agent, agent_id).is_admin = admin
        db.session.commit()
    return agent_id, token, {"Authorization": "Bearer " + token}


def sign_in(app, client, agent_id):
    """Put a console session of the agent in client's cookie; returns the CSRF header
    a console page would send (X-CSRFToken, as Flask-WTF makes and checks it)."""
    from chatwidget.core import console_sessions

    with app.app_context():
        token = console_sessions.do_open(db.session.get(Agent, agent_id))
    raw = "csrf-" + token[:16]
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
        session["csrf_token"] = raw
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return {"X-CSRFToken": signed}
