"""Customer channel REST (seed 002) and the agent token."""

from typing import Any

from flask import g, request
from flask.views import MethodView

from chatwidget.api.auth import bearer
from chatwidget.api.parser import Blueprint
from chatwidget.core import agents, connector_outbox, conversations, signin
from chatwidget.core.errors import NotFound, Unauthorized
from chatwidget.schemas import channel as s
from chatwidget.schemas.common import ErrorSchema

blp = Blueprint("channel", __name__, description="Customer channel and agent sign-in")


@blp.route("/api/customer/init")
class CustomerInit(MethodView):
    @blp.arguments(s.InitRequestSchema)
    @blp.response(200, s.InitResponseSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Identity proof refused")
    @blp.alt_response(503, schema=ErrorSchema, description="Store unavailable")
    @blp.rate_limited()
    def post(self, data: dict[str, Any]) -> dict[str, object]:
        """Open a conversation for a customer; join it over Socket.IO

        identityToken (a JWT, HS256 with COMPANY_SECRET, `sub` and `exp` required) or
        identifier + identifierHash make it the conversation of that end user; a bad
        signature, an expired token or a wrong hash is 401 and opens nothing.
        """
        conversation, customer = conversations.do_init(data)
        return {
            "conversationId": conversation.conversation_id,
            "participant": {"id": customer.participant_id, "name": customer.name},
            "requestId": conversation.request_id,
            "timestamp": conversations.now_iso(),
        }


@blp.route("/api/agent/token")
class AgentToken(MethodView):
    @blp.arguments(s.AgentLoginSchema)
    @blp.response(200, s.AgentTokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Wrong e-mail or password")
    @blp.rate_limited()
    def post(self, login: dict[str, Any]) -> dict[str, object]:
        """Exchange an agent's e-mail and password for a token

        Failed attempts are limited per e-mail and per client address (429, also for the
        right password, until the window has passed).
        """
        agent = signin.sign_in(login["email"], login["password"], request.remote_addr)
        if agent is None:
            raise Unauthorized("wrong e-mail or password")
        token, ttl = agents.issue_token(agent)
        return {"token": token, "expiresIn": ttl}


@blp.route("/api/connectors/<channel>/messages")
class ConnectorMessages(MethodView):
    @bearer(blp, "connector")
    @blp.arguments(s.ConnectorMessageSchema)
    @blp.response(200, s.ConnectorMessageSentSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown channel")
    def post(self, body: dict[str, Any], channel: str) -> dict[str, object]:
        """Send a message through a channel's connector (e.g. a campaign SMS to refId)

        It is kept until a connector of the channel acknowledges it: delivered at once
        when one is registered, else in order when one registers.
        """
        if channel not in conversations.CHANNELS:
            raise NotFound(
                "no channel %s; channels are %s" % (channel, ", ".join(conversations.CHANNELS))
            )
        sender = {"id": g.api_user.client_id, "name": g.api_user.name, "role": "system"}
        return connector_outbox.do_send_outbound(channel, body["refId"], body["text"], sender)
