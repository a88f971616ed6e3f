"""Pages for people and the health probe."""

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import text

from chatwidget.core import capture
from chatwidget.core.errors import CoreError
from chatwidget.core.share import check_share_token
from chatwidget.extensions import db
from chatwidget.schemas.common import parse_utc

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz():
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


def document(app, api):
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


def _messages(call):
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


@bp.get("/calls/<call_id>")
def call_page(call_id):
    """A call as a read-only conversation, for a share link's holder."""
    try:
        check_share_token(call_id, request.args.get("token"))
        call = capture.get_call(call_id)
    except CoreError as error:
        return render_template("message.html", title="Call unavailable", text=error.message), (
            error.status
        )
    calls = capture.master_calls(call)
    return render_template(
        "call.html",
        call=call,
        related=[c for c in calls if c.id != call.id],
        chats=[(c, _messages(c)) for c in calls],
    )


@bp.get("/docs")
def docs():
    """A browsable page of the OpenAPI document."""
    from chatwidget.extensions import api

    return render_template("docs.html", spec=api.spec.to_dict())
