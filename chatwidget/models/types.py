"""Column helpers shared by the models."""

from datetime import UTC, datetime

# The largest INTEGER of PostgreSQL: every primary key here. A larger id names no row (and
# PostgreSQL would refuse it as a key), so it is answered without asking the database.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    """Naive UTC now: every DateTime column holds naive UTC on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None)
