"""The customer channel routes the widget adds (CONTRACT §6): availability, rating,
offline messages, an identified visitor's conversations."""

from typing import Any

from flask import request
from flask.views import MethodView

from chatwidget.api.parser import Blueprint, View
from chatwidget.core import end_users, widget
from chatwidget.core.errors import Unauthorized
from chatwidget.schemas import widget as s
from chatwidget.schemas.common import ErrorSchema

blp = Blueprint("widget", __name__, description="What the widget asks besides the chat")


def _other_origin(view: View) -> View:
    """Documents the 403 chatwidget.cors answers a page of a site WIDGET_ORIGINS lacks."""
    doc = blp.alt_response(403, schema=ErrorSchema, description="Origin not in WIDGET_ORIGINS")
    return doc(view)


@blp.route("/api/customer/availability")
class Availability(MethodView):
    @blp.arguments(s.AvailabilityQuerySchema, location="query")
    @blp.response(200, s.AvailabilitySchema)
    @blp.rate_limited()
    @_other_origin
    def get(self, query: dict[str, Any]) -> widget.Availability:
        """Whether an agent of the subject's queue can answer, and how many wait in it"""
        return widget.availability(query.get("subject"))


@blp.route("/api/customer/conversations/<conversation_id>/rating")
class Rating(MethodView):
    @blp.arguments(s.RatingRequestSchema)
    @blp.response(200, s.RatingSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown conversation or wrong id")
    @blp.alt_response(409, schema=ErrorSchema, description="Not ended yet, or already rated")
    @blp.rate_limited()
    @_other_origin
    def post(self, body: dict[str, Any], conversation_id: str) -> dict[str, object]:
        """Rate an ended conversation from 1 to 5, with a comment; once

        Stored with the conversation and set in its call's Metadata as CustomerRating
        (a string) and CustomerComment.
        """
        comment = body.get("comment")
        widget.do_rate(conversation_id, body["participantId"], body["rating"], comment)
        return {
            "conversationId": conversation_id,
            "rating": body["rating"],
            "comment": (comment or "").strip() or None,
        }


@blp.route("/api/customer/offline")
class Offline(MethodView):
    @blp.arguments(s.OfflineRequestSchema)
    @blp.response(200, s.OfflineResponseSchema)
    @blp.rate_limited()
    @_other_origin
    def post(self, body: dict[str, Any]) -> dict[str, object]:
        """Leave a message when nobody can answer; agents answer it by e-mail"""
        return {"conversationId": widget.do_offline(body).conversation_id}


def _identity_token() -> str:
    """The JWT of `Authorization: Bearer <identity token>`; Unauthorized without one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("send Authorization: Bearer <identity token>")
    return value.strip()


@blp.route("/api/customer/conversations")
class EndUserConversations(MethodView):
    @blp.arguments(s.EndUserConversationsQuerySchema, location="query")
    @blp.response(200, s.EndUserConversationsSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing, invalid or expired token")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.rate_limited()
    @_other_origin
    def get(self, query: dict[str, Any]) -> dict[str, object]:
        """An identified visitor's conversations, newest first

        Authorization: Bearer <identity token>, the JWT the widget's identify() was given.
        """
        found = end_users.conversations_of(_identity_token(), query["limit"])
        return {"conversations": found}
