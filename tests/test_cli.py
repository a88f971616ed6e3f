"""Admin commands: each prints one JSON line; import/export round-trip losslessly."""

import json

from tests.conftest import make_app


def _json_line(result):
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def test_create_and_revoke_api_user(sqlite_app):
    runner = sqlite_app.test_cli_runner()
    made = _json_line(
        runner.invoke(args=["create-api-user", "crm", "--role", "chat_capture", "--role", "purge"])
    )
    assert set(made) >= {"client_id", "client_secret"}
    client = sqlite_app.test_client()
    form = {"grant_type": "client_credentials", **made}
    token = client.post("/Token", data=form).get_json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 1799
    headers = {"Authorization": "Bearer " + token["access_token"]}
    assert (
        client.post(
            "/callCapture/v1/status", json={"CallSessionIds": ["x"]}, headers=headers
        ).status_code
        == 200
    )

    revoked = _json_line(runner.invoke(args=["revoke-api-user", made["client_id"]]))
    assert revoked == {"client_id": made["client_id"], "revoked": True}
    again = client.post("/callCapture/v1/status", json={"CallSessionIds": ["x"]}, headers=headers)
    assert again.status_code == 401
    assert client.post("/Token", data=form).status_code == 401


def test_secret_is_stored_hashed(sqlite_app):
    from chatwidget.extensions import db
    from chatwidget.models import ApiUser

    made = _json_line(
        sqlite_app.test_cli_runner().invoke(args=["create-api-user", "x", "--role", "purge"])
    )
    with sqlite_app.app_context():
        user = db.session.query(ApiUser).one()
        assert made["client_secret"] not in user.secret_hash
        assert made["client_secret"] not in json.dumps(user.roles)


def test_unknown_role_is_refused(sqlite_app):
    result = sqlite_app.test_cli_runner().invoke(args=["create-api-user", "x", "--role", "root"])
    assert result.exit_code != 0
    assert "roles must be among" in result.output


def _chat(n, **extra):
    chat = {
        "SessionId": "s-%d" % n,
        "UtcStart": "2024-01-02T03:04:05Z",
        "UtcEnd": "2024-01-02T03:14:05.1234567Z",
        "Contacts": [
            {
                "Type": "Customer",
                "FirstName": "Zoë",
                "Email": "zoe@example.com",
                "Messages": [{"Content": "héllo %d" % n, "UtcTimestamp": "2024-01-02T03:05:00"}],
            },
            {"Type": "Agent", "ReferenceId": "7", "Messages": []},
        ],
        "Metadata": {"crm": {"id": n, "tags": ["a", "b"]}, "rating": None},
    }
    chat.update(extra)
    return chat


def test_import_reports_and_is_idempotent(sqlite_app, tmp_path):
    lines = tmp_path / "calls.jsonl"
    rows = [
        json.dumps(_chat(1)),
        json.dumps(_chat(2)),
        "{not json",
        json.dumps({"SessionId": "bad"}),
    ]
    lines.write_text("\n".join(rows) + "\n")
    single = tmp_path / "one.json"
    single.write_text(json.dumps(_chat(3, MasterCallId="m")))
    runner = sqlite_app.test_cli_runner()
    first = _json_line(runner.invoke(args=["import-calls", str(lines), str(single)]))
    assert (first["imported"], first["skipped"], first["invalid"]) == (3, 0, 2)
    reasons = " ".join(d["reason"] for d in first["details"])
    assert "not JSON" in reasons and "UtcStart" in reasons
    second = _json_line(runner.invoke(args=["import-calls", str(lines), str(single)]))
    assert (second["imported"], second["skipped"], second["invalid"]) == (0, 3, 2)


def test_export_import_round_trip_is_lossless(sqlite_app, tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([_chat(n) for n in range(5)]))
    runner = sqlite_app.test_cli_runner()
    _json_line(runner.invoke(args=["import-calls", str(source)]))
    exported = tmp_path / "out.jsonl"
    assert _json_line(runner.invoke(args=["export-calls", "-o", str(exported)]))["exported"] == 5

    fresh = make_app(tmp_path / "fresh")
    fresh_runner = fresh.test_cli_runner()
    assert _json_line(fresh_runner.invoke(args=["import-calls", str(exported)]))["imported"] == 5
    again = fresh_runner.invoke(args=["export-calls"])
    assert again.exit_code == 0
    assert again.stdout == exported.read_text()
    first = json.loads(exported.read_text().splitlines()[0])
    assert first["Contacts"][0]["FirstName"] == "Zoë"
    assert first["Metadata"] == {"crm": {"id": 0, "tags": ["a", "b"]}, "rating": None}
    assert first["UtcEnd"] == "2024-01-02T03:14:05.123456Z"


def test_live_chat_commands_print_one_line_and_fail_on_stderr(sqlite_app):
    runner = sqlite_app.test_cli_runner()
    agent_args = ["create-agent", "--email", "ann@example.com", "--name", "Änn"]
    agent_args += ["--password", "secret123", "--skill", "billing"]
    agent = _json_line(runner.invoke(args=agent_args))
    assert agent["email"] == "ann@example.com" and agent["name"] == "Änn"
    assert agent["skills"] == ["billing"]
    queue = _json_line(runner.invoke(args=["create-queue", "sales"]))
    assert queue == {"id": queue["id"], "name": "sales"}  # no virtual agent: no URL, no secret

    again = runner.invoke(args=agent_args)
    assert again.exit_code == 1
    assert again.stdout == ""
    assert "an agent with e-mail ann@example.com exists" in again.stderr
    dup_queue = runner.invoke(args=["create-queue", "sales"])
    assert dup_queue.exit_code == 1 and dup_queue.stdout == ""
    assert "a queue named sales exists" in dup_queue.stderr


def test_create_agent_admin_flag(sqlite_app):
    from chatwidget.extensions import db
    from chatwidget.models import Agent

    runner = sqlite_app.test_cli_runner()
    base = ["create-agent", "--name", "Ada", "--password", "long enough"]
    admin = _json_line(runner.invoke(args=[*base, "--email", "ada@example.com", "--admin"]))
    plain = _json_line(runner.invoke(args=[*base, "--email", "bob@example.com"]))
    assert admin["isAdmin"] is True and plain["isAdmin"] is False
    with sqlite_app.app_context():
        assert db.session.get(Agent, admin["id"]).is_admin is True
        assert db.session.get(Agent, plain["id"]).is_admin is False
