"""The console's REST API (/api/console/*): who I am, whom to transfer to, the customer
panel, canned responses and offline messages.

Every route takes the console's session cookie (with X-CSRFToken on changes) or an agent
token (`Authorization: Bearer`, from POST /api/agent/token): api/agent_auth.py.
"""

from collections.abc import Callable
from typing import Any

from flask import g
from flask.views import MethodView

from chatwidget.api.agent_auth import agent_required
from chatwidget.api.parser import Blueprint, View
from chatwidget.core import canned, customer_panel, offline, roster
from chatwidget.schemas import console as s
from chatwidget.schemas.common import ErrorSchema

blp = Blueprint("console", __name__, description="The agent console")


def _not_found(description: str) -> Callable[[View], View]:
    return blp.alt_response(404, schema=ErrorSchema, description=description)


def _csrf_refused(view: View) -> View:
    """A change without a body is still refused with the session cookie and no X-CSRFToken."""
    return blp.alt_response(400, schema=ErrorSchema, description="CSRF token missing or invalid")(
        view
    )


@blp.route("/api/console/me")
class Me(MethodView):
    @agent_required(blp)
    @blp.response(200, s.MeSchema)
    def get(self) -> roster.Me:
        """The signed-in agent: name, admin flag, status, capacity, queues"""
        return roster.me(g.agent)


@blp.route("/api/console/queues")
class Queues(MethodView):
    @agent_required(blp)
    @blp.response(200, s.QueuesSchema)
    def get(self) -> dict[str, object]:
        """Every queue (the targets of a transfer)"""
        return {"queues": roster.queues()}


@blp.route("/api/console/agents")
class Agents(MethodView):
    @agent_required(blp)
    @blp.response(200, s.TeamSchema)
    def get(self) -> dict[str, object]:
        """The other active agents with status and load (the targets of a transfer)"""
        return {"agents": roster.transfer_agents(g.agent)}


@blp.route("/api/console/conversations/<conversation_id>/customer")
class CustomerPanel(MethodView):
    @agent_required(blp)
    @blp.response(200, s.CustomerPanelSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Not a conversation you may read")
    @_not_found("Unknown conversation")
    def get(self, conversation_id: str) -> customer_panel.Panel:
        """The customer panel: contact, page URL, rating, earlier conversations

        For a conversation you are or were in, or that waits in one of your queues.
        """
        return customer_panel.panel(g.agent, conversation_id)


@blp.route("/api/console/canned")
class CannedList(MethodView):
    @agent_required(blp)
    @blp.response(200, s.CannedListSchema)
    def get(self) -> dict[str, object]:
        """The team's canned responses, by shortcut"""
        return {"canned": canned.listing()}

    @agent_required(blp)
    @blp.arguments(s.CannedCreateSchema)
    @blp.response(201, s.CannedSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Shortcut taken")
    def post(self, body: dict[str, Any]) -> canned.Canned:
        """Add a canned response (shortcut unique, lower-cased)"""
        return canned.do_create(g.agent, body["shortcut"], body["text"])


@blp.route("/api/console/canned/<int:item_id>")
class CannedItem(MethodView):
    @agent_required(blp)
    @blp.arguments(s.CannedUpdateSchema)
    @blp.response(200, s.CannedSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Shortcut taken")
    @_not_found("Unknown canned response")
    def patch(self, body: dict[str, Any], item_id: int) -> canned.Canned:
        """Change a canned response's shortcut or text"""
        return canned.do_update(item_id, body.get("shortcut"), body.get("text"))

    @agent_required(blp)
    @blp.response(204)
    @_csrf_refused
    @_not_found("Unknown canned response")
    def delete(self, item_id: int) -> None:
        """Remove a canned response"""
        canned.do_delete(item_id)


@blp.route("/api/console/offline")
class OfflineList(MethodView):
    @agent_required(blp)
    @blp.arguments(s.OfflineQuerySchema, location="query")
    @blp.response(200, s.OfflineListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, object]:
        """Offline messages of your queues (an admin's: all), oldest first"""
        return {"offline": offline.listing(g.agent, query["status"])}


def _offline_errors(view: View) -> View:
    """The refusals of both actions on an offline message, documented."""
    view = blp.alt_response(403, schema=ErrorSchema, description="Not one of your queues")(view)
    return _not_found("No such offline message")(view)


@blp.route("/api/console/offline/<conversation_id>/reply")
class OfflineReply(MethodView):
    @agent_required(blp)
    @blp.arguments(s.OfflineReplyRequestSchema)
    @blp.response(200, s.OfflineItemSchema)
    @blp.alt_response(503, schema=ErrorSchema, description="The e-mail could not be sent")
    @_offline_errors
    def post(self, body: dict[str, Any], conversation_id: str) -> offline.OfflineItem:
        """Answer an offline message by e-mail; stored as your message, marked done

        The e-mail goes first (SMTP_*); when it cannot be sent, 503 and nothing is stored.
        """
        return offline.do_reply(g.agent, conversation_id, body["text"])


@blp.route("/api/console/offline/<conversation_id>/done")
class OfflineDone(MethodView):
    @agent_required(blp)
    @blp.response(200, s.OfflineItemSchema)
    @_csrf_refused
    @_offline_errors
    def post(self, conversation_id: str) -> offline.OfflineItem:
        """Mark an offline message done (idempotent)"""
        return offline.do_done(g.agent, conversation_id)
