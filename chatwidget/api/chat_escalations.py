"""Chats API: escalations from the virtual agent to humans, and deflection channels."""

from typing import Any

from flask.views import MethodView

from chatwidget.api.chats import CHAT, blp
from chatwidget.api.chats_auth import apps_api
from chatwidget.core import chats, escalations
from chatwidget.schemas import chats as s
from chatwidget.schemas.common import ErrorSchema


@blp.route(CHAT + "/escalations")
class Escalations(MethodView):
    @apps_api(blp)
    @blp.arguments(s.EscalateSchema)
    @blp.response(200, s.EscalationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def post(self, args: dict[str, Any], chat_id: int) -> escalations.EscalationView:
        """Escalate a chat from its virtual agent to the human queue of its menu"""
        conversation = chats.get_chat(chat_id)
        escalation = escalations.do_escalate(conversation, args["reason"], args["force_escalate"])
        return escalations.view(escalation, conversation)


@blp.route(CHAT + "/escalations/<int(max=2147483647):escalation_id>")
class EscalationById(MethodView):
    @apps_api(blp)
    @blp.arguments(s.DeflectSchema)
    @blp.response(200, s.EscalationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat or escalation")
    def patch(
        self, args: dict[str, Any], chat_id: int, escalation_id: int
    ) -> escalations.EscalationView:
        """Record the deflection channel the customer chose while waiting"""
        conversation = chats.get_chat(chat_id)
        escalation = escalations.find(conversation, escalation_id)
        escalations.do_deflect(conversation, escalation, args["deflection_channel"])
        return escalations.view(escalation, conversation)
