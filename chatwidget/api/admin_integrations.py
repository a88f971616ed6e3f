"""Admin routes for integrators' access: API users and webhook endpoints (/api/admin/*)."""

from typing import Any

from flask.views import MethodView

from chatwidget.api.admin import ID, blp
from chatwidget.api.agent_auth import admin_required
from chatwidget.core import api_users, webhook_admin, webhooks
from chatwidget.schemas import admin as s
from chatwidget.schemas import admin_webhooks as w
from chatwidget.schemas.common import ErrorSchema


@blp.route("/api-users")
class ApiUsers(MethodView):
    @admin_required(blp)
    @blp.response(200, s.ApiUserListSchema)
    def get(self) -> dict[str, object]:
        """Every API user, active ones first (secrets are never shown again)"""
        return {"apiUsers": api_users.list_users()}

    @admin_required(blp)
    @blp.arguments(s.ApiUserCreateSchema)
    @blp.response(201, s.ApiUserCreatedSchema)
    def post(self, body: dict[str, Any]) -> api_users.NewApiUser:
        """Create an API user with roles; its clientSecret is in this answer only"""
        return api_users.do_create(body["name"], body["roles"])


@blp.route(f"/api-users/<{ID}:user_id>")
class ApiUserById(MethodView):
    @admin_required(blp)
    @blp.response(200, s.ApiUserSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such API user")
    def delete(self, user_id: int) -> api_users.ApiUserView:
        """Revoke an API user: its tokens and Basic credentials stop working at once

        Idempotent: revoking it again answers the same revokedAt.
        """
        return api_users.do_revoke(user_id)


@blp.route("/webhooks")
class Webhooks(MethodView):
    @admin_required(blp)
    @blp.response(200, w.WebhookListSchema)
    def get(self) -> dict[str, object]:
        """Every webhook endpoint with its events counted by status"""
        return {"webhooks": webhook_admin.list_hooks()}

    @admin_required(blp)
    @blp.arguments(w.WebhookCreateSchema)
    @blp.response(201, w.WebhookCreatedSchema)
    def post(self, body: dict[str, Any]) -> webhook_admin.AdminWebhook:
        """Add a webhook endpoint (as `add-webhook`); its signing secret is shown this once"""
        hook = webhooks.do_add_webhook(
            body["url"], body.get("events"), body.get("basicUser"), body.get("basicPassword")
        )
        return webhook_admin.describe(hook, with_secret=True)


@blp.route(f"/webhooks/<{ID}:hook_id>")
class WebhookById(MethodView):
    @admin_required(blp)
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such webhook")
    def delete(self, hook_id: int) -> None:
        """Remove a webhook endpoint with its undelivered events and delivery log"""
        webhooks.do_remove_webhook(hook_id)


@blp.route(f"/webhooks/<{ID}:hook_id>/rotate-secret")
class WebhookSecret(MethodView):
    @admin_required(blp)
    @blp.response(200, w.WebhookSecretSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such webhook")
    @blp.alt_response(409, schema=ErrorSchema, description="Rotated by someone else meanwhile")
    def post(self, hook_id: int) -> dict[str, object]:
        """Give a webhook endpoint a new signing secret (as `rotate-webhook-secret`)

        For WEBHOOK_ROTATION_S (default a day) deliveries are signed with both secrets,
        `X-Signature: primary=<new> secondary=<old>`; then with the new one only.
        """
        hook = webhooks.do_rotate_secret(hook_id)
        return {"id": hook.id, "secret": hook.secret}


@blp.route(f"/webhooks/<{ID}:hook_id>/events")
class WebhookEvents(MethodView):
    @admin_required(blp)
    @blp.arguments(w.EventsQuerySchema, location="query")
    @blp.response(200, w.EventPageSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such webhook")
    def get(self, query: dict[str, Any], hook_id: int) -> webhook_admin.EventsPage:
        """An endpoint's events, newest first, each with its delivery log"""
        return webhook_admin.events(hook_id, query.get("status"), query["page"], query["perPage"])


@blp.route(f"/webhooks/events/<{ID}:event_id>/redeliver")
class Redeliver(MethodView):
    @admin_required(blp)
    @blp.response(200, w.EventSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such event")
    @blp.alt_response(409, schema=ErrorSchema, description="The event is still pending")
    def post(self, event_id: int) -> webhook_admin.EventView:
        """Deliver a dead (or delivered) event again, now

        The event goes back to pending, due at once; its attempts are kept, so the log
        goes on counting and a failed redelivery makes it dead again.
        """
        return webhook_admin.do_redeliver(event_id)
