"""The chats API under a bounded schemathesis run: no 5xx, every answer as documented."""

from tests.api.test_schemathesis import _fuzz
from tests.chats.helpers import create_chat, integrator
from tests.sockets.helpers import create_queue

CHATS_PATHS = {
    "/apps/api/v1/chats",
    "/apps/api/v1/chats/{chat_id}",
    "/apps/api/v1/chats/{chat_id}/escalations",
    "/apps/api/v1/chats/{chat_id}/escalations/{escalation_id}",
    "/apps/api/v1/chats/{chat_id}/message",
    "/apps/api/v1/chats/{chat_id}/messages",
    "/apps/api/v1/chats/{chat_id}/customer_flag",
    "/apps/api/v1/chats/{chat_id}/custom_data",
    "/apps/api/v1/chats/{chat_id}/end-user",
    "/apps/api/v1/chats/{chat_id}/end_user",
    "/apps/api/v1/chats/{chat_id}/photos",
    "/apps/api/v1/chats/{chat_id}/videos",
    "/apps/api/v1/chats/{chat_id}/photos/upload",
    "/apps/api/v1/chats/{chat_id}/videos/upload",
}


def test_chats_routes_hold_their_openapi_contract(app, client):
    headers = integrator(app)
    create_chat(client, headers, menu_id=create_queue(app, "general"))
    failures = _fuzz(app, CHATS_PATHS, headers)
    assert not failures, "\n\n".join(failures)
