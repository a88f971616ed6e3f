"""Transcripts of ended conversations (seed 002 "Request Transcript", CONTRACT §4)."""

from collections.abc import Mapping
from typing import Any

from flask import Response, request, send_file
from flask.views import MethodView

from chatwidget.api.agent_auth import session_agent
from chatwidget.api.parser import Blueprint, View
from chatwidget.core import transcript_access, transcripts
from chatwidget.models import Conversation
from chatwidget.schemas.common import ErrorSchema
from chatwidget.schemas.transcripts import TranscriptQuerySchema

blp = Blueprint("transcripts", __name__, description="Transcripts of ended conversations")

_LINK_HEADER = {
    "X-Transcript-Url": {
        "description": "A signed link to this PDF that needs no participantId; it expires "
        "after TRANSCRIPT_LINK_TTL_S (7 days by default)",
        "schema": {"type": "string", "format": "uri"},
    }
}
_PDF = {"type": "string", "format": "binary"}
_BUSY = (
    "Every transcript worker is busy (TRANSCRIPT_WORKERS), or the render failed or took "
    "longer than TRANSCRIPT_RENDER_TIMEOUT_S: try again after Retry-After"
)
_RETRY = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def _reader(conversation_id: str, query: Mapping[str, Any]) -> Conversation:
    """The ended conversation the caller may read: staff, link holder or its customer."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" else None
    agent = session_agent()
    staff = transcript_access.is_staff(bearer, agent.id if agent else None)
    return transcript_access.check_reader(
        conversation_id, staff, query.get("participantId"), query.get("token")
    )


def documented(view: View) -> View:
    """The answers both routes share: 401, 403, 404, 429, 503."""
    view = blp.alt_response(401, schema=ErrorSchema, description="Invalid or expired token")(view)
    view = blp.alt_response(503, schema=ErrorSchema, description=_BUSY, headers=_RETRY)(view)
    view = blp.alt_response(403, schema=ErrorSchema, description="API user lacks admin")(view)
    view = blp.alt_response(
        404, schema=ErrorSchema, description="Unknown or ongoing conversation, or wrong id"
    )(view)
    view = blp.rate_limited()(view)
    return blp.doc(security=[{}, {"bearerAuth": []}])(view)


@blp.route("/api/customer/transcript/<conversation_id>/pdf")
class TranscriptPdf(MethodView):
    @blp.arguments(TranscriptQuerySchema, location="query")
    @blp.response(200, _PDF, content_type="application/pdf", headers=_LINK_HEADER)
    @documented
    def get(self, query: dict[str, Any], conversation_id: str) -> Response:
        """Download the transcript of an ended conversation as a PDF

        Always `Content-Disposition: attachment`: a browser saves it, even from a link on
        another origin (the widget's "Download transcript"), where `download` is ignored.
        """
        conversation = _reader(conversation_id, query)
        response = send_file(
            transcripts.pdf_path(conversation),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=transcripts.pdf_name(conversation),
        )
        response.headers["X-Transcript-Url"] = transcript_access.link_for(conversation)
        response.cache_control.private = True  # personal data: no shared cache keeps it
        return response


@blp.route("/api/customer/transcript/<conversation_id>/email")
class TranscriptEmail(MethodView):
    @blp.arguments(TranscriptQuerySchema, location="query")
    @blp.response(200, description="Sent: empty body", headers=_LINK_HEADER)
    @blp.alt_response(400, schema=ErrorSchema, description="No e-mail address on file")
    @documented
    def get(self, query: dict[str, Any], conversation_id: str) -> Response:
        """Mail the transcript PDF to the customer's e-mail address

        The e-mail also carries the signed link of X-Transcript-Url. A 503 is also
        the SMTP server refusing or being down.
        """
        conversation = _reader(conversation_id, query)
        transcripts.send_transcript_email(conversation)
        headers = {"X-Transcript-Url": transcript_access.link_for(conversation)}
        return Response(b"", status=200, headers=headers, content_type="text/plain")
