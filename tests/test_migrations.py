"""The Alembic migrations build exactly the schema the models describe."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from chatwidget import create_app
from chatwidget.extensions import db


@pytest.fixture
def empty_app(backend, tmp_path, request):
    url = request.getfixturevalue("pg_database") if backend == "postgresql" else ""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "SECRET_KEY": "k",
            "COMPANY_SECRET": "c",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrade_matches_models(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        upgrade()  # running it again on an up-to-date database changes nothing


def _old_conversation(conn, secret):
    """A conversation as the first schema stored it: its messages name the customer by
    its participant id (its secret)."""
    tables = db.metadata.tables
    queue = conn.execute(tables["queue"].insert().values(name="general")).inserted_primary_key
    conversation = conn.execute(
        tables["conversation"]
        .insert()
        .values(conversation_id="c-1", channel="web", queue_id=queue[0])
    ).inserted_primary_key[0]
    carla = {"id": secret, "name": "Carla", "role": "customer"}
    alice = {"id": "agent-1-c-1", "name": "Alice", "role": "agent"}
    for person in (carla, alice):
        conn.execute(
            tables["participant"]
            .insert()
            .values(participant_id=person["id"], conversation_pk=conversation, role=person["role"])
        )
    rows = [
        {"sender": carla, "to": [], "info": None, "type": "ChatMessage"},
        {"sender": alice, "to": [carla], "info": None, "type": "ChatMessage"},
        {"sender": alice, "to": [], "info": {"participant": alice}, "type": "ActivityMessage"},
        {"sender": {"id": "system"}, "to": [carla], "info": {"participant": carla}, "type": "x"},
    ]
    for seq, row in enumerate(rows, 1):
        conn.execute(
            tables["message"]
            .insert()
            .values(message_id="m-%d" % seq, conversation_pk=conversation, seq=seq, **row)
        )


def _stored(conn):
    tables = db.metadata.tables
    people = conn.execute(
        select(tables["participant"].c.role, tables["participant"].c.public_id)
    ).all()
    message = tables["message"]
    texts = conn.execute(select(message.c.sender, message.c.to, message.c.info)).all()
    return dict(people), json.dumps([list(row) for row in texts])


def test_the_upgrade_gives_customers_a_public_id_that_stored_messages_name(empty_app):
    secret = "the-customers-secret-participant-id"
    with empty_app.app_context():
        upgrade(revision="89a45f55744b")
        with db.engine.begin() as conn:
            _old_conversation(conn, secret)
        upgrade()
        with db.engine.connect() as conn:
            people, texts = _stored(conn)
        assert people["agent"] == "agent-1-c-1"
        assert people["customer"].startswith("cus_") and people["customer"] != secret
        assert secret not in texts and texts.count(people["customer"]) == 4
        assert texts.count("agent-1-c-1") == 3
        downgrade(revision="89a45f55744b")  # and back: the messages name the secret again
        with db.engine.connect() as conn:
            message = db.metadata.tables["message"]
            rows = conn.execute(select(message.c.sender, message.c.to, message.c.info)).all()
        assert json.dumps([list(row) for row in rows]).count(secret) == 4


def _delivery_log(conn):
    tables = db.metadata.tables
    attempt = tables["delivery_attempt"]
    return conn.execute(select(attempt.c.outbox_id, attempt.c.error)).all()


def test_the_bot_calls_upgrade_keeps_the_webhook_delivery_log(empty_app):
    """Making outbox_event.webhook_id nullable rebuilds the table on SQLite; the delivery
    log that refers to it (ON DELETE CASCADE) is kept, both ways."""
    with empty_app.app_context():
        upgrade(revision="d5e6f7a8b9c0")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO webhook (id, url, events, secret, active, created_at) "
                "VALUES (1, 'http://x.test/', '[\"call.summary\"]', 's', true, '2026-01-01')"
            )
            conn.exec_driver_sql(
                "INSERT INTO outbox_event (id, event_id, webhook_id, event, body, status, "
                "attempts, next_attempt_at, created_at) VALUES (7, 'e-7', 1, 'call.summary', "
                "'{}', 'dead', 2, '2026-01-01', '2026-01-01')"
            )
            for attempt in (1, 2):
                conn.exec_driver_sql(
                    "INSERT INTO delivery_attempt (outbox_id, attempt, at, error) "
                    "VALUES (7, %d, '2026-01-01', 'HTTP 503')" % attempt
                )
        upgrade()
        with db.engine.connect() as conn:
            assert _delivery_log(conn) == [(7, "HTTP 503"), (7, "HTTP 503")]
        downgrade(revision="d5e6f7a8b9c0")
        with db.engine.connect() as conn:
            assert _delivery_log(conn) == [(7, "HTTP 503"), (7, "HTTP 503")]
