"""The seed's walk-through: token, upload, duplicate, status, share link."""

from tests.conftest import bearer_for

SESSION = "160953e6-8136-4090-a54d-44c25691149f"


def test_sample_chat_upload_status_and_share(app, client, sample_chat):
    headers = bearer_for(app, client, "chat_capture", "call_share")
    first = client.post("/chatCapture/v1", json=sample_chat, headers=headers)
    assert first.status_code == 200
    call_id = first.get_json()["callId"]
    assert call_id

    again = client.post("/chatCapture/v1", json=sample_chat, headers=headers)
    assert again.status_code == 409
    assert SESSION in again.get_json()["message"]

    status = client.post(
        "/callCapture/v1/status", json={"CallSessionIds": [SESSION]}, headers=headers
    ).get_json()
    assert status == {
        "callSessions": [
            {"callId": call_id, "sessionId": SESSION, "status": "Complete", "durationSec": 180}
        ]
    }

    link = client.post(
        "/callshare/v1/token", json={"callId": call_id, "email": "qa@example.com"}, headers=headers
    ).get_json()
    assert link["callUrl"].startswith("http://chat.example.test/calls/%s?token=" % call_id)
    page = client.get(link["callUrl"].replace("http://chat.example.test", ""))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    order = [
        "I need to make an appointment",
        "Need it some time this week.",
        "Please select &#34;Appointments&#34;",
        "From there, you can schedule",
        "Thanks, that&#39;s all I needed!",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Jane" in html and "John" in html
    assert "CustomerRating" in html and "1501a" in html


def test_token_rejects_bad_client(client):
    response = client.post(
        "/Token", data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
    assert response.get_json()["message"]
