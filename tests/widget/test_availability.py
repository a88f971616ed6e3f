"""GET /api/customer/availability (CONTRACT §6): can someone answer, and how many wait."""

from datetime import timedelta

from sqlalchemy import update

from chatwidget.extensions import db
from chatwidget.models import Agent
from chatwidget.models.types import utcnow
from tests.sockets.helpers import AGENT_NS, create_agent, create_queue, online_agent, start


def availability(app, subject=None):
    query = {"subject": subject} if subject is not None else {}
    answer = app.test_client().get("/api/customer/availability", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_nobody_is_available_before_any_agent(app):
    create_queue(app, "billing")
    assert availability(app) == {"available": False, "waiting": 0}
    assert availability(app, "billing") == {"available": False, "waiting": 0}


def test_an_available_agent_with_the_skill_makes_the_queue_available(app):
    create_queue(app, "billing")
    online_agent(app, "Ann", skills=("general",))
    assert availability(app) == {"available": True, "waiting": 0}
    assert availability(app, "no-such-queue") == {"available": True, "waiting": 0}
    assert availability(app, "billing")["available"] is False  # nobody has that skill


def test_away_or_full_agents_leave_the_queue_unavailable_and_waiting_counts(app):
    _, agent = online_agent(app, "Ann", max_chats=1)
    start(app)  # takes Ann's only slot
    assert availability(app) == {"available": False, "waiting": 0}
    start(app)
    assert availability(app) == {"available": False, "waiting": 1}
    agent.emit("setStatus", {"status": "away"}, namespace=AGENT_NS, callback=True)
    create_agent(app, "Bob")  # never connected: offline
    assert availability(app)["available"] is False


def test_an_agent_within_its_grace_period_still_counts_until_it_runs_out(app):
    agent_id, agent = online_agent(app, "Ann")
    agent.disconnect(AGENT_NS)
    assert availability(app)["available"] is True  # back soon: routed to on reconnect
    with app.app_context():
        past = utcnow() - timedelta(seconds=app.config["AGENT_GRACE_S"] + 1)
        db.session.execute(update(Agent).where(Agent.id == agent_id).values(disconnected_at=past))
        db.session.commit()
    assert availability(app)["available"] is False


def test_a_bad_subject_is_400(sqlite_app):
    answer = sqlite_app.test_client().get("/api/customer/availability?subject=" + "s" * 101)
    assert answer.status_code == 400
    assert "subject" in answer.get_json()["errors"]
