"""registerConnector on namespace / (CONTRACT §4)."""

from chatwidget.extensions import socketio
from tests.conftest import bearer_for


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
