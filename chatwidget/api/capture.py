"""Chat capture REST API (seed 000: Creovai/Tethr compatible)."""

from typing import Any

from flask.views import MethodView

from chatwidget.api.auth import bearer
from chatwidget.api.parser import Blueprint
from chatwidget.core import call_lookup, call_metadata, capture, customer_purge, purge, share
from chatwidget.schemas import capture as s
from chatwidget.schemas.common import ErrorSchema, MessageSchema

blp = Blueprint("capture", __name__, description="Chat capture, status, metadata, purge, share")


@blp.route("/chatCapture/v1")
class ChatCapture(MethodView):
    @bearer(blp, "chat_capture")
    @blp.arguments(s.ChatCallSchema)
    @blp.response(200, s.CallIdSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="SessionId already captured")
    def post(self, chat: dict[str, Any]) -> dict[str, object]:
        """Upload a finished chat; answers its callId"""
        return {"callId": capture.do_ingest(chat)}


@blp.route("/callCapture/v1/status")
class CallStatus(MethodView):
    @bearer(blp, "chat_capture")
    @blp.arguments(s.StatusRequestSchema)
    @blp.response(200, s.StatusResponseSchema)
    def post(self, args: dict[str, Any]) -> dict[str, object]:
        """Look up calls by session id"""
        return {"callSessions": call_lookup.session_status(args["CallSessionIds"])}


@blp.route("/callEvent/v1/outofband/event")
class SessionEvent(MethodView):
    @bearer(blp, "async_metadata")
    @blp.arguments(s.OutOfBandEventSchema)
    @blp.response(200, MessageSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No call with that SessionId")
    def post(self, event: dict[str, Any]) -> dict[str, object]:
        """Merge late metadata into one session's call"""
        call_metadata.do_session_metadata(event["SessionId"], event["EventTime"], event["Metadata"])
        return {"message": "metadata merged"}


@blp.route("/callEvent/v1/outofband/mastercall")
class MasterCallEvent(MethodView):
    @bearer(blp, "async_metadata")
    @blp.arguments(s.MasterCallEventSchema)
    @blp.response(200, MessageSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No call with that masterCallId")
    def post(self, event: dict[str, Any]) -> dict[str, object]:
        """Merge late metadata into every call of a master call"""
        calls = call_metadata.do_master_metadata(
            event["masterCallId"], event["eventTime"], event["metadata"]
        )
        return {"message": "metadata merged into %d calls" % len(calls)}


@blp.route("/purge/v1/calls")
class PurgeCalls(MethodView):
    @bearer(blp, "purge")
    @blp.arguments(s.PurgeIdsSchema)
    @blp.response(200, s.PurgeResponseSchema)
    def post(self, args: dict[str, Any]) -> dict[str, object]:
        """Purge calls by callId (up to 100)"""
        return {"items": purge.do_purge(args["ids"], by="callId")}


@blp.route("/purge/v1/calls/sessions")
class PurgeSessions(MethodView):
    @bearer(blp, "purge")
    @blp.arguments(s.PurgeIdsSchema)
    @blp.response(200, s.PurgeResponseSchema)
    def post(self, args: dict[str, Any]) -> dict[str, object]:
        """Purge calls by session id (up to 100)"""
        return {"items": purge.do_purge(args["ids"], by="sessionId")}


@blp.route("/purge/v1/calls/customer")
class PurgeCustomer(MethodView):
    @bearer(blp, "purge")
    @blp.arguments(s.WhatIfSchema, location="query")
    @blp.arguments(s.PurgeCustomerSchema)
    @blp.response(200, s.PurgeResponseSchema)
    def post(self, query: dict[str, Any], args: dict[str, Any]) -> dict[str, object]:
        """Purge every call of a customer (by phone or e-mail); whatIf=true only lists"""
        items = customer_purge.do_purge_customer(
            email=args.get("email"), phone=args.get("phoneNumber"), what_if=query["whatIf"]
        )
        return {"items": items}


@blp.route("/callshare/v1/token")
class CallShare(MethodView):
    @bearer(blp, "call_share")
    @blp.arguments(s.ShareRequestSchema)
    @blp.response(200, s.ShareResponseSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such call")
    def post(self, args: dict[str, Any]) -> share.ShareLink:
        """A read-only link to a call, valid 8 hours"""
        return share.share_link(args["callId"], args["email"])
