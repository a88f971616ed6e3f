"""The console's search of captured calls (GET /api/console/calls), for any agent."""

from typing import Any

from flask.views import MethodView

from chatwidget.api.agent_auth import agent_required
from chatwidget.api.parser import Blueprint
from chatwidget.core import calls_search
from chatwidget.schemas import calls_search as s

blp = Blueprint(
    "calls_search", __name__, url_prefix="/api/console", description="Captured calls (agents)"
)


@blp.route("/calls")
class Calls(MethodView):
    @agent_required(blp)
    @blp.arguments(s.CallsQuerySchema, location="query")
    @blp.response(200, s.CallPageSchema)
    def get(self, query: dict[str, Any]) -> calls_search.CallPage:
        """Search captured calls: text, session id, e-mail, phone, start date range

        Every given filter must match; newest first, paginated on the server (perPage at
        most 100). `q` matches message text in any letter case; a `to` date alone takes
        in that whole day. Each call opens at /calls/<callId>.
        """
        return calls_search.search(query)
