"""POST /Token: client credentials for a bearer token (seed 000's token API)."""

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import Schema, fields

from chatwidget.api.parser import Blueprint
from chatwidget.core.identity import authenticate_client, issue_token

blp = Blueprint("token", __name__, description="Token authentication")


class TokenRequestSchema(Schema):
    """OAuth 2 client-credentials grant (form-encoded; JSON accepted too)."""

    grant_type = fields.String(load_default=None)
    client_id = fields.String(load_default=None)
    client_secret = fields.String(load_default=None)


class TokenSchema(Schema):
    """A bearer token and how many seconds it lives."""

    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class OAuthErrorSchema(Schema):
    """OAuth error, with the project's `message` beside it."""

    error = fields.String()
    message = fields.String()
    errors = fields.Dict(metadata={"description": "Each bad field, for a malformed request"})


def _oauth_error(status: int, error: str, message: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    return response


@blp.route("/Token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema, location="json_or_form")
    @blp.response(200, TokenSchema)
    @blp.alt_response(400, schema=OAuthErrorSchema, description="Unsupported grant")
    @blp.alt_response(401, schema=OAuthErrorSchema, description="Bad client credentials")
    @blp.rate_limited()
    def post(self, args: dict[str, Any]) -> dict[str, object] | Response:
        """Exchange client credentials for a bearer token"""
        if (args["grant_type"] or "client_credentials") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "grant_type must be client_credentials"
            )
        user = authenticate_client(args["client_id"], args["client_secret"])
        if user is None:
            return _oauth_error(401, "invalid_client", "Unknown client or wrong secret")
        token, ttl = issue_token(user)
        return {"access_token": token, "token_type": "bearer", "expires_in": ttl}
