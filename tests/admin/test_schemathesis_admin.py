"""The admin API and the calls search hold their OpenAPI contract (bounded schemathesis
run: no 5xx, every answer as documented), with an admin agent's bearer token."""

from tests.admin.helpers import agent_headers
from tests.api.capture_helpers import capture, chat
from tests.api.test_schemathesis import _fuzz
from tests.conftest import bearer_for

ADMIN_PATHS = {
    "/api/admin/agents",
    "/api/admin/agents/{agent_id}",
    "/api/admin/queues",
    "/api/admin/api-users",
    "/api/admin/api-users/{user_id}",
    "/api/admin/webhooks",
    "/api/admin/webhooks/{hook_id}",
    "/api/admin/webhooks/{hook_id}/events",
    "/api/admin/webhooks/{hook_id}/rotate-secret",
    "/api/admin/webhooks/events/{event_id}/redeliver",
    "/api/admin/dashboard",
    "/api/console/calls",
}


def test_admin_routes_hold_their_openapi_contract(app, client):
    _, _, headers = agent_headers(app)
    client.post("/api/admin/webhooks", json={"url": "http://127.0.0.1:9/"}, headers=headers)
    capture(client, bearer_for(app, client, "chat_capture"), chat("s-1"))
    failures = _fuzz(app, ADMIN_PATHS, headers)
    assert not failures, "\n\n".join(failures)
