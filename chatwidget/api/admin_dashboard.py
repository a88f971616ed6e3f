"""The admin dashboard's numbers (/api/admin/dashboard), counted in SQL."""

from typing import Any

from flask.views import MethodView

from chatwidget.api.admin import blp
from chatwidget.api.agent_auth import admin_required
from chatwidget.core import dashboard
from chatwidget.schemas import admin_webhooks as w


@blp.route("/dashboard")
class Dashboard(MethodView):
    @admin_required(blp)
    @blp.arguments(w.DashboardQuerySchema, location="query")
    @blp.response(200, w.DashboardSchema)
    def get(self, query: dict[str, Any]) -> dashboard.Summary:
        """The last `days` days (1-31): chats per hour, first response, wait, ratings

        Every hour of the window is listed, zeros included, the current hour last.
        First response: from entering the queue (or creation) to an agent's first message;
        wait: from entering the queue to being assigned; percentiles interpolate linearly.
        """
        return dashboard.summary(query["days"])
