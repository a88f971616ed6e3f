"""Pages for people and the health probe."""

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from chatwidget.api.agent_auth import session_agent
from chatwidget.api.openapi import Api
from chatwidget.core import call_lookup, call_transcripts
from chatwidget.core.errors import CoreError, Unauthorized
from chatwidget.core.share import check_share_token
from chatwidget.extensions import db
from chatwidget.models import Call
from chatwidget.schemas.common import parse_utc

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: 200 once the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means not ready
        current_app.logger.warning("health check failed: %s", exc)
        return jsonify(status="unavailable", message="database unreachable"), 503
    return jsonify(status="ok")


_HEALTH = {
    "type": "object",
    "properties": {"status": {"type": "string"}, "message": {"type": "string"}},
    "required": ["status"],
}


_PDF = {"type": "string", "format": "binary"}


def document(app: Flask, api: Api) -> None:
    """Put /healthz in the OpenAPI document: it is a page's route, not an API blueprint's."""
    (rule,) = app.url_map.iter_rules("web.healthz")
    api.spec.path(
        rule=rule,
        operations={
            "get": {
                "summary": "Liveness: 200 once the database answers",
                "tags": ["health"],
                "responses": {
                    "200": {
                        "description": '`{"status": "ok"}`',
                        "content": {"application/json": {"schema": _HEALTH}},
                    },
                    "503": {
                        "description": "The database does not answer",
                        "content": {"application/json": {"schema": _HEALTH}},
                    },
                },
            }
        },
    )
    _document_call_pdf(app, api)


def _document_call_pdf(app: Flask, api: Api) -> None:
    """The call transcript download: a page route too (its errors are HTML pages)."""
    (rule,) = app.url_map.iter_rules("web.call_transcript")
    page = {"text/html": {"schema": {"type": "string"}}}
    call_id = {"in": "path", "name": "call_id", "required": True, "schema": {"type": "string"}}
    api.spec.path(
        rule=rule,
        parameters=[call_id],
        operations={
            "get": {
                "summary": "A captured call's transcript as a PDF download (signed-in agents)",
                "description": "The chats of the call's MasterCallId, with the console's "
                "session cookie; always `Content-Disposition: attachment`.",
                "tags": ["calls"],
                "security": [{"consoleSession": []}],
                "responses": {
                    "200": {
                        "description": "The PDF",
                        "content": {"application/pdf": {"schema": _PDF}},
                    },
                    "401": {"description": "Not signed in to the console", "content": page},
                    "404": {"description": "No such call", "content": page},
                    "503": {"description": "Every transcript worker is busy", "content": page},
                },
            }
        },
    )


def _messages(call: Call) -> list[dict[str, Any]]:
    """Every message of a call with its contact, in time order (by instant, not by text)."""
    rows = []
    for index, contact in enumerate(call.contacts):
        name = " ".join(p for p in (contact.get("FirstName"), contact.get("LastName")) if p)
        for message in contact.get("Messages", []):
            rows.append(
                {
                    "who": name or contact.get("ReferenceId") or contact.get("Type"),
                    "type": contact.get("Type"),
                    "contact": index,
                    "text": message["Content"],
                    "at": message["UtcTimestamp"],
                }
            )
    return sorted(rows, key=lambda r: parse_utc(r["at"]))


def _unavailable(error: CoreError) -> tuple[str, int]:
    page = render_template("message.html", title="Call unavailable", text=error.message)
    return page, error.status


@bp.get("/calls/<call_id>")
def call_page(call_id: str) -> ResponseReturnValue:
    """A call as a read-only conversation: for a signed-in console agent, or a share
    link's holder."""
    agent = session_agent()
    try:
        if agent is None:
            check_share_token(call_id, request.args.get("token"))
        call = call_lookup.get_call(call_id)
    except CoreError as error:
        return _unavailable(error)
    calls = call_lookup.master_calls(call)
    response = current_app.make_response(
        render_template(
            "call.html",
            call=call,
            agent=agent,
            related=[c for c in calls if c.id != call.id],
            chats=[(c, _messages(c)) for c in calls],
        )
    )
    response.cache_control.private = True  # personal data: no shared cache keeps it
    return response


@bp.get("/calls/<call_id>/transcript.pdf")
def call_transcript(call_id: str) -> ResponseReturnValue:
    """The call's transcript as a PDF download, for a signed-in console agent."""
    try:
        if session_agent() is None:
            raise Unauthorized("sign in at /console to download transcripts")
        call = call_lookup.get_call(call_id)
        path = call_transcripts.pdf_path(call)
    except CoreError as error:
        page, status = _unavailable(error)
        retry = getattr(error, "retry_after", None)
        return page, status, {"Retry-After": str(retry)} if retry else {}
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=call_transcripts.pdf_name(call),
    )
    response.cache_control.private = True
    return response


@bp.get("/docs")
def docs() -> str:
    """A browsable page of the OpenAPI document."""
    from chatwidget.api.openapi import api

    return render_template("docs.html", spec=api.spec.to_dict())
