"""The admin API (/api/admin/*): running the team from the console.

Every route needs a signed-in admin agent: the console's session cookie (with the
page's CSRF token on changes) or an agent bearer token; 401 without one, 403 for an
agent without the admin flag. This module has the agents and queues; api.admin_integrations
(API users, webhooks) and api.admin_dashboard add their routes to the same blueprint.
"""

from typing import Any

from flask import g, session
from flask.views import MethodView

from chatwidget.api.agent_auth import SESSION_KEY, admin_required
from chatwidget.api.parser import Blueprint
from chatwidget.core import queues, team
from chatwidget.schemas import admin as s
from chatwidget.schemas.common import ErrorSchema

# Ids are INTEGER columns: a larger number in a path is no id (404), not a database error.
ID = "int(max=2147483647)"
blp = Blueprint(
    "admin", __name__, url_prefix="/api/admin", description="Running the team (admin agents)"
)


@blp.route("/agents")
class Agents(MethodView):
    @admin_required(blp)
    @blp.response(200, s.AgentListSchema)
    def get(self) -> dict[str, object]:
        """Every agent, active ones first"""
        return {"agents": team.list_agents()}

    @admin_required(blp)
    @blp.arguments(s.AgentCreateSchema)
    @blp.response(201, s.AgentSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Bad field, or a short password")
    @blp.alt_response(409, schema=ErrorSchema, description="The e-mail is taken")
    def post(self, body: dict[str, Any]) -> team.TeamAgent:
        """Create an agent (as `create-agent`): skills, capacity, the admin flag"""
        return team.describe(team.do_create(body))


@blp.route(f"/agents/<{ID}:agent_id>")
class AgentById(MethodView):
    @admin_required(blp)
    @blp.arguments(s.AgentUpdateSchema)
    @blp.response(200, s.AgentSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Bad field, or a short password")
    @blp.alt_response(404, schema=ErrorSchema, description="No such agent")
    @blp.alt_response(
        409, schema=ErrorSchema, description="An admin deactivating or un-admining itself"
    )
    def patch(self, body: dict[str, Any], agent_id: int) -> team.TeamAgent:
        """Change an agent; `active: false` deactivates it

        A deactivated agent's console sessions end, its sockets are disconnected and the
        conversations it held go back to the front of their queues. A new password ends
        the agent's other console sessions.
        """
        agent = team.do_update(g.agent, agent_id, body, keep_token=session.get(SESSION_KEY))
        return team.describe(agent)


@blp.route("/queues")
class Queues(MethodView):
    @admin_required(blp)
    @blp.response(200, s.QueueListSchema)
    def get(self) -> dict[str, object]:
        """Every queue with how many agents serve it and how many wait in it"""
        return {"queues": team.list_queues()}

    @admin_required(blp)
    @blp.arguments(s.QueueCreateSchema)
    @blp.response(201, s.QueueCreatedSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="The name is taken")
    def post(self, body: dict[str, Any]) -> team.TeamQueue:
        """Create a queue (as `create-queue`): a skill group and a CCAI menu at once

        With a virtualAgentUrl the answer carries the secret that signs the calls to
        the virtual agent; it is never shown again.
        """
        queue = queues.do_create_queue(body["name"], body.get("virtualAgentUrl"))
        return team.describe_new_queue(queue)
