"""Attachments and the media store: uploads, signed links, the S3-style POST form."""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, NoReturn, TypeVar

import flask
from flask import Response, current_app, g, jsonify, request, send_file
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from marshmallow import Schema, ValidationError
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from chatwidget.api.agent_auth import request_agent
from chatwidget.api.parser import Blueprint, Parser, View
from chatwidget.core import attachments, media, presigned
from chatwidget.models import Agent
from chatwidget.schemas import media as s
from chatwidget.schemas.common import ErrorSchema

R = TypeVar("R")

# Room for the multipart framing and the form's other fields around the file itself.
FORM_OVERHEAD = 64 * 1024
INLINE = ("image/", "video/", "audio/", "text/plain")


class MultipartParser(Parser):
    """The project's parser plus `multipart`: form fields and files in one schema."""

    __location_map__ = {**Parser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: flask.Request, schema: Schema) -> MultiDictProxy:
        fields: CombinedMultiDict[str, Any] = CombinedMultiDict([req.files, req.form])
        return MultiDictProxy(fields, schema, known_multi_fields=tuple(self.KNOWN_MULTI_FIELDS))

    def handle_error(
        self,
        error: ValidationError,
        req: flask.Request,
        schema: Schema,
        *,
        error_status_code: int | None,
        error_headers: Mapping[str, str] | None,
    ) -> NoReturn:
        """Errors name the fields, not the location (as for JSON bodies)."""
        if isinstance(error.messages, dict) and list(error.messages) == ["multipart"]:
            error = ValidationError(error.messages["multipart"])
        super().handle_error(
            error, req, schema, error_status_code=error_status_code, error_headers=error_headers
        )


class MediaBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def upload(self, schema: type[Schema]) -> Callable[[View], View]:
        """@arguments for a multipart form, documenting 413 and 415."""

        def decorator(func: View) -> View:
            func = self.arguments(schema, location="multipart")(func)
            func = self.alt_response(413, schema=ErrorSchema, description="File too large")(func)
            return self.alt_response(415, schema=ErrorSchema, description="Type not accepted")(func)

        return decorator


blp = MediaBlueprint("media", __name__, description="Attachments and the media store")


@blp.before_request
def _upload_limit() -> None:
    """Uploads may be MAX_UPLOAD_MB (not MAX_BODY_MB) plus the form around the file."""
    g.body_limit_mb = current_app.config["MAX_UPLOAD_MB"]
    request.max_content_length = media.max_bytes() + FORM_OVERHEAD


def any_agent(view: Callable[..., R]) -> Callable[..., R]:
    """The view needs an agent: a token from POST /api/agent/token, or the console's
    session (with X-CSRFToken); passes the agent. Checked before the upload is read."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        return view(*args, request_agent(), **kwargs)

    wrapper = blp.doc(security=[{"bearerAuth": []}, {"consoleSession": []}])(wrapper)
    unsigned = "Not signed in: no console session, no agent token"
    return blp.alt_response(401, schema=ErrorSchema, description=unsigned)(wrapper)


@blp.route("/api/customer/attachments")
class CustomerAttachments(MethodView):
    @blp.upload(s.CustomerUploadSchema)
    @blp.response(201, s.AttachmentSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Unknown conversation or participant")
    @blp.alt_response(409, schema=ErrorSchema, description="The conversation has ended")
    @blp.rate_limited()
    def post(self, form: dict[str, Any]) -> dict[str, object]:
        """Attach a file as the customer; send its mediaId in a sendMessage"""
        return attachments.do_customer_upload(
            form["conversationId"], form["participantId"], form["file"]
        )


@blp.route("/api/agent/attachments")
class AgentAttachments(MethodView):
    @any_agent
    @blp.upload(s.AgentUploadSchema)
    @blp.response(201, s.AttachmentSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Not assigned to this agent")
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown conversation")
    @blp.rate_limited()
    def post(self, agent: Agent, form: dict[str, Any]) -> dict[str, object]:
        """Attach a file as an agent to a conversation assigned to you"""
        return attachments.do_agent_upload(agent, form["conversationId"], form["file"])


@blp.route("/media/upload")
class PolicyUpload(MethodView):
    @blp.upload(s.PolicyUploadSchema)
    @blp.response(204, description="Stored (as S3 answers)")
    @blp.alt_response(201, schema=s.UploadedSchema, description="Stored (success_action_status)")
    @blp.alt_response(403, schema=ErrorSchema, description="Policy refused or expired")
    @blp.rate_limited()
    def post(self, form: dict[str, Any]) -> ResponseReturnValue:
        """Upload a file with a pre-signed POST-policy form (S3 style)"""
        key, status = presigned.store_policy_upload(form, form.get("file"))
        if status == 204:
            return current_app.response_class(status=204)
        return jsonify(key=key), status


@blp.route("/media/<path:key>")
class MediaFile(MethodView):
    @blp.arguments(s.MediaLinkSchema, location="query")
    @blp.response(200, description="The file's bytes", content_type="application/octet-stream")
    @blp.alt_response(403, schema=ErrorSchema, description="Tampered or expired link")
    @blp.alt_response(404, schema=ErrorSchema, description="No such media")
    @blp.rate_limited()
    def get(self, link: dict[str, Any], key: str) -> Response:
        """Download a file through a signed link"""
        content_type = link.get("type") or ""
        path = media.check_download(key, link.get("expires"), link.get("signature"), content_type)
        inline = content_type.startswith(INLINE)
        response = send_file(
            path,
            mimetype=content_type or "application/octet-stream",
            as_attachment=not inline,
            download_name=key.rsplit("/", 1)[-1],
            conditional=True,
            max_age=0,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, max-age=300"
        return response
