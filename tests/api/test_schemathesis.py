"""A bounded schemathesis run over /openapi.json: no 5xx, every answer as documented.

In process (WSGI), on SQLite and on PostgreSQL, with a token of an API user holding every
role, valid (positive) and invalid (negative) requests for each operation.
"""

import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation

from tests.api.capture_helpers import EVERY_CAPTURE_ROLE, capture
from tests.conftest import bearer_for
from tests.sockets.helpers import create_queue

CAPTURE_PATHS = {
    "/Token",
    "/chatCapture/v1",
    "/callCapture/v1/status",
    "/callEvent/v1/outofband/event",
    "/callEvent/v1/outofband/mastercall",
    "/purge/v1/calls",
    "/purge/v1/calls/sessions",
    "/purge/v1/calls/customer",
    "/callshare/v1/token",
}
CHECKS = {
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        response_headers_conformance,
    ],
    GenerationMode.NEGATIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ],
}
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _run(operation, mode, headers):
    """Fuzz one operation in one mode; returns the failure text, or None."""

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        try:
            case.call_and_validate(headers=_auth(case, headers), checks=CHECKS[mode])
        except ValueError as exc:
            # A path parameter with a bare "[" makes a URL the test client cannot even
            # parse: nothing reached the server, so there is nothing to check.
            if "Invalid IPv6 URL" not in str(exc):
                raise
            reject()

    try:
        fuzz()
    except Exception as exc:  # schemathesis's FailureGroup, or hypothesis giving up
        return "%s (%s):\n%s" % (operation.label, mode.value, exc)
    return None


def _auth(case, headers):
    """Our valid bearer token, except for a case whose headers are the invalid part (a
    required Authorization left out): ours would mend it, and the request it then sends,
    valid but for unknown query parameters, would count as invalid data accepted."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return None
    return headers


def _fuzz(app, paths, headers):
    """Fuzz every operation of these paths in both modes; returns the failures' texts."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert paths <= {op.path for op in operations}
    failures = []
    for operation in operations:
        if operation.path not in paths:
            continue
        for mode in CHECKS:
            failure = _run(operation, mode, headers)
            if failure:
                failures.append(failure)
    return failures


def test_capture_routes_hold_their_openapi_contract(app, client, sample_chat):
    headers = bearer_for(app, client, *EVERY_CAPTURE_ROLE)
    capture(client, headers, sample_chat)
    failures = _fuzz(app, CAPTURE_PATHS, headers)
    assert not failures, "\n\n".join(failures)


WIDGET_PATHS = {
    "/api/customer/availability",
    "/api/customer/conversations/{conversation_id}/rating",
    "/api/customer/offline",
    "/api/customer/conversations",
}


def test_widget_routes_hold_their_openapi_contract(app):
    create_queue(app, "general")  # availability then reads agents and waiting conversations
    failures = _fuzz(app, WIDGET_PATHS, None)
    assert not failures, "\n\n".join(failures)


CONSOLE_PATHS = {
    "/api/console/me",
    "/api/console/queues",
    "/api/console/agents",
    "/api/console/conversations/{conversation_id}/customer",
    "/api/console/canned",
    "/api/console/canned/{item_id}",
    "/api/console/offline",
    "/api/console/offline/{conversation_id}/reply",
    "/api/console/offline/{conversation_id}/done",
}


def test_console_routes_hold_their_openapi_contract(app):
    from tests.sockets.helpers import create_agent

    _, token = create_agent(app, "Alice")
    client = app.test_client()
    client.post("/api/customer/offline", json={"email": "o@example.com", "text": "Hello"})
    # Nothing listens there: a reply is answered 503 at once, as documented.
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9)
    failures = _fuzz(app, CONSOLE_PATHS, {"Authorization": "Bearer " + token})
    assert not failures, "\n\n".join(failures)
