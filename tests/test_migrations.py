"""The Alembic migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

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
