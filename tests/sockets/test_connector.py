"""registerConnector on namespace / (CONTRACT §4)."""

from chatwidget.extensions import socketio
from tests.conftest import bearer_for
from tests.sockets.helpers import received, start


def _connector(app, *roles):
    token = bearer_for(app, app.test_client(), *roles)["Authorization"].split(" ", 1)[1]
    return socketio.test_client(
        app, namespace="/", auth={"token": token}, flask_test_client=app.test_client()
    )


def test_a_connector_registers_for_its_channel(sqlite_app):
    app = sqlite_app
    client = _connector(app, "connector")
    assert client.is_connected("/")
    ack = client.emit(
        "registerConnector", {"id": "sms", "name": "SMS gateway", "channel": "sms"}, callback=True
    )
    assert ack == {"status": "ok", "id": "sms", "name": "SMS gateway", "channel": "sms"}
    for bad in ({"id": "fb", "channel": "sms"}, {"id": "fax", "channel": "fax"}, {}):
        assert client.emit("registerConnector", bad, callback=True)["status"] == "error", bad


def test_registration_needs_a_connector_token(sqlite_app):
    app = sqlite_app
    assert not _connector(app, "chat_capture").is_connected("/")
    bad = socketio.test_client(app, namespace="/", auth={"token": "forged"})
    assert not bad.is_connected("/")
    anonymous = socketio.test_client(app, namespace="/", flask_test_client=app.test_client())
    assert anonymous.is_connected("/")  # customers connect without credentials
    ack = anonymous.emit("registerConnector", {"id": "sms", "channel": "sms"}, callback=True)
    assert ack["status"] == "error" and ack["message"]


def test_outbound_messages_reach_the_channels_connectors_with_the_refid(sqlite_app):
    app = sqlite_app
    sms = _connector(app, "connector")
    sms.emit("registerConnector", {"id": "sms", "name": "SMS", "channel": "sms"}, callback=True)
    fb = _connector(app, "connector")
    fb.emit("registerConnector", {"id": "fb", "name": "FB", "channel": "fb"}, callback=True)
    cid, _, customer = start(app, channel="sms", refId="+15550100")
    for sock in (sms, fb):
        received(sock)

    http = app.test_client()
    body = {"refId": "+15550100", "text": "Your order has shipped"}
    for roles in (("connector",), ("admin",)):
        response = http.post(
            "/api/connectors/sms/messages", json=body, headers=bearer_for(app, http, *roles)
        )
        assert response.status_code == 200, response.get_json()
        sent = response.get_json()
        assert sent["refId"] == "+15550100" and sent["channel"] == "sms" and sent["id"]
        arrived = received(sms, "/", "messageArrived")
        assert [(m["id"], m["refId"], m["text"]) for m in arrived] == [
            (sent["id"], "+15550100", "Your order has shipped")
        ]
    assert received(fb) == [] and received(customer) == []

    assert http.post("/api/connectors/sms/messages", json=body).status_code == 401
    capture = bearer_for(app, http, "chat_capture")
    forbidden = http.post("/api/connectors/sms/messages", json=body, headers=capture)
    assert forbidden.status_code == 403
    headers = bearer_for(app, http, "connector")
    unknown = http.post("/api/connectors/fax/messages", json=body, headers=headers)
    assert unknown.status_code == 404 and unknown.get_json()["message"]
    missing = http.post("/api/connectors/sms/messages", json={"text": "x"}, headers=headers)
    assert missing.status_code == 400 and "refId" in missing.get_json()["errors"]
    assert received(sms) == []
